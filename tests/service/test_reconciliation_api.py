"""Records import, reconciliation and back-entry drafts through the HTTP API, on SQLite and PostgreSQL:
preview then import a tax-bureau CSV, upload a batch of 数电 XML invoices, reconcile the batch (every
category), download the report, edit / confirm / export the draft in the import's own layout, and see it
resolved by the next import."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import openpyxl
from fastapi.testclient import TestClient
from sqlalchemy import select

from fapiao.storage.db import session_scope
from fapiao.storage.service_tables import AuditEntry
from tests.helpers.service import ERP_HEADERS, MAPPING, SELLER_ID, csv_bytes, import_records, wait_done, xml
from tests.service.conftest import make_key

RECORDS = [
    ["24310000000000000001", "上海某某贸易有限公司", SELLER_ID, "2024-03-08", "100.00", "6.00", "106.00", "正常"],
    ["24310000000000000002", "上海某某贸易有限公司", SELLER_ID, "2024-03-08", "200.00", "12.00", "212.00", "作废"],
    ["24310000000000000003", "上海某某贸易有限公司", SELLER_ID, "2024-03-08", "300.00", "18.00", "318.00", "正常"],
    ["24310000000000000005", "上海某某贸易有限公司", SELLER_ID, "2024-03-08", "500.00", "30.00", "530.00", "正常"],
    ["not-a-number", "上海某某贸易有限公司", SELLER_ID, "2024-03-08", "1.00", "0.06", "1.06", "正常"],
]


def test_import_reconcile_draft_export_resolve(client: TestClient) -> None:
    rv = make_key(client, "reviewer")
    up = make_key(client, "uploader")

    # Without the mapping the number column is not found: a clear 422 naming the columns, recorded as a failed import.
    bad = client.post(
        "/api/v1/records/imports", headers=rv, files={"file": ("ledger.csv", csv_bytes(RECORDS), "text/csv")}
    )
    assert bad.status_code == 422 and "票号" in bad.json()["detail"]
    assert client.get("/api/v1/records/imports", headers=rv).json()["imports"][0]["status"] == "failed"

    # Preview stores nothing and shows how each column is read.
    pv = import_records(client, rv, csv_bytes(RECORDS), preview="true", mapping=json.dumps(MAPPING))
    cols = {c["header"]: c for c in pv["columns"]}
    assert cols["票号"]["field"] == "invoice_number" and cols["票号"]["explicit"] is True
    assert cols["Gross Amount"]["field"] == "amount_with_tax" and cols["Supplier Tax ID"]["field"] == "seller_tax_id"
    assert pv["records"] == 4 and pv["sample"][0]["invoice_number"] == "24310000000000000001"
    assert [(e["row"], e["column"]) for e in pv["errors"]] == [(6, "票号")]
    assert client.get("/api/v1/records", headers=rv).json()["total"] == 0

    run = import_records(client, rv, csv_bytes(RECORDS), mapping=json.dumps(MAPPING), save_mapping_as="erp")
    assert (run["inserted"], run["bad_rows"], run["errors"][0]["row"]) == (4, 1, 6)
    (saved,) = client.get("/api/v1/records/mappings", headers=rv).json()["mappings"]
    assert saved["name"] == "erp" and saved["mapping"] == {  # the whole mapping used, so the next import is read alike
        "invoice_number": "票号",
        "seller_name": "Supplier",
        "seller_tax_id": "Supplier Tax ID",
        "issue_date": "Invoice Date",
        "total_amount": "Net Amount",
        "total_tax": "VAT",
        "amount_with_tax": "Gross Amount",
        "status": "Status",
    }
    parties = client.get("/api/v1/records/parties", headers=rv).json()["parties"]
    assert [(p["tax_id"], p["canonical_name"]) for p in parties] == [(SELLER_ID, "上海某某贸易有限公司")]

    # A batch: matched, voided, differing (amount), missing, and a second copy of the matched one.
    files = [
        ("m.xml", xml("24310000000000000001", "100.00", "6.00")),
        ("v.xml", xml("24310000000000000002", "200.00", "12.00")),
        ("d.xml", xml("24310000000000000003", "300.00", "18.00", seller_id="91110000600037341L")),
        ("new.xml", xml("24310000000000000004", "400.00", "24.00")),
        ("copy.xml", xml("24310000000000000001", "100.00", "6.00", pad="\n")),
    ]
    docs = client.post(
        "/api/v1/documents?batch=b1", headers=up, files=[("files", (n, d, "application/xml")) for n, d in files]
    ).json()["documents"]
    for d in docs:
        assert wait_done(client, d["id"], up)["status"] == "done"

    r = client.post("/api/v1/reconciliations", headers=rv, json={"batch": "b1"})
    assert r.status_code == 201, r.text
    summary = r.json()
    assert summary["counts"] == {
        "matched": 1,
        "matched_with_differences": 1,
        "missing_in_system": 1,
        "duplicate": 1,
        "voided": 1,
        "rejected": 0,
        "no_document": 1,
    }
    assert summary["drafts_created"] == 1 and summary["documents"] == 5
    detail = client.get(f"/api/v1/reconciliations/{summary['id']}?category=matched_with_differences", headers=rv).json()
    (diff,) = detail["items"]
    assert diff["differences"] == [{"field": "seller_tax_id", "document": "91110000600037341L", "record": SELLER_ID}]
    nodoc = client.get(f"/api/v1/reconciliations/{summary['id']}?category=no_document", headers=rv).json()["items"]
    assert [i["record_key"] for i in nodoc] == ["24310000000000000005"]
    missing = client.get(f"/api/v1/reconciliations/{summary['id']}?category=missing_in_system", headers=rv).json()[
        "items"
    ]
    assert missing[0]["source"] == "new.xml" and missing[0]["draft_id"]

    # The queue knows what the run said.
    listed = client.get("/api/v1/invoices?match=missing_in_system", headers=rv).json()["invoices"]
    assert [i["invoice_number"] for i in listed] == ["24310000000000000004"]

    # The report as XLSX: one sheet per category, the cells as in the JSON lines.
    x = client.get(f"/api/v1/reconciliations/{summary['id']}/report?format=xlsx", headers=rv)
    assert x.status_code == 200 and "attachment" in x.headers["content-disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(x.content))
    assert "voided" in wb.sheetnames and wb["voided"].max_row == 2
    head, row = list(wb["missing_in_system"].iter_rows(values_only=True))
    cell = dict(zip(head, row, strict=False))
    assert cell["invoice_number"] == "24310000000000000004" and Decimal(str(cell["amount_with_tax"])) == Decimal(
        "424.00"
    )
    lines = client.get(f"/api/v1/reconciliations/{summary['id']}/report?format=json", headers=rv).text.splitlines()
    assert len(lines) == 6 and json.loads(lines[-1])["category"] == "no_document"

    # The draft: edit with a stale version → 409; a bad amount → 422; then edit, confirm, export.
    (draft,) = client.get("/api/v1/drafts?state=draft", headers=rv).json()["drafts"]
    assert draft["invoice_number"] == "24310000000000000004" and draft["seller_tax_id"] == SELLER_ID
    did, version = draft["id"], draft["version"]
    assert (
        client.patch(
            f"/api/v1/drafts/{did}", headers=rv, json={"version": version + 5, "fields": {"remarks": "x"}}
        ).status_code
        == 409
    )
    assert (
        client.patch(
            f"/api/v1/drafts/{did}", headers=rv, json={"version": version, "fields": {"total_tax": "abc"}}
        ).status_code
        == 422
    )
    edited = client.patch(
        f"/api/v1/drafts/{did}", headers=rv, json={"version": version, "fields": {"total_tax": "25.00"}}
    ).json()
    assert edited["payload"]["total_tax"] == "25.00" and edited["version"] == version + 1
    assert any("total_tax" in f["fields"] for f in edited["payload"]["findings"])  # the arithmetic rule objects
    fixed = client.patch(
        f"/api/v1/drafts/{did}", headers=rv, json={"version": edited["version"], "fields": {"total_tax": "24.00"}}
    ).json()
    assert not any("total_tax" in f["fields"] for f in fixed["payload"]["findings"] if f["severity"] == "error")
    with session_scope(client.app.state.ctx.sessions) as s:  # each field edit audited: who, when, old, new
        audit = s.scalars(select(AuditEntry).where(AuditEntry.draft_id == did).order_by(AuditEntry.id)).all()
        assert [(a.action, a.field, a.new) for a in audit] == [
            ("draft_edit", "total_tax", "25.00"),
            ("draft_edit", "total_tax", "24.00"),
        ]
        assert audit[0].old not in (None, "25.00") and audit[1].old == "25.00"
        assert all(a.actor and a.at for a in audit) and audit[0].actor == audit[1].actor
    assert (
        client.post("/api/v1/drafts/export", headers=rv, json={"format": "xlsx"}).status_code == 409
    )  # nothing confirmed
    confirmed = client.post(f"/api/v1/drafts/{did}/confirm", headers=rv, json={"version": fixed["version"]}).json()
    assert confirmed["state"] == "confirmed"
    assert (
        client.patch(
            f"/api/v1/drafts/{did}", headers=rv, json={"version": confirmed["version"], "fields": {"remarks": "x"}}
        ).status_code
        == 409
    )
    out = client.post("/api/v1/drafts/export", headers=rv, json={"format": "xlsx"})
    assert out.status_code == 200 and out.headers["x-drafts-exported"] == "1"
    sheet = list(openpyxl.load_workbook(io.BytesIO(out.content))["drafts"].iter_rows(values_only=True))
    assert list(sheet[0]) == ERP_HEADERS  # the layout of the records import it came from
    exported = dict(zip(ERP_HEADERS, sheet[1], strict=False))
    assert exported["票号"] == "24310000000000000004" and exported["Supplier Tax ID"] == SELLER_ID
    assert Decimal(str(exported["Gross Amount"])) == Decimal("424.00") and exported["Status"] == "正常"
    got = client.get(f"/api/v1/drafts/{did}", headers=rv).json()
    assert got["state"] == "exported" and [h["to"] for h in got["history"]] == [
        "draft",
        "draft",
        "draft",
        "confirmed",
        "exported",
    ]

    # The next import contains the invoice: the draft is resolved; reconciling again finds it matched.
    booked = [
        "24310000000000000004",
        "上海某某贸易有限公司",
        SELLER_ID,
        "2024-03-08",
        "400.00",
        "24.00",
        "424.00",
        "正常",
    ]
    again = import_records(client, rv, csv_bytes(RECORDS + [booked]), mapping_name="erp")
    assert again["drafts_resolved"] == 1 and again["inserted"] == 1 and again["unchanged"] == 4
    assert client.get(f"/api/v1/drafts/{did}", headers=rv).json()["state"] == "resolved"
    second = client.post("/api/v1/reconciliations", headers=rv, json={"batch": "b1"}).json()
    assert second["counts"]["matched"] == 2 and second["counts"]["missing_in_system"] == 0
    assert second["drafts_created"] == 0

    # Re-running the newest import's file (kept in the blob store) changes nothing more.
    rep = client.post("/api/v1/records/imports/repeat", headers=rv).json()
    assert (rep["inserted"], rep["unchanged"], rep["source"]) == (0, 5, "ledger.csv")


def test_roles_and_bad_requests(client: TestClient) -> None:
    up = make_key(client, "uploader")
    rv = make_key(client, "reviewer")
    for method, path in (("post", "/api/v1/reconciliations"), ("get", "/api/v1/drafts"), ("get", "/api/v1/records")):
        assert (
            getattr(client, method)(path, headers=up, **({"json": {}} if method == "post" else {})).status_code == 403
        )
    assert client.get("/api/v1/reconciliations/999", headers=rv).status_code == 404
    assert (
        client.post(
            "/api/v1/reconciliations", headers=rv, json={"date_from": "2024-02-01", "date_to": "2024-01-01"}
        ).status_code
        == 422
    )
    bad = client.post(
        "/api/v1/records/imports",
        headers=rv,
        data={"mapping": "{not json"},
        files={"file": ("x.csv", b"a,b\n1,2\n", "text/csv")},
    )
    assert bad.status_code == 422 and bad.json()["hint"]
    wrong = client.post(
        "/api/v1/records/imports", headers=rv, files={"file": ("x.xlsx", b"not a workbook", "application/octet-stream")}
    )
    assert wrong.status_code == 422 and "x.xlsx" in wrong.json()["detail"]
    assert (
        client.post(
            "/api/v1/records/imports",
            headers=rv,
            data={"mapping_name": "nope"},
            files={"file": ("x.csv", b"a,b\n", "text/csv")},
        ).status_code
        == 422
    )
    assert client.post("/api/v1/drafts/1/confirm", headers=rv, json={"version": 1}).status_code == 404


def test_records_without_document_are_reported_within_the_documents_dates(client: TestClient) -> None:
    """Reconciling a batch does not list a year of records because one March invoice arrived: without a date
    range, a batch's records without a document are looked for within the issue dates its documents span, and
    the run counts the records it accounts for. Reconciling everything lists every record, as `fapiao reconcile`
    does."""
    rv, up = make_key(client, "reviewer"), make_key(client, "uploader")
    rows = [
        ["24310000000000000001", "上海某某贸易有限公司", SELLER_ID, "2024-03-08", "100.00", "6.00", "106.00", "正常"],
        ["24310000000000000007", "上海某某贸易有限公司", SELLER_ID, "2024-03-08", "70.00", "4.20", "74.20", "正常"],
        ["23310000000000000001", "上海某某贸易有限公司", SELLER_ID, "2023-01-05", "10.00", "0.60", "10.60", "正常"],
    ]
    import_records(client, rv, csv_bytes(rows), mapping=json.dumps(MAPPING))
    doc = client.post(
        "/api/v1/documents",
        headers=up,
        files=[("files", ("m.xml", xml("24310000000000000001", "100.00", "6.00"), "application/xml"))],
        params={"batch": "march"},
    ).json()
    wait_done(client, doc["documents"][0]["id"], up)
    run = client.post("/api/v1/reconciliations", headers=rv, json={"batch": "march"}).json()
    nodoc = client.get(f"/api/v1/reconciliations/{run['id']}?category=no_document", headers=rv).json()["items"]
    assert [i["record_key"] for i in nodoc] == ["24310000000000000007"]
    assert run["records"] == 2 == run["counts"]["matched"] + run["counts"]["no_document"]
    everything = client.post("/api/v1/reconciliations", headers=rv, json={}).json()
    assert everything["records"] == 3 and everything["counts"]["no_document"] == 2
    wide = client.post(
        "/api/v1/reconciliations", headers=rv, json={"date_from": "2023-01-01", "date_to": "2024-12-31"}
    ).json()
    assert wide["counts"]["no_document"] == 2 and wide["counts"]["matched"] == 1
