"""The API publishes its contracts: every JSON route declares a response model (invoice and reconciliation lines
are the CLI's contract models), /openapi.json names a schema for each answer and a problem document for each
error, and every route's real answer is exactly what the route returned (the ``answers`` fixture compares them
in every service test; here every JSON route is driven once with real data)."""

from __future__ import annotations

import json
import types
import typing

from fastapi.testclient import TestClient
from pydantic import BaseModel

from fapiao.api.routing import ApiRoute
from fapiao.core.contract import ContractLine
from fapiao.matching.contract import DocumentLine, NoDocumentLine
from tests.helpers.answers import Answers
from tests.helpers.documents import zip_of
from tests.helpers.routes import json_routes
from tests.helpers.service import PDF, bureau_export, wait_backfill, wait_done, xml
from tests.service.conftest import make_key


def _models(tp: object) -> list[type[BaseModel]] | None:
    """The pydantic models a response model is made of, or None if any part of it is not one (a dict, Any…)."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [tp]
    if typing.get_origin(tp) is typing.Annotated:
        return _models(typing.get_args(tp)[0])
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        parts = [_models(a) for a in typing.get_args(tp)]
        return None if any(p is None for p in parts) else [m for p in parts for m in p or ()]
    return None


def test_every_json_route_declares_its_answer(client: TestClient) -> None:
    routes = json_routes(client)
    assert {p for _, p, _ in routes} >= {"/health", "/api/v1/invoices/{invoice_id}", "/api/v1/stats"}
    undeclared = [f"{m} {p}: {r.response_model!r}" for m, p, r in routes if not _models(r.response_model)]
    assert undeclared == []
    assert [f"{m} {p}" for m, p, r in routes if not isinstance(r, ApiRoute)] == []  # keys as the route gave them


def test_invoice_and_reconciliation_lines_are_the_cli_contract(client: TestClient) -> None:
    by_path = {(m, p): r.response_model for m, p, r in json_routes(client)}

    def field(model: object, name: str) -> object:
        (found,) = _models(model) or [None]
        assert found is not None
        return found.model_fields[name].annotation

    for answer in (by_path["GET", "/api/v1/invoices/{invoice_id}"], by_path["PATCH", "/api/v1/invoices/{invoice_id}"]):
        assert [issubclass(m, ContractLine) for m in _models(answer) or []] == [True]
    (stored,) = typing.get_args(field(by_path["GET", "/api/v1/documents/{doc_id}"], "invoices"))
    assert issubclass(stored, ContractLine)
    (item,) = typing.get_args(field(by_path["GET", "/api/v1/reconciliations/{run_id}"], "items"))
    document, record = _models(item) or []
    assert issubclass(document, DocumentLine) and issubclass(record, NoDocumentLine)


def _schema_names(schema: dict) -> list[str]:
    """The component names a response schema refers to ([] when it is inline or bare)."""
    if "$ref" in schema:
        return [schema["$ref"].removeprefix("#/components/schemas/")]
    options = schema.get("anyOf") or schema.get("oneOf") or []
    names = [_schema_names(o) for o in options]
    return [n for ns in names for n in ns] if names and all(names) else []


def test_openapi_names_every_answer_and_every_problem(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    components = spec["components"]["schemas"]
    unnamed, problems = [], []
    for method, path, route in json_routes(client):
        responses = spec["paths"][path][method.lower()]["responses"]
        ok = responses[str(route.status_code or 200)]
        names = _schema_names(ok["content"]["application/json"]["schema"])
        if not names or not all(components[n].get("properties") for n in names):
            unnamed.append(f"{method} {path}: {ok['content']['application/json']['schema']}")
        for status, answer in responses.items():
            if status.startswith(("4", "5")):
                schema = answer.get("content", {}).get("application/problem+json", {}).get("schema", {})
                if not _schema_names(schema) or "application/json" in answer.get("content", {}):
                    problems.append(f"{method} {path} {status}: {answer}")
    assert unnamed == [] and problems == []
    assert {"title", "status", "detail", "hint"} <= set(components["Problem"]["properties"])
    assert "errors" in components["ValidationProblem"]["properties"]


def test_every_json_route_answers_what_it_returned(client: TestClient, answers: Answers) -> None:
    """Each JSON route once, on real objects (the ``answers`` fixture fails the test if a model altered one)."""
    up, rv = make_key(client, "uploader"), make_key(client, "reviewer")
    assert client.get("/health").status_code == 200

    # documents: an accepted file and a refused one in one upload
    files = [
        ("files", ("a.pdf", PDF, "application/pdf")),
        ("files", ("m1.xml", xml("24370000000000000001", "100.00", "6.00"), "application/xml")),
        ("files", ("m2.xml", xml("24370000000000000002", "200.00", "12.00"), "application/xml")),
        ("files", ("x.txt", b"not an invoice", "text/plain")),
    ]
    uploaded = client.post("/api/v1/documents?batch=seed", headers=up, files=files)
    assert uploaded.status_code == 202, uploaded.text
    docs = [d for d in uploaded.json()["documents"] if d["id"]]
    assert len(docs) == 3 and uploaded.json()["documents"][3]["status"] == "rejected"
    for d in docs:
        wait_done(client, d["id"], up)
    assert client.get("/api/v1/documents", headers=up).json()["total"] == 3

    # invoices: list, read, edit, decide
    invoices = {i["invoice_number"]: i for i in client.get("/api/v1/invoices", headers=rv).json()["invoices"]}
    first, second = invoices["24370000000000000001"], invoices["24370000000000000002"]
    assert client.get(f"/api/v1/invoices/{first['id']}", headers=rv).json()["history"] == []
    edited = client.patch(
        f"/api/v1/invoices/{first['id']}", headers=rv, json={"version": first["version"], "fields": {"remarks": "x"}}
    ).json()
    action = {"version": edited["version"], "note": "seen", "override": "checked by hand"}
    assert (
        client.post(f"/api/v1/invoices/{first['id']}/confirm", headers=rv, json=action).json()["review"] == "confirmed"
    )
    rejected = client.post(f"/api/v1/invoices/{second['id']}/reject", headers=rv, json={"version": second["version"]})
    assert rejected.json()["review"] == "rejected"

    # records: preview, import, repeat, read
    export = bureau_export(["24370000000000000001", "24370000000000000009"])
    form = {"file": ("export.csv", export, "text/csv")}
    preview = client.post("/api/v1/records/imports", headers=rv, files=form, data={"preview": "true"})
    assert preview.json()["records"] == 2
    run = client.post("/api/v1/records/imports", headers=rv, files=form, data={"save_mapping_as": "bureau"}).json()
    assert run["inserted"] == 2
    assert client.post("/api/v1/records/imports/repeat", headers=rv).json()["unchanged"] == 2
    assert client.post(f"/api/v1/records/imports/{run['id']}/repeat", headers=rv).status_code == 201
    assert client.get("/api/v1/records/imports", headers=rv).json()["total"] == 3
    assert client.get(f"/api/v1/records/imports/{run['id']}", headers=rv).json()["errors"] == []
    assert client.get("/api/v1/records/sources", headers=rv).json()["sources"][0]["imports"] == 3
    assert client.get("/api/v1/records", headers=rv, params={"q": "2437"}).json()["total"] == 2
    assert client.get("/api/v1/records/mappings", headers=rv).json()["mappings"][0]["name"] == "bureau"
    mapping = {"invoice_number": "发票号码", "buyer_name": None}
    assert client.put("/api/v1/records/mappings/mine", headers=rv, json={"mapping": mapping}).json()["name"] == "mine"
    assert client.get("/api/v1/records/parties", headers=rv).json()["total"] >= 1

    # reconciliation: every kind of line
    made = client.post("/api/v1/reconciliations", headers=rv, json={"batch": "seed"}).json()
    assert made["counts"]["rejected"] == 1 and made["counts"]["no_document"] == 1
    assert client.get("/api/v1/reconciliations", headers=rv).json()["runs"][0]["id"] == made["id"]
    lines = client.get(f"/api/v1/reconciliations/{made['id']}", headers=rv).json()["items"]
    assert {ln["category"] for ln in lines} == {"matched", "missing_in_system", "rejected", "no_document"}

    # drafts: read, edit, confirm, reopen, discard
    (draft,) = client.get("/api/v1/drafts", headers=rv).json()["drafts"]
    url = f"/api/v1/drafts/{draft['id']}"
    assert client.get(url, headers=rv).json()["history"][0]["from"] is None
    draft = client.patch(url, headers=rv, json={"version": draft["version"], "fields": {"remarks": "y"}}).json()
    for step in ("confirm", "reopen", "discard"):
        draft = client.post(f"{url}/{step}", headers=rv, json={"version": draft["version"], "override": "ok"}).json()
    assert draft["state"] == "discarded"

    # back-fills
    archive = zip_of({"b.xml": xml("24370000000000000003", "10.00", "0.60"), "c.txt": b"no invoice"})
    started = client.post("/api/v1/backfills", headers=rv, files={"archive": ("b.zip", archive, "application/zip")})
    assert started.status_code == 202, started.text
    assert wait_backfill(client, rv, started.json()["id"])["status"] == "done"
    assert client.get("/api/v1/backfills", headers=rv).json()["total"] == 1

    # finding and watching
    found = client.get("/api/v1/search", headers=rv, params={"q": "24370000000000000001"}).json()
    assert {h["kind"] for h in found["hits"]} >= {"invoice", "record"}
    for group in ("month", "seller", "type", "rate"):
        assert client.get("/api/v1/stats", headers=rv, params={"group": group}).json()["rows"]
    assert client.get("/api/v1/stats/shares", headers=rv).json()["rows"]
    assert "duplicate" in client.get("/api/v1/alerts", headers=rv).json()["counts"]

    routes = {f"{m} {p}" for m, p, _ in json_routes(client)}
    assert routes - answers.routes == set(), "JSON routes not driven through their response model"
    assert json.dumps(answers.altered) == "[]"
