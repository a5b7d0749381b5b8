"""Finding invoices from partial facts, the statistics, the alerts (with a real webhook receiver) and the
records sync status, through the HTTP API and the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from fapiao.service import alerts
from tests.helpers.service import SELLER_ID, wait_done, xml
from tests.service.conftest import make_key

ROOT = Path(__file__).resolve().parents[2]
HEADERS = "发票代码,发票号码,数电票号码,销方识别号,销方名称,购方识别号,购买方名称,开票日期,金额,税额,价税合计,发票状态,发票票种"  # noqa: E501
OTHER_ID = "91110000600037341L"
RECORDS = [
    f",,24340000000000000001,{SELLER_ID},上海某某贸易有限公司,91330106273175535K,思星顺生物技术集团有限公司,2024-03-08,100.00,6.00,106.00,正常,",
    f"011001900111,12345678,,{OTHER_ID},科晟建筑（南京）股份有限公司,,,2024-04-02,1000.00,58.94,1058.94,正常,",
    f",,24340000000000000003,{OTHER_ID},科晟建筑（南京）股份有限公司,,,2024-04-20,500.00,30.00,530.00,正常,",
]


def _csv(rows: list[str]) -> bytes:
    return ("\ufeff" + "\n".join([HEADERS, *rows]) + "\n").encode()


def _setup(client: TestClient) -> tuple[dict, dict]:
    rv, up = make_key(client, "reviewer"), make_key(client, "uploader")
    r = client.post(
        "/api/v1/records/imports", headers=rv, files={"file": ("tax-bureau.csv", _csv(RECORDS), "text/csv")}
    )
    assert r.status_code == 201, r.text
    files = [
        ("a.xml", xml("24340000000000000001", "100.00", "6.00")),
        ("b.xml", xml("24340000000000000009", "250.00", "15.00")),  # not in the records
        ("b-again.xml", xml("24340000000000000009", "250.00", "15.00", pad="\n")),
    ]  # the same invoice twice
    docs = client.post(
        "/api/v1/documents", headers=up, files=[("files", (n, d, "application/xml")) for n, d in files]
    ).json()
    for d in docs["documents"]:
        assert wait_done(client, d["id"], up)["status"] == "done"
    assert client.post("/api/v1/reconciliations", headers=rv, json={}).status_code == 201
    return rv, up


def _search(client: TestClient, h: dict, **params) -> list[dict]:
    r = client.get("/api/v1/search", headers=h, params=params)
    assert r.status_code == 200, r.text
    return r.json()["hits"]


def test_search_from_partial_facts(client: TestClient) -> None:
    rv, _ = _setup(client)
    # Part of a number: the record, the invoice read from a.xml, nothing else.
    hits = _search(client, rv, q="0000000001")
    assert {(h["kind"], h["number"]) for h in hits} == {
        ("record", "24340000000000000001"),
        ("invoice", "24340000000000000001"),
    }
    assert all("number contains 0000000001" in h["reasons"] for h in hits)
    # The same reasons as codes with their parameters, for a client that words them itself.
    assert all(h["reason_codes"] == [{"code": "number", "params": {"q": "0000000001"}}] for h in hits)
    # An old-style code + number, by the number part alone.
    (old,) = _search(client, rv, q="12345678")
    assert old["kind"] == "record" and old["amount_with_tax"] == "1058.94"
    # An amount, exactly; a range with a month.
    assert [h["number"] for h in _search(client, rv, q="1058.94")] == ["01100190011112345678"]
    ranged = _search(client, rv, q="2024-04 500-1100", kind=["record"])
    assert sorted(h["number"] for h in ranged) == ["01100190011112345678", "24340000000000000003"]
    assert any(r.startswith("issued 2024-04-01") for r in ranged[0]["reasons"])
    # Half a name with a wrong character and the other bracket / legal form: both of that seller's records.
    named = _search(client, rv, name="科晨建筑(南京)有限公司")
    assert sorted(h["number"] for h in named) == ["01100190011112345678", "24340000000000000003"]
    # Part of a tax ID, narrowed to invoices; and the draft of the missing invoice is found too.
    by_id = _search(client, rv, tax_id="9144030019", kind=["invoice"])
    assert sorted(h["label"] for h in by_id) == ["a.xml", "b-again.xml", "b.xml"]
    drafts = _search(client, rv, q="24340000000000000009", kind=["draft"])
    assert len(drafts) == 1 and drafts[0]["ui_url"].startswith("/ui/drafts/")
    # A whole number with a wrong digit still finds the invoice, ranked below exact ones, and says so.
    near = _search(client, rv, number="24340000700000000001", kind=["record"])
    assert near[0]["number"] == "24340000000000000001" and "1 digit away" in near[0]["reasons"][0]
    assert near[0]["reason_codes"] == [{"code": "near_number", "params": {"n": "1", "q": "24340000700000000001"}}]
    assert near[0]["score"] > near[1]["score"]  # one digit away ranks above two
    # Nothing to look for is a clear 422; edits show up at the next search.
    bad = client.get("/api/v1/search", headers=rv)
    assert bad.status_code == 422 and bad.json()["hint"]
    inv = next(h for h in by_id if h["label"] == "a.xml")
    body = client.get(inv["api_url"], headers=rv).json()
    client.patch(
        inv["api_url"], headers=rv, json={"version": body["version"], "fields": {"seller_name": "甲乙丙丁有限公司"}}
    )
    assert [h["ref"] for h in _search(client, rv, name="甲乙丙丁")] == [inv["ref"]]


@pytest.mark.slow  # the search command in subprocesses
def test_search_cli_reads_the_same_database(client: TestClient, settings) -> None:
    _setup(client)
    env = {**os.environ, "FAPIAO_DATA_DIR": str(settings.data_dir), "FAPIAO_DATABASE_URL": settings.db_url}
    res = subprocess.run(
        [sys.executable, "-m", "fapiao.cli", "search", "科晟", "--min", "1000", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert res.returncode == 0, res.stderr
    (hit,) = [json.loads(x) for x in res.stdout.splitlines()]
    assert hit["number"] == "01100190011112345678" and hit["kind"] == "record"
    res = subprocess.run(
        [sys.executable, "-m", "fapiao.cli", "search"], env=env, capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert res.returncode == 2 and "nothing to search for" in res.stderr


def test_statistics(client: TestClient) -> None:
    rv, _ = _setup(client)
    month = client.get("/api/v1/stats", headers=rv, params={"group": "month"}).json()["rows"]
    # The second copy of an invoice is shown as a duplicate, not counted again.
    assert month == [
        {
            "key": "2024-03",
            "label": "2024-03",
            "invoices": 2,
            "total_amount": "350.00",
            "total_tax": "21.00",
            "amount_with_tax": "371.00",
            "duplicates": 1,
        }
    ]
    rate = client.get("/api/v1/stats", headers=rv, params={"group": "rate"}).json()["rows"]
    assert [(r["key"], r["total_amount"], r["total_tax"]) for r in rate] == [("6%", "350.00", "21.00")]
    seller = client.get("/api/v1/stats", headers=rv, params={"group": "seller"}).json()["rows"]
    assert seller[0]["key"] == SELLER_ID and seller[0]["invoices"] == 2
    shares = client.get("/api/v1/stats/shares", headers=rv).json()["rows"]
    assert shares[0]["month"] == "2024-03" and shares[0]["reconciled"] == 2
    assert shares[0]["matched"] == 1 and shares[0]["missing_in_system"] == 1  # the second copy is not counted
    assert shares[0]["matched_share"] == round(1 / 2, 4) and shares[0]["missing_share"] == round(1 / 2, 4)
    # The needs-review share counts what the queue holds as needs_review and not yet reviewed.
    waiting = client.get("/api/v1/invoices", headers=rv, params={"status": "needs_review", "review": "pending"}).json()
    assert waiting["total"] >= 1 and all(i["status"] == "needs_review" for i in waiting["invoices"])
    assert shares[0]["needs_review"] == waiting["total"]
    assert shares[0]["needs_review_share"] == round(waiting["total"] / 2, 4)
    first = waiting["invoices"][0]
    assert (
        client.post(
            f"/api/v1/invoices/{first['id']}/confirm", headers=rv, json={"version": first["version"]}
        ).status_code
        == 200
    )
    after = client.get("/api/v1/stats/shares", headers=rv).json()["rows"][0]
    assert after["needs_review"] == waiting["total"] - 1
    sx = client.get("/api/v1/stats/shares", headers=rv, params={"format": "xlsx"})
    assert sx.status_code == 200 and "attachment" in sx.headers["content-disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(sx.content)).active
    head = [c.value for c in ws[1]]
    row = dict(zip(head, ws[2], strict=False))
    assert row["month"].value == "2024-03" and row["invoices"].value == 2 and row["matched"].value == 1
    assert (
        row["needs_review_share"].value == after["needs_review_share"]
        and row["needs_review_share"].number_format == "0.0%"
    )
    assert row["matched_share"].value == round(1 / 2, 4) and row["matched_share"].number_format == "0.0%"
    x = client.get("/api/v1/stats", headers=rv, params={"group": "type", "format": "xlsx"})
    assert x.status_code == 200 and "attachment" in x.headers["content-disposition"]
    head, row = list(openpyxl.load_workbook(io.BytesIO(x.content)).active.iter_rows(values_only=True))
    cell = dict(zip(head, row, strict=False))
    assert cell["key"] == "digital_normal" and Decimal(str(cell["amount_with_tax"])) == Decimal("371.00")
    assert client.get("/api/v1/stats", headers=rv, params={"group": "nope"}).status_code == 422


class _Receiver(BaseHTTPRequestHandler):
    got: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 - the http.server interface
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Receiver.got.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_alerts_metrics_and_webhook(client: TestClient) -> None:
    rv, _ = _setup(client)
    ctx = client.app.state.ctx
    found = client.get("/api/v1/alerts", headers=rv).json()
    (dup,) = [a for a in found["alerts"] if a["kind"] == "duplicate"]
    assert (
        dup["key"] == "duplicate:24340000000000000009" and "b.xml" in dup["message"] and "b-again.xml" in dup["message"]
    )
    assert len(dup["detail"]["documents"]) == 2
    assert found["counts"]["stuck_review"] == 0 and found["counts"]["import_stale"] == 0

    # Three days later: the needs-review invoices are stuck, and the records import is stale.
    later = alerts.current(ctx, now=dt.datetime.now(dt.UTC) + dt.timedelta(hours=80))
    kinds = alerts.counts(later)
    assert kinds["import_stale"] == 1
    pending = client.get("/api/v1/invoices", headers=rv, params={"status": "needs_review", "review": "pending"}).json()[
        "total"
    ]
    assert kinds["stuck_review"] == pending

    # A draft exported, then an import that still lacks it: the back-entry did not arrive.
    (draft,) = client.get("/api/v1/drafts", headers=rv, params={"state": "draft"}).json()["drafts"]
    client.post(f"/api/v1/drafts/{draft['id']}/confirm", headers=rv, json={"version": draft["version"]})
    assert client.post("/api/v1/drafts/export", headers=rv, json={"format": "json"}).status_code == 200
    assert (
        client.post(
            "/api/v1/records/imports", headers=rv, files={"file": ("tax-bureau.csv", _csv(RECORDS), "text/csv")}
        ).status_code
        == 201
    )
    unseen = client.get("/api/v1/alerts", headers=rv, params={"kind": "draft_unseen"}).json()["alerts"]
    assert [a["key"] for a in unseen] == [f"draft_unseen:{draft['id']}"]
    # A failed import of a source is an alert until that source imports again.
    client.post("/api/v1/records/imports", headers=rv, files={"file": ("erp.csv", b"x,y\n1,2\n", "text/csv")})
    failed = client.get("/api/v1/alerts", headers=rv, params={"kind": "import_failed"}).json()["alerts"]
    assert len(failed) == 1 and "erp.csv" in failed[0]["message"]

    admin = make_key(client, "admin")
    metrics = client.get("/metrics", headers=admin).text
    assert 'fapiao_alerts{kind="duplicate"} 1.0' in metrics and 'fapiao_alerts{kind="import_failed"} 1.0' in metrics

    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hook?token=secret"
        _Receiver.got.clear()
        sent = alerts.notify_new(ctx, url)
        assert sent == len(_Receiver.got[0]["alerts"]) >= 3
        assert {a["kind"] for a in _Receiver.got[0]["alerts"]} >= {"duplicate", "draft_unseen", "import_failed"}
        assert alerts.notify_new(ctx, url) == 0 and len(_Receiver.got) == 1  # each alert is posted once
    finally:
        server.shutdown()
    # A receiver that is down: nothing is marked posted, so the next round retries.
    assert alerts.notify_new(ctx, "http://127.0.0.1:9/down") == 0


def test_sync_status_and_repeating_an_import(client: TestClient) -> None:
    rv, _ = _setup(client)
    client.post("/api/v1/records/imports", headers=rv, files={"file": ("erp.csv", b"x,y\n1,2\n", "text/csv")})
    srcs = {s["source"]: s for s in client.get("/api/v1/records/sources", headers=rv).json()["sources"]}
    assert srcs["tax-bureau.csv"]["last"]["status"] == "done" and srcs["tax-bureau.csv"]["changed"] == 3
    assert srcs["erp.csv"]["last"]["status"] == "failed" and srcs["erp.csv"]["last_success_at"] is None
    run_id = srcs["tax-bureau.csv"]["last"]["id"]
    again = client.post(f"/api/v1/records/imports/{run_id}/repeat", headers=rv)
    assert again.status_code == 201 and again.json()["unchanged"] == 3 and again.json()["source"] == "tax-bureau.csv"
    assert client.post("/api/v1/records/imports/99999/repeat", headers=rv).status_code == 422


def test_documents_without_an_invoice_are_found_by_file_name_and_status(client: TestClient) -> None:
    """A document that gave no invoice (its job failed) is on no invoice, record or draft row: it is found
    as a document by part of its file name, or by its status."""
    rv, up = _setup(client)
    resp = client.post(
        "/api/v1/documents",
        headers=up,
        files=[("files", ("Scan-0312-broken.pdf", b"%PDF-1.4\nnot really a pdf\n", "application/pdf"))],
    )
    doc_id = resp.json()["documents"][0]["id"]
    assert wait_done(client, doc_id, up)["status"] == "failed"
    (hit,) = _search(client, rv, q="scan-0312", kind=["document"])
    assert hit["ref"] == doc_id and hit["label"] == "Scan-0312-broken.pdf · failed"
    assert hit["reasons"] == ["file contains scan-0312"] and hit["api_url"] == f"/api/v1/documents/{doc_id}"
    assert doc_id in {h["ref"] for h in _search(client, rv, q="failed", kind=["document"])}
    # the invoices of the set-up's uploads are still found by their file's name too
    assert {h["kind"] for h in _search(client, rv, q="b-again.xml")} == {"invoice", "document"}
