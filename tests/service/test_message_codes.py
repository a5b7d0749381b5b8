"""Messages a person reads carry a stable code and parameters beside their English text, in the API and in
the database (SQLite and PostgreSQL), so a client in another language words them without parsing English."""

from __future__ import annotations

import pymupdf
from fastapi.testclient import TestClient
from sqlalchemy import select

from fapiao.storage.db import session_scope
from fapiao.storage.matching_tables import ImportRowError
from fapiao.storage.service_tables import Document
from tests.helpers.service import bureau_export, import_records, wait_done
from tests.service.conftest import make_key


def test_upload_refusals_carry_the_code_beside_the_text(client: TestClient) -> None:
    up = make_key(client, "uploader")
    files = [("files", ("empty.pdf", b"", "application/pdf")), ("files", ("notes.txt", b"hello", "text/plain"))]
    body = client.post("/api/v1/documents", headers=up, files=files).json()
    empty, notes = body["documents"]
    assert empty["error"] == "empty.pdf: the file is empty — check that the upload finished"  # as before
    assert empty["code"] == "unsupported_format"  # the kind of error, as before
    assert empty["error_code"] == "file_empty" and empty["error_params"] == {"name": "empty.pdf"}
    assert notes["error_code"] == "file_unknown_type" and notes["error_params"] == {"name": "notes.txt"}


def test_a_problem_document_carries_the_message_code(client: TestClient) -> None:
    h = make_key(client, "reviewer")
    resp = client.post("/api/v1/records/imports", headers=h, files={"file": ("r.csv", b"", "text/csv")})
    body = resp.json()
    assert resp.status_code == 422 and body["detail"] == "r.csv: the file is empty"
    assert body["error_code"] == "file_empty" and body["error_params"] == {"name": "r.csv"}
    missing = client.get("/api/v1/drafts/99", headers=h).json()
    assert "error_code" not in missing  # an error without a coded message has no code


def test_a_failed_document_stores_its_message_code_and_parameters(client: TestClient) -> None:
    up = make_key(client, "uploader")
    pdf = pymupdf.open()
    pdf.new_page()
    locked = pdf.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="u", owner_pw="o")
    sent = client.post("/api/v1/documents", headers=up, files=[("files", ("locked.pdf", locked, "application/pdf"))])
    doc = wait_done(client, sent.json()["documents"][0]["id"], up)
    assert doc["status"] == "failed" and doc["error_code"] == "pdf_encrypted"
    assert doc["error_params"] == {"name": "locked.pdf"} and "password-protected" in doc["error"]
    listed = client.get("/api/v1/documents", headers=make_key(client, "reviewer")).json()["documents"]
    assert listed[0]["error_code"] == "pdf_encrypted"
    with session_scope(client.app.state.ctx.sessions) as s:
        row = s.scalars(select(Document)).one()
        assert (row.error_code, row.error_params) == ("pdf_encrypted", {"name": "locked.pdf"})


def test_bad_rows_of_a_records_import_store_their_reason_code(client: TestClient) -> None:
    h = make_key(client, "reviewer")
    data = bureau_export(["24310000000000000001", "24310000000000000001"]).replace(b"2024-03-08", b"someday", 1)
    run = import_records(client, h, data)
    with session_scope(client.app.state.ctx.sessions) as s:
        rows = [(e.row, e.reason, e.reason_code, e.reason_params) for e in s.scalars(select(ImportRowError))]
    assert rows == [(2, "'someday' is not a date", "not_a_date", {"value": "someday"})]
    got = client.get(f"/api/v1/records/imports/{run['id']}", headers=h).json()["errors"]
    assert got == [
        {
            "row": 2,
            "column": "开票日期",
            "reason": "'someday' is not a date",
            "reason_code": "not_a_date",
            "reason_params": {"value": "someday"},
        }
    ]
    preview = client.post(
        "/api/v1/records/imports",
        headers=h,
        files={"file": ("r.csv", bureau_export(["24310000000000000002"] * 2), "text/csv")},
        data={"preview": "true"},
    ).json()
    assert [(e["row"], e["reason_code"], e["reason_params"]) for e in preview["errors"]] == [
        (3, "row_repeated", {"key": "24310000000000000002", "first": 2})
    ]
