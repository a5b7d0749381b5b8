"""One field-edit body for the API and the review page: its limit holds on the API route too."""

from __future__ import annotations

from fastapi.testclient import TestClient

from fapiao.api.edits import MAX_FIELDS
from tests.service.conftest import make_key


def test_an_edit_of_too_many_fields_is_refused_before_any_lookup(client: TestClient) -> None:
    rv = make_key(client, "reviewer")
    many = {f"f{i}": "x" for i in range(MAX_FIELDS + 1)}
    refused = client.patch("/api/v1/invoices/1", headers=rv, json={"version": 1, "fields": many})
    assert refused.status_code == 422 and refused.json()["title"] == "invalid request", refused.json()  # the body
    few = client.patch("/api/v1/invoices/1", headers=rv, json={"version": 1, "fields": {"remarks": "x"}})
    assert few.status_code == 404  # the same body within the limit reaches the lookup
