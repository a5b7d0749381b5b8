"""Invoices whose issuer's signature does not match their file can be found and are alerted on: the queue
filter (``signature=broken|valid``) and the ``signature_broken`` alert, on SQLite and PostgreSQL, with real
signed invoices from ../shared/real-invoices processed by the real service."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.helpers.service import wait_done as _wait_done
from tests.service.conftest import make_key

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "real-invoices" / "files"
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"the real invoices are not at {REAL}")


def _upload(client: TestClient, up: dict, files: list[tuple[str, bytes]]) -> None:
    docs = client.post(
        "/api/v1/documents", headers=up, files=[("files", (n, d, "application/pdf")) for n, d in files]
    ).json()
    for d in docs["documents"]:
        assert _wait_done(client, d["id"], up)["status"] == "done"


def test_broken_signature_is_filterable_and_alerted(client: TestClient) -> None:
    rv, up = make_key(client, "reviewer"), make_key(client, "uploader")
    original = (REAL / "einv_001.pdf").read_bytes()
    _upload(
        client,
        up,
        [
            ("signed.pdf", original),
            ("edited.pdf", original + b"\n% an edit appended after signing\n"),
            ("unsigned.pdf", (REAL / "sd_001.pdf").read_bytes()),
        ],
    )

    everything = client.get("/api/v1/invoices", headers=rv).json()["invoices"]
    assert len(everything) == 3
    by_status = {i["id"]: i["status"] for i in everything}
    broken = client.get("/api/v1/invoices", headers=rv, params={"signature": "broken"}).json()["invoices"]
    valid = client.get("/api/v1/invoices", headers=rv, params={"signature": "valid"}).json()["invoices"]
    assert len(broken) == 1 and len(valid) == 1
    assert by_status[broken[0]["id"]] == "needs_review" and by_status[valid[0]["id"]] == "verified"
    assert client.get("/api/v1/invoices", headers=rv, params={"signature": "nonsense"}).status_code == 422

    found = client.get("/api/v1/alerts", headers=rv).json()
    assert found["counts"]["signature_broken"] == 1
    (alert,) = [a for a in found["alerts"] if a["kind"] == "signature_broken"]
    assert "edited.pdf" in alert["message"] and alert["links"]["invoice"] == f"/ui/invoices/{broken[0]['id']}"
