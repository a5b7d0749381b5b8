"""Back-fills through the HTTP API with the in-process executor, on SQLite and PostgreSQL: a zip (with a
bad member and a file uploaded before) plus a records export → documents on the job queue → reconciled once
the last job is done → outputs downloaded and read back; server folders only inside the allowed roots."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
from fastapi.testclient import TestClient

from tests.helpers.documents import zip_of
from tests.helpers.service import BUREAU_HEADERS, bureau_export, wait_backfill, xml
from tests.service.conftest import make_key


def test_backfill_from_a_zip(client: TestClient) -> None:
    rv = make_key(client, "reviewer")
    up = make_key(client, "uploader")
    numbers = [f"2431000000000000{i:04d}" for i in range(1, 9)]
    docs = {f"2024/{n}.xml": xml(n, "100.00", "6.00") for n in numbers}
    # One of them was uploaded on its own before: the back-fill shares that document instead of copying it.
    earlier = client.post(
        "/api/v1/documents",
        headers=up,
        files=[("files", ("x.xml", docs["2024/" + numbers[0] + ".xml"], "application/xml"))],
    ).json()
    docs["../../evil.txt"] = b"not an invoice"
    records = bureau_export(numbers[:6])  # the last two are missing in the system
    resp = client.post(
        "/api/v1/backfills",
        headers=rv,
        files={
            "archive": ("year.zip", zip_of(docs), "application/zip"),
            "records": ("export.csv", records, "text/csv"),
        },
    )
    assert resp.status_code == 202, resp.text
    body = wait_backfill(client, rv, resp.json()["id"])
    assert body["status"] == "done", body
    assert body["files"] == 9 and body["accepted"] == 8 and body["progress"] == 1.0
    assert body["jobs"]["done"] == 8 and body["jobs"].get("failed", 0) == 0  # the text file is refused, not kept
    assert body["categories"]["matched"] == 6 and body["categories"]["missing_in_system"] == 2
    assert body["categories"]["rejected"] == 1 and body["records_import_id"]
    assert earlier["documents"][0]["id"] in {d["document_id"] for d in _members(client, body["id"])}

    names = {o["name"] for o in body["outputs"]}
    assert names == {"reconciliation.xlsx", "drafts.xlsx", "log.jsonl"}
    drafts = client.get(f"/api/v1/backfills/{body['id']}/outputs/drafts.xlsx", headers=rv)
    assert drafts.status_code == 200 and "attachment" in drafts.headers["content-disposition"]
    rows = list(openpyxl.load_workbook(io.BytesIO(drafts.content))["drafts"].iter_rows(values_only=True))
    assert ",".join(rows[0]) == BUREAU_HEADERS
    got = sorted(
        (
            dict(zip(rows[0], r, strict=False))["数电票号码"],
            Decimal(str(dict(zip(rows[0], r, strict=False))["价税合计"])),
        )
        for r in rows[1:]
    )
    assert got == [(numbers[6], Decimal("106.00")), (numbers[7], Decimal("106.00"))]
    log = [
        json.loads(x)
        for x in client.get(f"/api/v1/backfills/{body['id']}/outputs/log.jsonl", headers=rv).text.splitlines()
    ]
    assert len(log) == 9
    (bad,) = [x for x in log if x["category"] == "rejected"]
    assert bad["source"] == "year.zip:evil.txt" and "evil.txt" in bad["error"]
    report = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/api/v1/backfills/{body['id']}/outputs/reconciliation.xlsx", headers=rv).content)
    )
    assert report["matched"].max_row == 7 and report["missing_in_system"].max_row == 3
    # The drafts are in the service too, ready for review.
    assert client.get("/api/v1/drafts?state=draft", headers=rv).json()["total"] == 2
    assert client.get(f"/api/v1/backfills/{body['id']}/outputs/nope.txt", headers=rv).status_code == 422


def _members(client: TestClient, bid: str) -> list[dict]:
    from sqlalchemy import select

    from fapiao.storage.backfill_tables import BackfillDocument
    from fapiao.storage.db import session_scope

    with session_scope(client.app.state.ctx.sessions) as s:
        return [
            {"document_id": d.document_id, "name": d.name}
            for d in s.scalars(select(BackfillDocument).where(BackfillDocument.backfill_id == bid))
        ]


def test_backfill_from_a_server_folder_only_inside_the_roots(client: TestClient, tmp_path: Path) -> None:
    rv = make_key(client, "reviewer")
    root = client.app.state.ctx.settings.allowed_backfill_roots[0]
    folder = root / "2024"
    folder.mkdir(parents=True)
    for i in range(3):
        (folder / f"{i}.xml").write_bytes(xml(f"2432000000000000000{i}", "50.00", "3.00"))
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    refused = client.post("/api/v1/backfills", headers=rv, data={"folder": str(outside)})
    assert refused.status_code == 403 and "FAPIAO_BACKFILL_ROOTS" in refused.json()["hint"]
    sneaky = client.post("/api/v1/backfills", headers=rv, data={"folder": str(folder / ".." / ".." / "..")})
    assert sneaky.status_code == 403
    assert client.post("/api/v1/backfills", headers=rv, data={"folder": str(root / "missing")}).status_code == 422
    assert client.post("/api/v1/backfills", headers=rv).status_code == 422  # neither zip nor folder
    notzip = client.post(
        "/api/v1/backfills", headers=rv, files={"archive": ("a.zip", b"plain text", "application/zip")}
    )
    assert notzip.status_code == 422 and "not a zip" in notzip.json()["detail"]
    resp = client.post("/api/v1/backfills", headers=rv, data={"folder": str(folder)})
    assert resp.status_code == 202
    body = wait_backfill(client, rv, resp.json()["id"])
    assert body["status"] == "done" and body["categories"]["missing_in_system"] == 3  # no records imported yet
    listed = client.get("/api/v1/backfills", headers=rv).json()
    assert listed["total"] == 1 and listed["backfills"][0]["id"] == body["id"]
