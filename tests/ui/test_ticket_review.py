"""The review screen of a rail ticket shows its trip (route, train, seat, fare …) in both languages, and a
non-invoice upload is refused with the line that says what the document is."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from tests.builders import placed_pdf, with_qr
from tests.helpers.tickets import FISCAL, RAIL_LABELS, RAIL_QR, RAIL_VALUES
from tests.ui.conftest import new_key


def _processed(client: TestClient, name: str, data: bytes) -> dict:
    up = client.post("/ui/upload", files=[("files", (name, data, "application/pdf"))])
    (doc,) = up.json()["documents"]
    deadline = time.monotonic() + 60
    while (body := client.get(f"/ui/documents/{doc['id']}").json())["status"] not in {"done", "failed"}:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    return body


def test_rail_ticket_review_shows_the_trip(client: TestClient) -> None:
    client.post("/ui/login", data={"key": new_key(client, "reviewer")})
    rail = with_qr(placed_pdf(RAIL_LABELS, RAIL_VALUES, width=595, height=397), RAIL_QR)
    (inv,) = _processed(client, "rail.pdf", rail)["invoices"]
    zh = client.get(f"/ui/invoices/{inv['id']}").text
    assert "行程（客票）" in zh and "出发站" in zh and "北京南站" in zh and "G1234" in zh
    assert "电子发票（铁路电子客票）" in zh
    en = client.get(f"/ui/invoices/{inv['id']}?lang=en").text
    assert "Trip (ticket)" in en and "Train / flight number" in en and "Rail e-ticket" in en


def test_fiscal_receipt_upload_says_what_it_is(client: TestClient) -> None:
    client.post("/ui/login", data={"key": new_key(client, "reviewer")})
    body = _processed(client, "receipt.pdf", placed_pdf(FISCAL, [], width=600, height=360))
    assert body["status"] == "failed" and body["invoices"] == []
    # worded from its code: in Chinese with what to do on a Chinese page, as the service wrote it in English
    assert body["error"].startswith("receipt.pdf：这是财政电子票据（浙江省非税收入统一票据（电子）），不是增值税发票")
    assert body["error"].endswith("请到财政电子票据查验平台查验；报销按财政票据处理，不作为增值税进项发票。")
    en = client.get(f"/ui/documents/{body['id']}", params={"lang": "en"}).json()["error"]
    assert en.startswith("receipt.pdf: this is a 财政电子票据 (government fiscal receipt")
    assert "not a VAT invoice" in en and "这是" not in en  # the English page's half only
