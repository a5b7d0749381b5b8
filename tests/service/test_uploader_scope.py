"""Uploaders upload and read the status of what THEY sent (README: "uploader (upload, read status)"), through
the API and the UI on SQLite and PostgreSQL: another uploader's documents are neither listed nor readable (404,
as if absent); the same bytes sent by two uploaders are visible to both; reviewers see everything. The routes
open to the uploader role are exactly the upload and status ones, so a new route cannot hand uploaders more."""

from __future__ import annotations

from fastapi.testclient import TestClient

from fapiao.service.keys import create_key
from tests.helpers.routes import app_routes, required_role
from tests.helpers.service import xml
from tests.service.conftest import make_key

UPLOADER_ROUTES = {
    ("POST", "/api/v1/documents"),
    ("GET", "/api/v1/documents"),
    ("GET", "/api/v1/documents/{doc_id}"),
    ("GET", "/ui/upload"),
    ("POST", "/ui/upload"),
    ("GET", "/ui/documents/{doc_id}"),
}


def _upload(client: TestClient, h: dict, name: str, data: bytes) -> str:
    resp = client.post("/api/v1/documents", headers=h, files=[("files", (name, data, "application/xml"))])
    assert resp.status_code == 202, resp.text
    return resp.json()["documents"][0]["id"]


def test_uploaders_see_only_their_own_documents(client: TestClient) -> None:
    a, b, rv = make_key(client, "uploader"), make_key(client, "uploader"), make_key(client, "reviewer")
    doc_a = _upload(client, a, "a.xml", xml("24310000000000000001", "100.00", "6.00"))
    doc_b = _upload(client, b, "b.xml", xml("24310000000000000002", "100.00", "6.00"))
    shared = xml("24310000000000000003", "100.00", "6.00")
    doc_c = _upload(client, a, "c.xml", shared)
    assert _upload(client, b, "c-again.xml", shared) == doc_c  # one document, sent by both

    def listed(h: dict, **params) -> set[str]:
        return {d["id"] for d in client.get("/api/v1/documents", headers=h, params=params).json()["documents"]}

    assert listed(a) == {doc_a, doc_c} and listed(b) == {doc_b, doc_c}
    assert listed(rv) == {doc_a, doc_b, doc_c}
    assert listed(a, status="queued") | listed(a, status="done") | listed(a, status="processing") <= {doc_a, doc_c}
    assert client.get("/api/v1/documents", headers=a).json()["total"] == 2
    for h, own, other in ((a, doc_a, doc_b), (b, doc_b, doc_a)):
        assert client.get(f"/api/v1/documents/{own}", headers=h).status_code == 200
        theirs = client.get(f"/api/v1/documents/{other}", headers=h)
        assert theirs.status_code == 404 and other in theirs.json()["detail"], theirs.text
        assert client.get(f"/api/v1/documents/{other}/original", headers=h).status_code == 403
    assert client.get(f"/api/v1/documents/{doc_b}", headers=rv).status_code == 200

    # the UI's status route, with an uploader's session
    key = create_key(client.app.state.ctx, "uploader", "ui-uploader")
    assert client.post("/ui/login", data={"key": key}, follow_redirects=False).status_code == 303
    assert client.get(f"/ui/documents/{doc_a}", headers={"Accept": "application/json"}).status_code == 404
    mine = client.post("/ui/upload", files=[("files", ("d.xml", xml("24310000000000000004", "1.00", "0.06")))])
    doc_d = mine.json()["documents"][0]["id"]
    assert client.get(f"/ui/documents/{doc_d}", headers={"Accept": "application/json"}).status_code == 200
    assert doc_d not in listed(a) and doc_d in listed(rv)


def test_the_uploader_role_opens_only_the_upload_and_status_routes(client: TestClient) -> None:
    opened = {
        (m, p)
        for m, p, r in app_routes(client, ui=False) + app_routes(client, ui=True)
        if required_role(r) == "uploader"
    }
    assert opened == UPLOADER_ROUTES
