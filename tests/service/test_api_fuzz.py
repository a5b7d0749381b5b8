"""schemathesis against the OpenAPI schema: generated requests for every operation (with a valid admin key)
never get a 5xx, and responses conform to the schema. Short budget here; for a longer run:
`FAPIAO_FUZZ_EXAMPLES=500 .venv/bin/pytest tests/service/test_api_fuzz.py`."""

from __future__ import annotations

import os

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from intake.settings import Settings
from tests.service.conftest import make_key

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = int(os.environ.get("FAPIAO_FUZZ_EXAMPLES", "15"))


def test_every_operation_survives_generated_requests(tmp_path) -> None:
    app = create_app(Settings(data_dir=tmp_path / "data", drop_folder=False, ocr=False, _env_file=None))
    with TestClient(app) as client:
        headers = make_key(client, "admin")
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        operations = [op.ok() for op in schema.get_all_operations()]
        assert len(operations) >= 8
        failures: list[str] = []
        for op in operations:

            @given(case=op.as_strategy())
            @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def run(case) -> None:
                response = case.call(headers=headers)
                assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
                case.validate_response(response, checks=CHECKS)

            try:
                run()
            except Exception as exc:  # collect all operations' failures, then report them together
                failures.append(f"{op.method.upper()} {op.path}: {exc}"[:800])
        assert failures == [], "\n".join(failures)
