"""Routes with a response model publish it, and answer as it says."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.helpers.json_schema import errors


def test_health_publishes_its_answer_and_keeps_to_it(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ref = spec["paths"]["/health"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert schema["required"] == ["status"]
    assert errors(client.get("/health").json(), schema) == []
