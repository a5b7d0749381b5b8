"""The review screen shows the file's integrity beside the page (valid and by whom; broken; not signed), and
the queue filters by it. Real signed invoices from ../shared/real-invoices."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.ui.conftest import new_key

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "real-invoices" / "files"
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"the real invoices are not at {REAL}")


def _upload(client: TestClient, name: str, data: bytes) -> int:
    up = client.post("/ui/upload", files=[("files", (name, data, "application/pdf"))])
    (doc,) = up.json()["documents"]
    deadline = time.monotonic() + 60
    while (body := client.get(f"/ui/documents/{doc['id']}").json())["status"] not in {"done", "failed"}:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    (inv,) = body["invoices"]
    return inv["id"]


def _signature_box(html: str) -> str:
    m = re.search(r'<details id="signature".*?</details>', html, re.S)
    assert m, "no signature box on the review screen"
    return m.group(0)


def test_review_screen_and_queue_show_the_signature(client: TestClient) -> None:
    client.post("/ui/login", data={"key": new_key(client, "reviewer")})
    original = (REAL / "einv_001.pdf").read_bytes()
    signed = _upload(client, "signed.pdf", original)
    edited = _upload(client, "edited.pdf", original[:-300])
    unsigned = _upload(client, "unsigned.pdf", (REAL / "sd_001.pdf").read_bytes())

    box = _signature_box(client.get(f"/ui/invoices/{signed}").text)
    assert 'data-signature="valid"' in box and "签名有效" in box and "上海圆迈贸易有限公司" in box
    assert "无法离线核验" in box  # trust in the issuing authority is not claimed
    box = _signature_box(client.get(f"/ui/invoices/{edited}").text)
    assert 'data-signature="broken"' in box and " open" in box and "签名不符" in box
    box = _signature_box(client.get(f"/ui/invoices/{unsigned}").text)
    assert 'data-signature="none"' in box and "无数字签名" in box

    client.cookies.set("fapiao_lang", "en")
    box = _signature_box(client.get(f"/ui/invoices/{signed}").text)
    assert "Signature valid" in box and "cannot be checked offline" in box

    queue = client.get("/ui/?signature=broken").text
    assert f"/ui/invoices/{edited}" in queue
    assert f"/ui/invoices/{signed}" not in queue and f"/ui/invoices/{unsigned}" not in queue
