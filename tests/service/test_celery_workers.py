"""Scale-out: with a broker configured, uploads go to Celery workers over the real Redis; two worker
processes share the real PostgreSQL and the originals store, and every document is processed once."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import select

from fapiao.api.app import create_app
from fapiao.core.settings import Settings
from fapiao.service.celery_app import celery_for
from fapiao.storage.db import session_scope
from fapiao.storage.service_tables import Document
from tests.builders import OLD_LABELS, OLD_VALUES, placed_pdf
from tests.helpers.processes import start_worker
from tests.service.conftest import make_key

pytestmark = [pytest.mark.slow, pytest.mark.live]  # Celery worker processes on PostgreSQL and Redis

REDIS = "redis://127.0.0.1:6379/11"


def _wait_workers(n: int, timeout: float = 60) -> None:
    app = celery_for(REDIS)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(app.control.ping(timeout=1.0) or []) >= n:
            return
    raise AssertionError(f"{n} workers did not come up within {timeout} s")


def test_two_workers_share_the_jobs(tmp_path: Path, pg_schema_url: str) -> None:
    redis.Redis.from_url(REDIS).flushdb()
    data_dir = tmp_path / "data"
    env = {
        **os.environ,
        "FAPIAO_BROKER_URL": REDIS,
        "FAPIAO_DATABASE_URL": pg_schema_url,
        "FAPIAO_DATA_DIR": str(data_dir),
        "FAPIAO_OCR": "false",
        "FAPIAO_DROP_FOLDER": "false",
    }
    settings = Settings(
        data_dir=data_dir, database_url=pg_schema_url, broker_url=REDIS, ocr=False, drop_folder=False, _env_file=None
    )
    with TestClient(create_app(settings)) as client:  # creates the schema before the workers start
        workers = [start_worker(env, tmp_path / f"worker{i}.log") for i in range(2)]
        try:
            _wait_workers(2)
            up = make_key(client, "uploader")
            files = [
                ("files", (f"{i}.pdf", placed_pdf(OLD_LABELS, OLD_VALUES) + f"\n%{i}".encode(), "application/pdf"))
                for i in range(16)
            ]
            docs = client.post("/api/v1/documents", headers=up, files=files).json()["documents"]
            ids = [d["id"] for d in docs]
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                with session_scope(client.app.state.ctx.sessions) as s:
                    rows = s.scalars(select(Document).where(Document.id.in_(ids))).all()
                    if all(r.status == "done" for r in rows):
                        break
                time.sleep(0.2)
            with session_scope(client.app.state.ctx.sessions) as s:
                rows = s.scalars(select(Document).where(Document.id.in_(ids))).all()
                assert sorted(r.status for r in rows) == ["done"] * 16, [(r.status, r.error) for r in rows]
                assert all(r.attempts == 1 for r in rows)  # each processed exactly once
                pids = {r.worker.split(":")[1] for r in rows}
                assert len(pids) >= 2, f"one worker did everything: {pids}"
            body = client.get(f"/api/v1/documents/{ids[0]}", headers=up).json()
            assert body["invoices"][0]["invoice"]["invoice_number"] == "12345678"
        finally:
            for w in workers:
                os.killpg(w.pid, signal.SIGTERM)
            for w in workers:
                w.wait(30)


def test_a_backfill_is_spread_over_two_workers(tmp_path: Path, pg_schema_url: str) -> None:
    """The back-fill's documents go to the Celery queue like any upload; whichever worker finishes the last one
    reconciles the back-fill, once."""
    import io
    import zipfile

    from tests.helpers.service import bureau_export, wait_backfill, xml

    redis.Redis.from_url(REDIS).flushdb()
    data_dir = tmp_path / "data"
    env = {
        **os.environ,
        "FAPIAO_BROKER_URL": REDIS,
        "FAPIAO_DATABASE_URL": pg_schema_url,
        "FAPIAO_DATA_DIR": str(data_dir),
        "FAPIAO_OCR": "false",
        "FAPIAO_DROP_FOLDER": "false",
    }
    settings = Settings(
        data_dir=data_dir, database_url=pg_schema_url, broker_url=REDIS, ocr=False, drop_folder=False, _env_file=None
    )
    numbers = [f"2433000000000000{i:04d}" for i in range(1, 25)]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n in numbers:
            zf.writestr(f"{n}.xml", xml(n, "100.00", "6.00"))
    with TestClient(create_app(settings)) as client:
        workers = [start_worker(env, tmp_path / f"worker{i}.log") for i in range(2)]
        try:
            _wait_workers(2)
            rv = make_key(client, "reviewer")
            resp = client.post(
                "/api/v1/backfills",
                headers=rv,
                files={
                    "archive": ("b.zip", buf.getvalue(), "application/zip"),
                    "records": ("export.csv", bureau_export(numbers[:20]), "text/csv"),
                },
            )
            assert resp.status_code == 202, resp.text
            body = wait_backfill(client, rv, resp.json()["id"], timeout=180)
            assert body["status"] == "done", body
            assert body["categories"]["matched"] == 20 and body["categories"]["missing_in_system"] == 4
            with session_scope(client.app.state.ctx.sessions) as s:
                rows = s.scalars(select(Document)).all()
                assert len(rows) == 24 and all(r.status == "done" and r.attempts == 1 for r in rows)
                assert len({r.worker.split(":")[1] for r in rows}) >= 2, "one worker did everything"
            assert client.get(f"/api/v1/backfills/{body['id']}/outputs/drafts.xlsx", headers=rv).status_code == 200
            runs = client.get("/api/v1/reconciliations", headers=rv).json()
            assert runs["total"] == 1  # completed exactly once
        finally:
            for w in workers:
                os.killpg(w.pid, signal.SIGTERM)
            for w in workers:
                w.wait(30)


def test_serve_start_resends_jobs_committed_queued_but_never_sent(tmp_path: Path, pg_schema_url: str) -> None:
    """GIVEN a job committed `queued` whose send never reached Redis (serve died between commit and send) WHEN
    `fapiao serve` starts with the broker configured THEN the job's task is on the real Redis queue."""
    from fapiao.service.documents import accept
    from fapiao.service.runtime import start_service

    url = "redis://127.0.0.1:6379/12"
    r = redis.Redis.from_url(url)
    r.flushdb()
    settings = Settings(
        data_dir=tmp_path / "data", database_url=pg_schema_url, broker_url=url, drop_folder=False, ocr=False
    )
    with TestClient(create_app(settings)):  # creates the schema; nothing queued yet
        pass
    r.flushdb()
    ctx = start_service(settings)
    try:
        doc_id = accept(ctx, placed_pdf(OLD_LABELS, OLD_VALUES), "lost.pdf", "api").id  # committed, never sent
    finally:
        ctx.close()
    assert r.llen("celery") == 0
    with TestClient(create_app(settings)):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any(doc_id.encode() in m for m in r.lrange("celery", 0, -1)):
            time.sleep(0.1)
    assert any(doc_id.encode() in m for m in r.lrange("celery", 0, -1)), r.lrange("celery", 0, -1)
    r.flushdb()
