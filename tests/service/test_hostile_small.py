"""Smaller hostile requests, on SQLite and PostgreSQL: over-long query values are a clear 422, not a 500; a file
name with a line break is served with an RFC 6266 Content-Disposition; back-fill folder refusals do not tell
whether a server path exists; a UI session cookie no longer works after logout."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from fapiao.storage.db import session_scope
from fapiao.storage.service_tables import Document
from tests.helpers.service import wait_done as _wait_done
from tests.helpers.service import xml
from tests.service.conftest import make_key


def test_over_long_query_values_are_refused_clearly(client: TestClient) -> None:
    rv = make_key(client, "reviewer")
    long = "x" * 60_000
    for param in ("q", "seller", "status", "review"):
        resp = client.get("/api/v1/invoices", headers=rv, params={param: long})
        assert resp.status_code == 422 and resp.headers["content-type"].startswith("application/problem+json"), (
            param,
            resp.status_code,
        )
    assert client.get("/api/v1/invoices", headers=rv, params={"q": "某" * 200}).status_code == 200


def test_a_file_name_with_a_line_break_is_served_with_an_encoded_disposition(client: TestClient) -> None:
    up, rv = make_key(client, "uploader"), make_key(client, "reviewer")
    name = "发票\r\nSet-Cookie: x=1\n2024.xml"
    doc = client.post(
        "/api/v1/documents",
        headers=up,
        files=[("files", ("placeholder.xml", xml("24310000000000000009", "1.00", "0.06")))],
    ).json()["documents"][0]
    with session_scope(client.app.state.ctx.sessions) as s:  # the drop folder and back-fills keep such names
        s.get(Document, doc["id"]).filename = name
    _wait_done(client, doc["id"], up)
    got = client.get(f"/api/v1/documents/{doc['id']}/original", headers=rv)
    assert got.status_code == 200, got.text[:200]
    cd = got.headers["content-disposition"]
    assert cd.startswith(f'attachment; filename="{doc["sha256"]}"') and "\n" not in cd and "\r" not in cd
    assert "filename*=UTF-8''%E5%8F%91%E7%A5%A8%0D%0ASet-Cookie%3A%20x%3D1%0A2024.xml" in cd
    assert "set-cookie" not in got.headers and got.headers["x-original-filename"].isascii()
    assert "\n" not in got.headers["x-original-filename"]


def test_a_session_cookie_is_dead_after_logout(client: TestClient) -> None:
    from fapiao.service.keys import create_key

    key = create_key(client.app.state.ctx, "reviewer", "ui")
    login = client.post("/ui/login", data={"key": key}, follow_redirects=False)
    cookie = login.cookies["fapiao_session"]
    assert client.get("/ui/", follow_redirects=False).status_code == 200
    assert client.post("/ui/logout", follow_redirects=False).status_code == 303
    client.cookies.clear()
    stolen = {"Cookie": f"fapiao_session={cookie}"}  # a copy kept by someone else (or the browser's back button)
    assert client.get("/ui/", headers=stolen, follow_redirects=False).status_code == 303
    assert client.get("/ui/", headers=stolen | {"Accept": "application/json"}).status_code == 401
    assert client.post("/ui/upload", headers=stolen, files=[("files", ("a.xml", b"<a/>"))]).status_code == 401
    again = client.post("/ui/login", data={"key": key}, follow_redirects=False)  # the key itself still works
    assert (
        client.get("/ui/", headers={"Cookie": f"fapiao_session={again.cookies['fapiao_session']}"}).status_code == 200
    )


def test_back_fill_folder_refusals_do_not_tell_whether_a_path_exists(client: TestClient, tmp_path: Path) -> None:
    rv = make_key(client, "reviewer")
    answers = set()
    for folder in ("/etc", "/etc/passwd", "/no/such/folder", str(tmp_path), str(tmp_path / "missing"), "/root"):
        resp = client.post("/api/v1/backfills", headers=rv, data={"folder": folder})
        body = resp.json()
        answers.add((resp.status_code, body["detail"].replace(folder, "<folder>"), body.get("hint")))
    assert len(answers) == 1, answers
    root = client.app.state.ctx.settings.allowed_backfill_roots[0]
    inside = client.post("/api/v1/backfills", headers=rv, data={"folder": str(root / "not-yet")})
    assert inside.status_code in (403, 422) and "no such folder" in inside.json()["detail"]  # inside: may say so


def test_a_file_uploaded_again_under_another_batch_belongs_to_both(client: TestClient) -> None:
    up, rv = make_key(client, "uploader"), make_key(client, "reviewer")
    data = xml("24310000000000000077", "100.00", "6.00")
    first = client.post("/api/v1/documents?batch=march", headers=up, files=[("files", ("a.xml", data))]).json()
    again = client.post("/api/v1/documents?batch=april", headers=up, files=[("files", ("a.xml", data))]).json()
    doc = first["documents"][0]["id"]
    assert again["documents"][0]["id"] == doc and again["documents"][0]["duplicate"]
    _wait_done(client, doc, up)
    for batch in ("march", "april"):
        docs = client.get("/api/v1/documents", headers=rv, params={"batch": batch}).json()["documents"]
        assert [d["id"] for d in docs] == [doc], batch
        invoices = client.get("/api/v1/invoices", headers=rv, params={"batch": batch}).json()["invoices"]
        assert len(invoices) == 1, batch
        run = client.post("/api/v1/reconciliations", headers=rv, json={"batch": batch}).json()
        assert run["documents"] == 1, (batch, run)
    from fapiao.service.queries import batch_progress, known_batches

    with session_scope(client.app.state.ctx.sessions) as s:
        assert set(known_batches(s)) == {"march", "april"}
        assert batch_progress(s, "april") == {"done": 1}
    page = client.get("/ui/batches/april", cookies=_ui_cookie(client))
    assert page.status_code == 200 and "a.xml" in page.text


def _ui_cookie(client: TestClient) -> dict:
    from fapiao.service.keys import create_key

    resp = client.post("/ui/login", data={"key": create_key(client.app.state.ctx, "reviewer")}, follow_redirects=False)
    return {"fapiao_session": resp.cookies["fapiao_session"]}
