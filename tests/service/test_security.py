"""Security, walking the app's own routes so that a new route cannot be forgotten: every /api/v1 route (and
/metrics) answers 401 without a key and 403 with a too-low role; every /ui page redirects to the login page
(or answers 401 to scripts) without a session and 403 with a too-low role; nothing outside the data
directory can be read (blob paths, back-fill folders and links in them); originals are served so that no
browser renders them; API keys appear in no log and in no table."""

from __future__ import annotations

import logging
import re
import threading
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from fapiao.api.app import create_app
from fapiao.service.keys import ROLES, create_key, hash_key
from fapiao.storage.db import Base, session_scope
from fapiao.storage.service_tables import ApiKey
from tests.builders import OLD_LABELS, OLD_VALUES, placed_pdf
from tests.helpers.pg import drop_schema
from tests.helpers.processes import served
from tests.helpers.routes import app_routes, required_role
from tests.helpers.service import wait_backfill, wait_done, xml
from tests.service.conftest import make_key

PDF = placed_pdf(OLD_LABELS, OLD_VALUES)
PUBLIC_API = {("GET", "/health")}
PUBLIC_UI = {("GET", "/ui/login"), ("POST", "/ui/login"), ("POST", "/ui/logout")}


def _url(path: str) -> str:
    """A concrete URL for a route path: every parameter a plausible value."""
    return re.sub(
        r"\{([^}:]+)(?::path)?\}",
        lambda m: {"name": "reconciliation.xlsx", "fmt": "csv", "table": "months", "action": "confirm"}.get(m[1], "1"),
        path,
    )


def _below(role: str) -> str | None:
    i = ROLES.index(role)
    return ROLES[i - 1] if i else None


def test_every_api_route_checks_its_role(client: TestClient) -> None:
    keys = {role: make_key(client, role) for role in ROLES}
    routes = app_routes(client, ui=False)
    api = [(m, p, r) for m, p, r in routes if p.startswith("/api/v1") or p == "/metrics"]
    assert len(api) >= 40  # the walk found the routers (documents … drafts, backfills, search, stats)
    unprotected = [
        (m, p)
        for m, p, r in routes
        if required_role(r) is None and (m, p) not in PUBLIC_API and p.startswith(("/api", "/metrics"))
    ]
    assert unprotected == []
    documented = client.get("/openapi.json").json()["paths"]
    for method, path, route in api:
        role = required_role(route)
        url = _url(path)
        op = documented[path][method.lower()]
        assert {"401", "403"} <= set(op["responses"]), (method, path)  # every error documented as problem JSON
        anon = client.request(method, url)
        assert anon.status_code == 401 and anon.headers["www-authenticate"] == "Bearer", (
            method,
            path,
            anon.status_code,
        )
        assert anon.headers["content-type"].startswith("application/problem+json")
        wrong = client.request(method, url, headers={"Authorization": "Bearer fp_not-a-key"})
        assert wrong.status_code == 401, (method, path)
        if _below(role):
            low = client.request(method, url, headers=keys[_below(role)])
            assert low.status_code == 403 and role in low.json()["detail"], (method, path, low.status_code)
        ok = client.request(method, url, headers=keys[role])
        assert ok.status_code not in (401, 403), (method, path, ok.status_code, ok.text[:200])
    assert client.get("/health").status_code == 200


def _login(client: TestClient, role: str) -> httpx.Cookies:
    key = make_key(client, role)["Authorization"].split()[1]
    resp = client.post("/ui/login", data={"key": key}, follow_redirects=False)
    assert resp.status_code == 303
    return resp.cookies


def test_every_ui_route_needs_a_session_with_the_right_role(client: TestClient) -> None:
    routes = app_routes(client, ui=True)
    assert len(routes) >= 20
    unprotected = [(m, p) for m, p, r in routes if required_role(r) is None and (m, p) not in PUBLIC_UI]
    assert unprotected == []
    sessions = {role: _login(client, role) for role in ROLES}

    def as_(jar, method: str, url: str):
        client.cookies.clear()
        client.cookies.update(jar)
        return client.request(method, url, follow_redirects=False)

    for method, path, route in routes:
        if (method, path) in PUBLIC_UI:
            continue
        role, url = required_role(route), _url(path)
        anon = as_({}, method, url)
        if method == "GET":
            assert anon.status_code == 303 and anon.headers["location"].startswith("/ui/login?next="), (
                path,
                anon.status_code,
            )
        else:
            assert anon.status_code == 401, (method, path, anon.status_code)
        forged = as_({"fapiao_session": "x" * 40}, method, url)
        assert forged.status_code in (303, 401), (method, path, forged.status_code)
        if _below(role):
            low = as_(sessions[_below(role)], method, url)
            assert low.status_code == 403, (method, path, low.status_code)
        ok = as_(sessions[role], method, url)
        assert ok.status_code not in (401, 403) and not (
            ok.status_code == 303 and "/ui/login" in ok.headers.get("location", "")
        ), (method, path, ok.status_code)
    client.cookies.clear()


