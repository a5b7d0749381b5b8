"""Smaller hostile requests, on SQLite and PostgreSQL: over-long query values are a clear 422, not a 500; a file
name with a line break is served with an RFC 6266 Content-Disposition; back-fill folder refusals do not tell
whether a server path exists; a UI session cookie no longer works after logout."""

from __future__ import annotations

from fastapi.testclient import TestClient

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
