"""Spreadsheet bombs sent as a records export, on SQLite and PostgreSQL: a 1.5 KB XLSX whose `<dimension>`
claims the whole sheet (A1:XFD1048576) is read as the cells it has; a tiny XLSX holding one 300 MB shared
string, a sheet 300 columns wide and a cell longer than Excel allows are each refused with a message naming
the file and what is wrong; all quickly and within a small memory peak. A normal XLSX still previews."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import openpyxl
from fastapi.testclient import TestClient

from fapiao.matching.records_import import RecordsFileError, read_rows_from
from tests.service.conftest import make_key

HEADERS = ["发票代码", "发票号码", "开票日期", "销方名称", "金额", "税额", "价税合计"]


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rewrite(data: bytes, member: str, edit) -> bytes:
    """The workbook with one member's XML changed by ``edit`` (bytes → bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info.filename, edit(body) if info.filename == member else body, zipfile.ZIP_DEFLATED, 9)
    return out.getvalue()


GOOD_ROWS = [HEADERS, ["", "12345678", "2024-05-14", "上海某某", "100.00", "6.00", "106.00"]]


def dimension_bomb() -> bytes:
    return _rewrite(
        _xlsx(GOOD_ROWS),
        "xl/worksheets/sheet1.xml",
        lambda x: x.replace(b'<dimension ref="A1:G2"/>', b'<dimension ref="A1:XFD1048576"/>'),
    )


def shared_string_bomb(size: int = 300 * 1024 * 1024) -> bytes:
    """A minimal workbook written by hand (openpyxl writes inline strings): the seller cell refers to shared
    string 0, which is ``size`` bytes of one letter."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    cells = "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>' for i, h in enumerate(HEADERS))
    members = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook {ns} xmlns:r="{rel}"><sheets><sheet name="s" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet {ns}><sheetData><row r="1">{cells}</row><row r="2">'
        '<c r="B2" t="inlineStr"><is><t>12345678</t></is></c><c r="D2" t="s"><v>0</v></c>'
        '<c r="E2"><v>100</v></c></row></sheetData></worksheet>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, text in members.items():
            zf.writestr(member, text)
        with zf.open("xl/sharedStrings.xml", "w") as f:  # streamed: the test itself never holds the string
            f.write(f'<sst {ns} count="1" uniqueCount="1"><si><t>'.encode())
            block = b"A" * (1024 * 1024)
            for _ in range(size // len(block)):
                f.write(block)
            f.write(b"</t></si></sst>")
    return out.getvalue()


def _peak_of(call):
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        start = time.monotonic()
        result = call()
        return result, tracemalloc.get_traced_memory()[1] - before, time.monotonic() - start
    finally:
        tracemalloc.stop()


def test_spreadsheet_bombs_are_refused_clearly_and_cheaply(client: TestClient) -> None:
    rv = make_key(client, "reviewer")
    dim = dimension_bomb()
    assert len(dim) < 8 * 1024
    bombs = {
        "dimension.xlsx": dim,
        "shared-string.xlsx": shared_string_bomb(),
        "wide.xlsx": _xlsx([HEADERS + [None] * 292 + ["x"], GOOD_ROWS[1]]),
        "long-cell.xlsx": _rewrite(  # openpyxl writes at most 32,767 characters; another writer may write more
            _xlsx([HEADERS, ["", "12345678", "2024-05-14", "某", "100.00", "6.00", "106.00"]]),
            "xl/worksheets/sheet1.xml",
            lambda x: x.replace("<t>某</t>".encode(), ("<t>" + "某" * 40_000 + "</t>").encode()),
        ),
    }
    assert len(bombs["shared-string.xlsx"]) < 1024 * 1024
    for name, data in bombs.items():

        def post(name=name, data=data):
            return client.post(
                "/api/v1/records/imports",
                headers=rv,
                data={"preview": "true"},
                files={"file": (name, data, "application/octet-stream")},
            )

        resp, peak, took = _peak_of(post)
        assert peak < 64 * 1024 * 1024 and took < 20, (name, peak, took)
        if name == "dimension.xlsx":  # the claimed size is ignored: read as the two rows it really has
            assert resp.status_code == 201 and resp.json()["rows_read"] == 1, resp.text[:300]
            continue
        assert resp.status_code == 422, (name, resp.status_code, resp.text[:300])
        detail = resp.json()["detail"]
        assert name in detail and "internal error" not in detail, detail
    ok = client.post(
        "/api/v1/records/imports", headers=rv, data={"preview": "true"}, files={"file": ("ok.xlsx", _xlsx(GOOD_ROWS))}
    )
    assert ok.status_code == 201 and ok.json()["rows_read"] == 1, ok.text[:300]


def test_the_reader_shared_by_the_ui_and_back_fill_refuses_the_bombs() -> None:
    """``read_rows_from`` serves the UI records page and back-fill's `records` too."""
    for name, data, says in [
        ("dimension.xlsx", dimension_bomb(), None),
        ("shared.xlsx", shared_string_bomb(64 * 1024 * 1024), "uncompressed"),
    ]:
        try:
            rows, peak, _ = _peak_of(lambda data=data, name=name: read_rows_from(data, name))
        except RecordsFileError as exc:
            assert name in str(exc) and (says is None or says in str(exc)), str(exc)
            continue
        # the dimension is ignored: the sheet is read as the cells it really has
        assert says is None and rows == [HEADERS, [None, *GOOD_ROWS[1][1:]]] and peak < 16 * 1024 * 1024, (name, peak)
