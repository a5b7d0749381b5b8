"""The HTTP API end to end: upload → durable job → processing → status and invoices; auth; review."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from fapiao.storage.db import session_scope
from fapiao.storage.service_tables import AuditEntry, Document
from tests.helpers.service import PDF, wait_done
from tests.service.conftest import make_key


def test_upload_is_stored_before_202_and_processed(client: TestClient) -> None:
    up = make_key(client, "uploader")
    resp = client.post("/api/v1/documents", headers=up, files=[("files", ("a.pdf", PDF, "application/pdf"))])
    assert resp.status_code == 202
    (doc,) = resp.json()["documents"]
    assert set(doc) >= {"id", "sha256", "status"} and doc["status"] in {"queued", "processing", "done"}
    ctx = client.app.state.ctx
    assert ctx.blobs.get(doc["sha256"]) == PDF  # the original is on disk
    body = wait_done(client, doc["id"], up)
    assert body["status"] == "done" and body["error"] is None
    (inv,) = body["invoices"]
    assert inv["status"] == "verified" and inv["invoice"]["invoice_number"] == "12345678"
    assert inv["invoice"]["amount_with_tax"] == "95.40" and inv["fields"]["seller_tax_id"]["bbox"]


def test_same_content_twice_is_one_document(client: TestClient) -> None:
    up = make_key(client, "uploader")
    first = client.post("/api/v1/documents", headers=up, files=[("files", ("a.pdf", PDF, "application/pdf"))]).json()
    again = client.post("/api/v1/documents", headers=up, files=[("files", ("copy.pdf", PDF, "application/pdf"))]).json()
    assert first["documents"][0]["id"] == again["documents"][0]["id"] and again["documents"][0]["duplicate"] is True
    with session_scope(client.app.state.ctx.sessions) as s:
        assert len(s.scalars(select(Document)).all()) == 1


def test_many_files_in_one_upload_and_a_bad_one_among_them(client: TestClient) -> None:
    up = make_key(client, "uploader")
    files = [
        ("files", ("a.pdf", PDF, "application/pdf")),
        ("files", ("notes.txt", b"hello", "text/plain")),
        ("files", ("empty.pdf", b"", "application/pdf")),
    ]
    resp = client.post("/api/v1/documents", headers=up, files=files)
    assert resp.status_code == 202  # the good file is accepted; the bad ones are refused beside it
    docs = resp.json()["documents"]
    assert [d["status"] for d in docs][1:] == ["rejected", "rejected"] and "empty" in docs[2]["error"]
    assert docs[1]["id"] is None and "notes.txt" in docs[1]["error"] and docs[1]["code"] == "unsupported_format"
    assert wait_done(client, docs[0]["id"], up)["status"] == "done"
    with session_scope(client.app.state.ctx.sessions) as s:
        assert [d.filename for d in s.scalars(select(Document))] == ["a.pdf"]  # nothing stored for the refused


def test_a_file_of_a_type_not_accepted_is_refused_at_upload_with_415(client: TestClient) -> None:
    """GIVEN files whose bytes are no accepted type (text, a Word zip) WHEN uploaded THEN 415 with a problem
    document naming each file, what is wrong and what to do, and nothing is stored or queued."""
    up = make_key(client, "uploader")
    files = [
        ("files", ("notes.txt", b"hello", "text/plain")),
        ("files", ("invoice.pdf", b"PK\x03\x04junk", "application/pdf")),
    ]
    resp = client.post("/api/v1/documents", headers=up, files=files)
    assert resp.status_code == 415 and resp.headers["content-type"].startswith("application/problem+json")
    body = resp.json()
    assert "notes.txt" in body["detail"] and "invoice.pdf" in body["detail"] and "not a PDF" in body["detail"]
    assert "PDF" in body["hint"] and [d["code"] for d in body["documents"]] == ["unsupported_format"] * 2
    assert [p for p in client.app.state.ctx.blobs.root.rglob("*") if p.is_file()] == []
    with session_scope(client.app.state.ctx.sessions) as s:
        assert s.scalars(select(Document)).all() == []


def test_drop_folder_moves_a_file_of_a_type_not_accepted_to_failed_with_a_reason(client: TestClient) -> None:
    from fapiao.service.dropfolder import DropFolder

    ctx = client.app.state.ctx
    drop = DropFolder(ctx, ctx.settings.data_dir / "drop-test")
    (drop.inbox / "notes.txt").write_text("hello")
    (drop.inbox / "a.pdf").write_bytes(PDF)
    drop.scan()
    accepted = drop.scan()
    assert len(accepted) == 1 and not (drop.inbox / "notes.txt").exists()
    assert (drop.failed / "notes.txt").read_text() == "hello"
    reason = (drop.failed / "notes.txt.reason.txt").read_text(encoding="utf-8")
    assert "notes.txt" in reason and "not a PDF" in reason and "upload the invoice file itself" in reason
    with session_scope(ctx.sessions) as s:
        assert [d.filename for d in s.scalars(select(Document))] == ["a.pdf"]


def test_every_route_but_health_needs_a_key_with_the_right_role(client: TestClient) -> None:
    assert client.get("/health").status_code == 200
    resp = client.get("/api/v1/documents")
    assert resp.status_code == 401 and resp.headers["content-type"].startswith("application/problem+json")
    assert "Bearer" in resp.json()["hint"]
    assert client.get("/api/v1/documents", headers={"Authorization": "Bearer nope"}).status_code == 401
    up = make_key(client, "uploader")
    assert client.get("/api/v1/invoices", headers=up).status_code == 403
    assert client.get("/api/v1/invoices", headers=make_key(client, "reviewer")).status_code == 200
    assert client.get("/api/v1/invoices", headers=make_key(client, "admin")).status_code == 200


def test_reviewer_edits_rerun_the_rules_are_audited_and_stale_versions_conflict(client: TestClient) -> None:
    up, rev = make_key(client, "uploader"), make_key(client, "reviewer")
    doc = client.post("/api/v1/documents", headers=up, files=[("files", ("a.pdf", PDF, "application/pdf"))]).json()
    wait_done(client, doc["documents"][0]["id"], up)
    (listed,) = client.get("/api/v1/invoices", headers=rev).json()["invoices"]
    inv_id, version = listed["id"], listed["version"]
    # A wrong total: the rules must catch it at once.
    edited = client.patch(
        f"/api/v1/invoices/{inv_id}", headers=rev, json={"version": version, "fields": {"total_tax": "5.41"}}
    )
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert body["status"] == "needs_review" and body["fields"]["total_tax"]["source"] == "reviewer"
    assert any(f["code"].startswith("arith.") for f in body["findings"])
    stale = client.patch(
        f"/api/v1/invoices/{inv_id}", headers=rev, json={"version": version, "fields": {"total_tax": "5.40"}}
    )
    assert stale.status_code == 409 and "reload" in stale.json()["hint"]
    fixed = client.patch(
        f"/api/v1/invoices/{inv_id}", headers=rev, json={"version": body["version"], "fields": {"total_tax": "5.40"}}
    ).json()
    assert fixed["status"] == "verified"
    confirmed = client.post(
        f"/api/v1/invoices/{inv_id}/confirm", headers=rev, json={"version": fixed["version"]}
    ).json()
    assert confirmed["review"] == "confirmed"
    history = client.get(f"/api/v1/invoices/{inv_id}", headers=rev).json()["history"]
    assert [(h["action"], h["field"], h["old"], h["new"]) for h in history] == [
        ("edit", "total_tax", "5.40", "5.41"),
        ("edit", "total_tax", "5.41", "5.40"),
        ("confirmed", "review", "pending", "confirmed"),
    ]
    assert all(h["actor"].startswith("test-reviewer") for h in history)
    bad = client.patch(
        f"/api/v1/invoices/{inv_id}", headers=rev, json={"version": confirmed["version"], "fields": {"nonsense": 1}}
    )
    assert bad.status_code == 422
    with session_scope(client.app.state.ctx.sessions) as s:
        assert len(s.scalars(select(AuditEntry)).all()) == 3


def test_metrics_count_documents(client: TestClient) -> None:
    up = make_key(client, "uploader")
    doc = client.post("/api/v1/documents", headers=up, files=[("files", ("a.pdf", PDF, "application/pdf"))]).json()
    wait_done(client, doc["documents"][0]["id"], up)
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=up).status_code == 403
    text = client.get("/metrics", headers=make_key(client, "admin")).text
    assert 'fapiao_documents{status="done"} 1.0' in text


@pytest.mark.slow  # the OCR models read the page
def test_page_images_for_review(settings) -> None:
    import io

    import numpy as np
    import pymupdf
    from PIL import Image

    from fapiao.api.app import create_app

    with TestClient(create_app(settings.model_copy(update={"ocr": True}))) as client:
        _check_page_images(client, io, np, pymupdf, Image)


def _check_page_images(client, io, np, pymupdf, Image) -> None:
    up, rev = make_key(client, "uploader"), make_key(client, "reviewer")
    scan = (Path(__file__).resolve().parents[2] / "samples" / "examples" / "digital_normal.png").read_bytes()
    docs = client.post(
        "/api/v1/documents",
        headers=up,
        files=[("files", ("a.pdf", PDF, "application/pdf")), ("files", ("scan.png", scan, "image/png"))],
    ).json()
    for d in docs["documents"]:
        wait_done(client, d["id"], up)
    invoices = {i["document_id"]: i for i in client.get("/api/v1/invoices", headers=rev).json()["invoices"]}
    pdf_inv, scan_inv = (invoices[d["id"]] for d in docs["documents"])
    resp = client.get(f"/api/v1/invoices/{pdf_inv['id']}/pages/1", headers=rev)
    assert resp.status_code == 200 and resp.headers["content-type"] == "image/png"
    assert abs(float(resp.headers["x-bbox-scale"]) - 150 / 72) < 1e-5
    w, h = Image.open(io.BytesIO(resp.content)).size
    assert abs(w - 680 * 150 / 72) <= 1 and abs(h - 400 * 150 / 72) <= 1
    resp = client.get(f"/api/v1/invoices/{scan_inv['id']}/pages/1", headers=rev)
    assert resp.status_code == 200 and float(resp.headers["x-bbox-scale"]) == 1.0
    img = np.asarray(Image.open(io.BytesIO(resp.content)))
    detail = client.get(f"/api/v1/invoices/{scan_inv['id']}", headers=rev).json()
    x0, y0, x1, y1 = detail["fields"]["invoice_number"]["bbox"]
    assert 0 <= x0 < x1 <= img.shape[1] and 0 <= y0 < y1 <= img.shape[0]
    assert img[int(y0) : int(y1) + 1, int(x0) : int(x1) + 1].min() < 128  # the box sits on dark print
    assert client.get(f"/api/v1/invoices/{pdf_inv['id']}/pages/9", headers=rev).status_code == 404


def test_an_unexpected_error_is_a_500_problem_without_traceback_and_is_logged(settings, caplog) -> None:
    """GIVEN a route that fails with an exception no handler knows WHEN called THEN a JSON problem document with
    status 500 and a hint, no traceback in the body, and the traceback in the server log."""
    from fapiao.api.app import create_app

    app = create_app(settings, background=False)

    @app.get("/api/v1/boom")
    def boom() -> dict:
        raise RuntimeError("secret internals at /srv/fapiao")

    with TestClient(app, raise_server_exceptions=False) as client:
        resp = client.get("/api/v1/boom")
    assert resp.status_code == 500 and resp.headers["content-type"].startswith("application/problem+json")
    body = resp.json()
    assert body["status"] == 500 and body["hint"] and "secret" not in resp.text and "Traceback" not in resp.text
    assert any(
        "secret internals" in (r.exc_text or "") or (r.exc_info and "secret" in str(r.exc_info[1]))
        for r in caplog.records
    )


def test_404s_say_what_to_do(client: TestClient) -> None:
    up, rev = make_key(client, "uploader"), make_key(client, "reviewer")
    for path, key in (
        ("/api/v1/invoices/999999", rev),
        ("/api/v1/documents/nope/original", rev),
        ("/api/v1/documents/nope", up),
        ("/api/v1/no-such-route", up),
    ):
        resp = client.get(path, headers=key)
        assert resp.status_code == 404 and resp.json()["hint"], (path, resp.text)
