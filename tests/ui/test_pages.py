"""The UI's pages and actions without a browser: queue filters, the upload-and-follow endpoints, edits
answered with re-rendered fragments, conflicts, and "next"."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from tests.ui.conftest import SAMPLE, new_key


@pytest.fixture
def reviewed(client: TestClient) -> dict:
    """GIVEN a signed-in reviewer and the sample invoice uploaded through the UI and processed."""
    client.post("/ui/login", data={"key": new_key(client, "reviewer")})
    up = client.post("/ui/upload", files=[("files", ("a.pdf", SAMPLE.read_bytes(), "application/pdf"))])
    (doc,) = up.json()["documents"]
    deadline = time.monotonic() + 60
    while (body := client.get(f"/ui/documents/{doc['id']}").json())["status"] not in {"done", "failed"}:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    (inv,) = body["invoices"]
    return inv


def test_queue_filters_by_seller_search_and_date(client: TestClient, reviewed: dict) -> None:
    def total(query: str) -> str:
        page = client.get(f"/ui/?{query}")
        assert page.status_code == 200
        return page.text

    assert "共 1 张" in total("seller=金康")
    assert "共 0 张" in total("seller=不存在的公司")
    assert "共 1 张" in total("q=95806041&status=verified&review=pending")
    assert "共 0 张" in total("date_from=2022-02-01")
    assert "共 1 张" in total("date_from=2022-01-01&date_to=2022-01-31")
    bad = total("date_from=31/01/2022")
    assert "共 1 张" in bad and "已忽略" in bad  # a malformed date is reported, not a 422


def test_api_list_and_ui_queue_share_the_seller_filter(client: TestClient, reviewed: dict) -> None:
    headers = {"Authorization": f"Bearer {new_key(client, 'reviewer')}"}
    assert client.get("/api/v1/invoices?seller=91340104310787232J", headers=headers).json()["total"] == 1
    assert client.get("/api/v1/invoices?seller=nobody", headers=headers).json()["total"] == 0


def test_edit_returns_fragments_and_stale_versions_conflict(client: TestClient, reviewed: dict) -> None:
    inv_id = reviewed["id"]
    page = client.get(f"/ui/invoices/{inv_id}")
    assert page.status_code == 200 and 'id="f-seller_name"' in page.text and "操作记录" in page.text
    png = client.get(f"/ui/invoices/{inv_id}/pages/1")
    assert png.headers["content-type"] == "image/png" and float(png.headers["x-bbox-scale"]) > 1
    edited = client.post(f"/ui/invoices/{inv_id}/fields", json={"version": 1, "fields": {"seller_name": ""}})
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert body["version"] == 2 and body["status"] == "needs_review" and "需复核" in body["status_html"]
    assert "field.missing" in body["fields"]["seller_name"]["findings_html"]
    assert "src-reviewer" in body["fields"]["seller_name"]["marks"]
    assert "销售方名称" in body["history_html"]
    stale = client.post(f"/ui/invoices/{inv_id}/fields", json={"version": 1, "fields": {"seller_name": "x"}})
    assert stale.status_code == 409 and "reload" in stale.json()["hint"]
    bad = client.post(f"/ui/invoices/{inv_id}/fields", json={"version": 2, "fields": {"issue_date": "yesterday"}})
    assert bad.status_code == 422
    done = client.post(f"/ui/invoices/{inv_id}/review", json={"version": 2, "decision": "rejected", "note": "作废"})
    assert done.json()["review"] == "rejected"


def test_next_goes_to_a_pending_invoice_or_back_to_the_queue(client: TestClient, reviewed: dict) -> None:
    assert client.get("/ui/invoices/next").headers["location"] == f"/ui/invoices/{reviewed['id']}"
    assert client.get(f"/ui/invoices/next?after={reviewed['id']}").headers["location"].startswith("/ui/?")
    assert client.get("/ui/invoices/999").status_code == 404
