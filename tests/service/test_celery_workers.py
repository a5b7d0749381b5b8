"""Scale-out: with a broker configured, uploads go to Celery workers over the real Redis; two worker
processes share the real PostgreSQL and the originals store, and every document is processed once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text

from api.app import create_app
from intake.service.celery_app import celery_for
from intake.settings import Settings
from intake.storage.db import session_scope
from intake.storage.service_tables import Document
from tests.builders import OLD_LABELS, OLD_VALUES, placed_pdf
from tests.service.conftest import PG_URL, make_key

REDIS = "redis://127.0.0.1:6379/11"


@pytest.fixture
def pg_schema_url():
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _start_worker(env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "intake.cli", "worker"], env=env, stdout=log.open("wb"),
                            stderr=subprocess.STDOUT, start_new_session=True)


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
    env = {**os.environ, "FAPIAO_BROKER_URL": REDIS, "FAPIAO_DATABASE_URL": pg_schema_url,
           "FAPIAO_DATA_DIR": str(data_dir), "FAPIAO_OCR": "false", "FAPIAO_DROP_FOLDER": "false"}
    settings = Settings(data_dir=data_dir, database_url=pg_schema_url, broker_url=REDIS, ocr=False, drop_folder=False,
                        _env_file=None)
    with TestClient(create_app(settings)) as client:  # creates the schema before the workers start
        workers = [_start_worker(env, tmp_path / f"worker{i}.log") for i in range(2)]
        try:
            _wait_workers(2)
            up = make_key(client, "uploader")
            files = [("files", (f"{i}.pdf", placed_pdf(OLD_LABELS, OLD_VALUES) + f"\n%{i}".encode(), "application/pdf"))
                     for i in range(16)]
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