def test_nothing_outside_the_data_directory_can_be_read(client: TestClient, tmp_path: Path) -> None:
    rv = make_key(client, "reviewer")
    blobs = client.app.state.ctx.blobs
    for bad in ("../../../etc/passwd", "/etc/passwd", "A" * 64, "0" * 63, "../" + "0" * 61):
        with pytest.raises(ValueError):
            blobs.path(bad)
    for doc_id in ("..%2F..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "....//....//etc//passwd"):
        assert client.get(f"/api/v1/documents/{doc_id}/original", headers=rv).status_code == 404
    # the decoded slashes leave no route to match; a plain unknown name is refused by the route (one of three)
    assert client.get("/api/v1/backfills/1/outputs/..%2F..%2Fetc%2Fpasswd", headers=rv).status_code == 404
    assert client.get("/api/v1/backfills/1/outputs/passwd", headers=rv).status_code == 422
    # Back-fill folders: only inside the roots, and links inside a root are not a way out.
    root = client.app.state.ctx.settings.allowed_backfill_roots[0]
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.xml"
    secret.write_bytes(xml("24360000000000000001", "10.00", "0.60"))
    folder = root / "links"
    folder.mkdir(parents=True)
    (root / "escape").symlink_to(outside, target_is_directory=True)
    assert client.post("/api/v1/backfills", headers=rv, data={"folder": str(root / "escape")}).status_code == 403
    (folder / "own.xml").write_bytes(xml("24360000000000000002", "10.00", "0.60"))
    (folder / "link.xml").symlink_to(secret)
    resp = client.post("/api/v1/backfills", headers=rv, data={"folder": str(folder)})
    assert resp.status_code == 202
    body = wait_backfill(client, rv, resp.json()["id"])
    assert body["status"] == "done" and body["accepted"] == 1 and body["refused"] == 1, body
    assert "link.xml" in body["refusals"][0]["name"] and "outside" in body["refusals"][0]["error"]
    docs = client.get("/api/v1/documents", headers=rv).json()["documents"]
    assert [d["filename"] for d in docs] == [str(folder / "own.xml")]


def test_originals_and_page_images_are_never_rendered_by_a_browser(client: TestClient) -> None:
    up, rv = make_key(client, "uploader"), make_key(client, "reviewer")
    doc = client.post("/api/v1/documents", headers=up, files=[("files", ("<script>.pdf", PDF, "text/html"))]).json()
    body = wait_done(client, doc["documents"][0]["id"], up)
    got = client.get(f"/api/v1/documents/{body['id']}/original", headers=rv)
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["content-disposition"].startswith(f'attachment; filename="{body["sha256"]}";')
    assert got.headers["x-content-type-options"] == "nosniff"
    page = client.get(f"/api/v1/invoices/{body['invoices'][0]['id']}/pages/1", headers=rv)
    assert page.headers["content-type"] == "image/png" and page.headers["x-content-type-options"] == "nosniff"


def test_api_keys_appear_in_no_log_and_no_table(settings, caplog: pytest.LogCaptureFixture) -> None:
    """A real HTTP server (uvicorn, access log on) in this process, every logger at DEBUG: keys are used,
    mistyped, sent to the login page and to routes that fail; their text is in no log record and no row."""
    caplog.set_level(logging.DEBUG)
    app = create_app(settings)
    with served(app) as base:
        ctx = app.state.ctx
        keys = [create_key(ctx, role, f"log-{role}") for role in ROLES]
        mistyped = keys[1][:-1] + ("A" if keys[1][-1] != "A" else "B")
        with httpx.Client(base_url=base, timeout=30) as http:
            for key in keys + [mistyped]:
                h = {"Authorization": f"Bearer {key}"}
                http.get("/api/v1/documents", headers=h)
                http.get("/api/v1/invoices/999999", headers=h)
                http.patch("/api/v1/drafts/1", headers=h, json={"version": 1, "fields": {"remarks": "x"}})
                http.post("/api/v1/documents", headers=h, files=[("files", ("a.pdf", PDF, "application/pdf"))])
                http.post("/ui/login", data={"key": key}, follow_redirects=False)
                http.get(f"/api/v1/documents?batch={key[:6]}", headers=h)
        with session_scope(ctx.sessions) as s:
            rows = s.scalars(select(ApiKey)).all()
            assert {r.key_hash for r in rows} >= {hash_key(k) for k in keys}
            dump = " ".join(
                str(tuple(row))
                for table in Base.metadata.sorted_tables
                for row in s.execute(text(f'SELECT * FROM "{table.name}"'))
            )
    logged = [r for r in caplog.records]
    assert any(r.name.startswith("uvicorn.access") for r in logged)  # the access log was on and captured
    text_logged = "\n".join(f"{r.getMessage()} {r.args!r} {getattr(r, 'exc_text', '') or ''}" for r in logged)
    for key in keys + [mistyped]:
        secret_part = key[10:]  # what follows the stored prefix
        assert secret_part not in text_logged and secret_part not in dump


@pytest.mark.slow
@pytest.mark.live
def test_configured_secrets_appear_in_no_log_and_no_response(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The database password, the broker password, the alert webhook's token and the UI session secret: a real
    server (uvicorn, access log, every logger at DEBUG) on PostgreSQL with a password in its URL (trust
    authentication ignores it), Celery over Redis with a password (`default` user, no password set: any is
    accepted) and a real worker, a webhook receiver that refuses (so the failure is logged) and then accepts.
    None of the four is in a log record, the worker's output or any response."""
    import os
    import uuid
    from http.server import BaseHTTPRequestHandler, HTTPServer

    import redis
    from sqlalchemy import create_engine

    from fapiao.core.settings import Settings
    from tests.helpers.processes import start_worker
    from tests.service.conftest import PG_URL

    db_pw, broker_pw, hook_token = f"dbpw{uuid.uuid4().hex}", f"brokerpw{uuid.uuid4().hex}", f"tok{uuid.uuid4().hex}"
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db_url = PG_URL.replace("postgres@", f"postgres:{db_pw}@") + f"?options=-csearch_path%3D{schema}"
    assert db_pw in db_url
    broker = f"redis://default:{broker_pw}@127.0.0.1:6379/14"
    redis.Redis.from_url(broker).flushdb()
    hits: list[str] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            hits.append(self.path)
            self.send_response(500 if len(hits) == 1 else 200)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    hook = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    hook_url = f"http://127.0.0.1:{hook.server_address[1]}/hook?token={hook_token}"
    data_dir = tmp_path / "data"
    settings = Settings(
        data_dir=data_dir,
        database_url=db_url,
        broker_url=broker,
        alert_webhook_url=hook_url,
        alert_interval_minutes=0.01,
        drop_folder=False,
        ocr=False,
        _env_file=None,
    )
    env = {
        **os.environ,
        "FAPIAO_BROKER_URL": broker,
        "FAPIAO_DATABASE_URL": db_url,
        "FAPIAO_DATA_DIR": str(data_dir),
        "FAPIAO_OCR": "false",
        "FAPIAO_DROP_FOLDER": "false",
        "FAPIAO_ALERT_WEBHOOK_URL": hook_url,
    }
    caplog.set_level(logging.DEBUG)
    app = create_app(settings)
    worker_log = tmp_path / "worker.log"
    answers: list[str] = []
    try:
        with served(app) as base:
            worker = start_worker(env, worker_log)
            try:
                ctx = app.state.ctx
                admin_key = create_key(ctx, "admin", "secrets-admin")
                h = {"Authorization": f"Bearer {admin_key}"}
                with httpx.Client(base_url=base, timeout=30) as http:

                    def keep(resp: httpx.Response) -> httpx.Response:
                        answers.append(f"{resp.status_code} {dict(resp.headers)!r} {resp.text}")
                        return resp

                    doc = keep(
                        http.post("/api/v1/documents", headers=h, files=[("files", ("a.pdf", PDF, "application/pdf"))])
                    )
                    doc_id = doc.json()["documents"][0]["id"]
                    deadline = time.monotonic() + 60
                    while keep(http.get(f"/api/v1/documents/{doc_id}", headers=h)).json()["status"] != "done":
                        assert time.monotonic() < deadline, "the worker did not process the upload"
                        time.sleep(0.2)
                    deadline = time.monotonic() + 30
                    while len(hits) < 2:  # refused once (logged), then posted
                        assert time.monotonic() < deadline, f"the webhook was called {len(hits)} times"
                        time.sleep(0.1)
                    for path in (
                        "/health",
                        "/metrics",
                        "/openapi.json",
                        "/api/v1/alerts",
                        "/api/v1/documents",
                        "/api/v1/stats",
                        "/api/v1/invoices/999999",
                        "/api/v1/backfills",
                    ):
                        keep(http.get(path, headers=h))
                    http.post("/ui/login", data={"key": admin_key}, follow_redirects=False)
                    for path in ("/ui", "/ui/alerts", "/ui/backfills", "/ui/records", "/ui/stats", "/ui/nowhere"):
                        keep(http.get(path))
            finally:
                os.killpg(worker.pid, 15)
                worker.wait(30)
    finally:
        hook.shutdown()
        drop_schema(admin, schema)
        admin.dispose()
    from fapiao.api.ui.session import SECRET_FILE

    session_secret = (data_dir.resolve() / SECRET_FILE).read_text().strip()
    assert hits[0] == f"/hook?token={hook_token}"  # the token was really configured and used
    logged = caplog.records
    assert any(r.name.startswith("uvicorn.access") for r in logged)
    assert any("alert webhook" in r.getMessage() for r in logged)  # the refusal was logged (without the token)
    text_logged = "\n".join(f"{r.getMessage()} {r.args!r} {getattr(r, 'exc_text', '') or ''}" for r in logged)
    worker_out = worker_log.read_text(errors="replace")
    assert "ready" in worker_out or "celery@" in worker_out, worker_out[-2000:]
    responses = "\n".join(answers)
    for name, secret in {
        "database password": db_pw,
        "broker password": broker_pw,
        "webhook token": hook_token,
        "UI session secret": session_secret,
    }.items():
        assert secret not in text_logged, f"the {name} is in the log"
        assert secret not in worker_out, f"the {name} is in the worker's output"
        assert secret not in responses, f"the {name} is in a response"
