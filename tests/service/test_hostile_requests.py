"""Hostile requests against a real server (uvicorn in a thread, raw sockets as the attacker), on SQLite and
PostgreSQL: a huge body without a key is answered 401 before it is read; a body larger than its route's limit
is answered 413 whether it declares its length or streams chunked without one; the memory the server uses for
such a request stays small."""

from __future__ import annotations

import select
import socket
import time
import tracemalloc

import httpx

from fapiao.api.app import create_app
from fapiao.core.settings import Settings
from fapiao.service.keys import create_key
from tests.builders import OLD_LABELS, OLD_VALUES, placed_pdf
from tests.helpers.processes import served

PDF = placed_pdf(OLD_LABELS, OLD_VALUES)

CHUNK = b"x" * 65536


PART = (
    b'--xyz\r\nContent-Disposition: form-data; name="files"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
)


def _attack(
    base: str, head: str, *, chunked: bool, budget: int, timeout: float = 20, first: bytes = b""
) -> tuple[int, int, float]:
    """Send ``head`` then body bytes (raw or chunked) until the server answers or ``budget`` bytes are sent.
    Returns (status, bytes of body sent, seconds to the answer)."""
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=timeout)
    start = time.monotonic()
    sent = 0
    try:
        sock.sendall(head.encode("latin-1"))
        if first:
            sock.sendall((b"%x\r\n" % len(first)) + first + b"\r\n" if chunked else first)
        while sent < budget and time.monotonic() - start < timeout:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            piece = (b"%x\r\n" % len(CHUNK)) + CHUNK + b"\r\n" if chunked else CHUNK
            try:
                sock.sendall(piece)
            except OSError:  # the server answered and closed: read the answer
                break
            sent += len(CHUNK)
        sock.settimeout(timeout)
        answer = b""
        while b"\r\n" not in answer:
            got = sock.recv(4096)
            if not got:
                break
            answer += got
        return int(answer.split(b" ", 2)[1]), sent, time.monotonic() - start
    finally:
        sock.close()


def _head(method: str, path: str, headers: dict[str, str]) -> str:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"] + [f"{k}: {v}" for k, v in headers.items()]
    return "\r\n".join(lines) + "\r\n\r\n"


def test_huge_bodies_without_a_key_are_refused_before_they_are_read(settings: Settings) -> None:
    app = create_app(settings)
    with served(app) as base:
        gib = 1024**3
        for path, ctype, size in [
            ("/api/v1/reconciliations", "application/json", gib),
            ("/api/v1/documents", "multipart/form-data; boundary=xyz", 2 * gib),
            ("/api/v1/backfills", "multipart/form-data; boundary=xyz", 2 * gib),
        ]:
            for auth in ({}, {"Authorization": "Bearer fp_not-a-key"}):
                head = _head("POST", path, {"Content-Type": ctype, "Content-Length": str(size)} | auth)
                status, sent, took = _attack(base, head, chunked=False, budget=64 * 1024 * 1024)
                assert status == 401, (path, auth, status)
                assert sent < 8 * 1024 * 1024 and took < 5, (path, sent, took)  # answered at once, body unread
        # a session-less UI post is refused the same way
        head = _head("POST", "/ui/records/preview", {"Content-Type": "multipart/form-data; boundary=x"})
        status, sent, _ = _attack(base, head + "", chunked=False, budget=64 * 1024 * 1024)
        assert status == 401 and sent < 8 * 1024 * 1024


def test_bodies_over_the_limit_are_refused_declared_or_streamed(settings: Settings) -> None:
    settings = settings.model_copy(update={"max_request_bytes": 2 * 1024 * 1024, "max_upload_bytes": 1024 * 1024})
    app = create_app(settings)
    with served(app) as base:
        key = create_key(app.state.ctx, "admin", "attacker")
        auth = {"Authorization": f"Bearer {key}"}
        # declared too large: refused before the body
        head = _head(
            "POST", "/api/v1/reconciliations", {"Content-Type": "application/json", "Content-Length": str(10**9)} | auth
        )
        status, sent, took = _attack(base, head, chunked=False, budget=64 * 1024 * 1024)
        assert status == 413 and sent < 8 * 1024 * 1024 and took < 5
        # chunked, no Content-Length: counted while it streams and cut off at the limit
        for path, ctype, first in [
            ("/api/v1/reconciliations", "application/json", b'{"batch": "'),
            ("/api/v1/documents", "multipart/form-data; boundary=xyz", PART),
        ]:
            head = _head("POST", path, {"Content-Type": ctype, "Transfer-Encoding": "chunked"} | auth)
            tracemalloc.start()
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            try:
                status, sent, took = _attack(
                    base, head, chunked=True, budget=256 * 1024 * 1024, timeout=60, first=first
                )
                peak = tracemalloc.get_traced_memory()[1] - before
            finally:
                tracemalloc.stop()
            assert status == 413, (path, status)
            assert sent < 16 * 1024 * 1024, (path, sent)  # the limit (≤ 3 MiB) plus what the socket buffers held
            assert peak < 24 * 1024 * 1024, (path, peak)
        # within the limits, uploads and JSON still work, chunked or not
        with httpx.Client(base_url=base, timeout=30, headers=auth) as http:
            up = http.post("/api/v1/documents", files=[("files", ("a.pdf", PDF, "application/pdf"))])
            assert up.status_code == 202, up.text
            rec = http.post("/api/v1/reconciliations", content=iter([b'{"batch": "none"}']))
            assert rec.status_code not in (401, 413), rec.text
