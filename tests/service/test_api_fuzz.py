"""schemathesis against the OpenAPI schema: generated requests for every operation (with a valid admin key)
never get a 5xx, and responses conform to the schema. The database is seeded first (an invoice, a records
import with a saved mapping, a reconciliation run with a draft, a back-fill), and operations with path
parameters are run a second time with those real ids, so that edits, transitions and downloads of existing
objects are fuzzed too, not only their 404s. Every /api/v1 route must be among the operations.

Short budget here; for a longer run: `FAPIAO_FUZZ_EXAMPLES=500 .venv/bin/pytest tests/service/test_api_fuzz.py`
(see tests/fuzzing.py)."""

from __future__ import annotations

import io
import zipfile

import pytest
import schemathesis
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from fapiao.api.app import create_app
from fapiao.api.ui.auth import UiRoute
from fapiao.core.settings import Settings
from tests.fuzzing import examples
from tests.helpers.service import PDF, bureau_export, wait_backfill, wait_done, xml
from tests.service.conftest import make_key

pytestmark = pytest.mark.slow  # fuzzing every API operation

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = examples(15)


def _seed(client: TestClient, up: dict, admin: dict) -> dict[str, str]:
    """Real objects for the path parameters: their ids by parameter name."""
    docs = client.post(
        "/api/v1/documents?batch=seed",
        headers=up,
        files=[
            ("files", ("a.pdf", PDF, "application/pdf")),
            ("files", ("m.xml", xml("24370000000000000001", "100.00", "6.00"), "application/xml")),
        ],
    ).json()["documents"]
    for d in docs:
        wait_done(client, d["id"], up)
    imp = client.post(
        "/api/v1/records/imports",
        headers=admin,
        data={"save_mapping_as": "seed"},
        files={"file": ("export.csv", bureau_export(["24370000000000000002"]), "text/csv")},
    )
    assert imp.status_code == 201, imp.text
    run = client.post("/api/v1/reconciliations", headers=admin, json={"batch": "seed"}).json()
    (draft,) = client.get("/api/v1/drafts", headers=admin).json()["drafts"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("b.xml", xml("24370000000000000003", "10.00", "0.60"))
    bf = client.post(
        "/api/v1/backfills", headers=admin, files={"archive": ("b.zip", buf.getvalue(), "application/zip")}
    )
    wait_backfill(client, admin, bf.json()["id"])
    invoice = client.get("/api/v1/invoices", headers=admin).json()["invoices"][0]
    return {
        "doc_id": docs[0]["id"],
        "invoice_id": str(invoice["id"]),
        "page": "1",
        "run_id": str(run["id"]),
        "draft_id": str(draft["id"]),
        "backfill_id": bf.json()["id"],
        "name": "seed",
    }


def _fuzz(op, headers: dict, known: dict[str, str]) -> None:
    """Generated requests against one operation; path parameters named in ``known`` take the seeded ids."""

    @given(case=op.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case) -> None:
        if known:
            case.path_parameters = {k: known.get(k, v) for k, v in (case.path_parameters or {}).items()}
        response = case.call(headers=headers)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
        )
        case.validate_response(response, checks=CHECKS)

    run()


def test_every_operation_survives_generated_requests(tmp_path) -> None:
    app = create_app(Settings(data_dir=tmp_path / "data", drop_folder=False, ocr=False, _env_file=None))
    with TestClient(app) as client:
        headers = make_key(client, "admin")
        known = _seed(client, make_key(client, "uploader"), headers)
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        operations = [op.ok() for op in schema.get_all_operations()]
        routes = {
            (m, c.path)
            for c in iter_route_contexts(app.routes)
            if isinstance(c.route, APIRoute) and not isinstance(c.route, UiRoute) and c.path.startswith("/api/v1")
            for m in c.route.methods
        }
        fuzzed = {(op.method.upper(), op.path) for op in operations}
        assert routes - fuzzed == set()  # every API route, the records / reconciliation / drafts / back-fill ones too
        failures: list[str] = []
        for op in operations:
            for with_known_ids in (False, True):
                if with_known_ids and "{" not in op.path:
                    continue

                try:
                    _fuzz(op, headers, known if with_known_ids else {})
                except Exception as exc:  # collect all operations' failures, then report them together
                    failures.append(
                        f"{op.method.upper()} {op.path}{' (known ids)' if with_known_ids else ''}: {exc}"[:800]
                    )
        assert failures == [], "\n".join(failures)
        assert client.get("/health").status_code == 200
