"""The UI's login session: signed cookie, roles, tampering, revocation, logout."""

from __future__ import annotations

import stat
import time

from fastapi.testclient import TestClient
from sqlalchemy import update

from fapiao.api.ui import session
from fapiao.service.keys import hash_key
from fapiao.storage.db import session_scope
from fapiao.storage.service_tables import ApiKey
from tests.ui.conftest import new_key


def _login(client: TestClient, key: str, next: str = "") -> object:
    return client.post("/ui/login", data={"key": key, "next": next})


def test_sign_and_verify_round_trip_and_reject_forgeries() -> None:
    secret, other = b"s" * 32, b"o" * 32
    cookie = session.sign(secret, "ab" * 32, now=1000)
    assert session.verify(secret, cookie, now=1001) == "ab" * 32
    assert session.verify(other, cookie, now=1001) is None  # another installation's secret
    assert session.verify(secret, cookie, now=1000 + session.MAX_AGE_S + 1) is None  # expired
    payload, _, mac = cookie.rpartition(".")
    forged = payload.replace("ab", "cd", 1) + "." + mac  # another key's hash under the old signature
    assert session.verify(secret, forged, now=1001) is None
    for junk in (None, "", "v1", "v1.x.y.z", cookie + "0", "x" * 1000):
        assert session.verify(secret, junk, now=1001) is None


def test_secret_is_made_once_with_owner_only_permissions(tmp_path) -> None:
    session.load_secret.cache_clear()
    first = session.load_secret(tmp_path)
    session.load_secret.cache_clear()
    assert session.load_secret(tmp_path) == first and len(first) == 32
    mode = stat.S_IMODE((tmp_path / session.SECRET_FILE).stat().st_mode)
    assert mode == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [session.SECRET_FILE]  # no temporary file left behind


def test_login_sets_a_signed_httponly_strict_cookie_and_opens_the_queue(client: TestClient) -> None:
    assert client.get("/ui/").headers["location"].startswith("/ui/login?next=")
    resp = _login(client, new_key(client, "reviewer"), next="/ui/?status=verified")
    assert resp.status_code == 303 and resp.headers["location"] == "/ui/?status=verified"
    header = resp.headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=strict" in header and "secure" in header and "path=/ui" in header
    cookie = client.cookies.get(session.COOKIE)
    assert cookie and "fp_" not in cookie  # the key itself never goes into the cookie
    page = client.get("/ui/")
    assert page.status_code == 200 and "待复核队列" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_wrong_key_is_refused_and_open_redirects_are_not_followed(client: TestClient) -> None:
    resp = _login(client, "fp_not-a-key")
    assert resp.status_code == 401 and session.COOKIE not in client.cookies and "密钥无效" in resp.text
    resp = _login(client, new_key(client, "reviewer"), next="//evil.example/ui")
    assert resp.headers["location"] == "/ui/"


def test_tampered_cookie_is_rejected(client: TestClient) -> None:
    _login(client, new_key(client, "reviewer"))
    good = client.cookies.get(session.COOKIE)
    payload, _, mac = good.rpartition(".")
    client.cookies.set(session.COOKIE, payload + "." + ("0" if mac[0] != "0" else "1") + mac[1:], path="/ui")
    assert client.get("/ui/").status_code == 303
    # A valid signature over the hash of an admin key it never saw is impossible without the secret:
    admin_hash = hash_key(new_key(client, "admin"))
    client.cookies.set(session.COOKIE, f"v1.{admin_hash}.{int(time.time())}.{mac}", path="/ui")
    assert client.get("/ui/").status_code == 303


def test_uploader_may_upload_but_not_open_the_queue_or_review(client: TestClient) -> None:
    resp = _login(client, new_key(client, "uploader"), next="/ui/")
    assert resp.headers["location"] == "/ui/upload"
    assert client.get("/ui/upload").status_code == 200
    queue = client.get("/ui/")
    assert queue.status_code == 403 and "reviewer" in queue.text
    assert client.get("/ui/invoices/1").status_code == 403
    edit = client.post("/ui/invoices/1/fields", json={"version": 1, "fields": {"seller_name": "x"}})
    assert edit.status_code == 403 and edit.headers["content-type"].startswith("application/problem+json")


def test_revoking_the_key_ends_the_session_and_logout_clears_it(client: TestClient) -> None:
    key = new_key(client, "reviewer")
    _login(client, key)
    assert client.get("/ui/").status_code == 200
    client.post("/ui/logout")
    assert session.COOKIE not in client.cookies and client.get("/ui/").status_code == 303
    _login(client, key)
    with session_scope(client.app.state.ctx.sessions) as s:
        s.execute(update(ApiKey).values(revoked_at=ApiKey.created_at))
    assert client.get("/ui/").status_code == 303


def test_cross_site_posts_are_refused(client: TestClient) -> None:
    _login(client, new_key(client, "reviewer"))
    resp = client.post(
        "/ui/invoices/1/review",
        json={"version": 1, "decision": "confirmed"},
        headers={"Origin": "https://evil.example"},
    )
    assert resp.status_code == 403


def test_english_switch_is_remembered(client: TestClient) -> None:
    _login(client, new_key(client, "reviewer"))
    assert "Review queue" in client.get("/ui/?lang=en").text
    assert "Review queue" in client.get("/ui/").text
    assert "待复核队列" in client.get("/ui/?lang=zh").text
