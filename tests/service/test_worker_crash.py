"""kill -9 Celery workers (over the real Redis and PostgreSQL) while they process jobs: first only the pool
process doing the work (as the OOM killer would), then the whole worker; documents are also uploaded while no
worker runs; 200 uploads in all (16 slow PDFs, so that each kill lands in a job, and 184 数电 XML invoices).
After the restart every accepted document ends processed exactly once — none lost, none with two sets of
invoices — and without waiting for FAPIAO_JOB_TIMEOUT_MINUTES; a records export lacking some of the invoices,
reconciled twice, gives exactly one draft per missing invoice."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import psutil
import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from fapiao.api.app import create_app
from fapiao.core.settings import Settings
from fapiao.storage.db import session_scope
from fapiao.storage.matching_tables import Draft
from fapiao.storage.service_tables import Document, ExtractedInvoice
from tests.builders import OLD_LABELS, OLD_VALUES, placed_pdf
from tests.helpers.processes import start_worker
from tests.helpers.service import MAPPING, SELLER_ID, csv_bytes, xml
from tests.service.conftest import make_key

pytestmark = [pytest.mark.slow, pytest.mark.live]  # kill -9 of Celery workers on PostgreSQL and Redis

REDIS = "redis://127.0.0.1:6379/12"
FILLER = [(20 + (i % 30) * 21, 332 + (i // 30) * 2.0, "x") for i in range(240)]
"""Enough text that each document takes a fraction of a second, so a kill lands in the middle of one."""


def _docs(n: int, start: int = 0) -> list[tuple[str, tuple[str, bytes, str]]]:
    base = placed_pdf(OLD_LABELS, OLD_VALUES + FILLER)
    return [("files", (f"{i}.pdf", base + f"\n%{i}".encode(), "application/pdf")) for i in range(start, start + n)]


NUMBERS = [f"2435000000000000{i:04d}" for i in range(184)]
MISSING = set(NUMBERS[::10])  # 19 invoices the records export lacks


def _xml_docs(numbers: list[str]) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", (f"{n}.xml", xml(n, "10.00", "0.60"), "application/xml")) for n in numbers]


def _statuses(client: TestClient) -> dict[str, tuple[str, int]]:
    with session_scope(client.app.state.ctx.sessions) as s:
        return {d.id: (d.status, d.attempts) for d in s.scalars(select(Document))}


def _wait_for(cond, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.02)
    raise AssertionError(f"{what} within {timeout} s")


def _processing(client: TestClient) -> list[str]:
    return [i for i, (st, _) in _statuses(client).items() if st == "processing"]


def _xml_ids(client: TestClient) -> list[tuple[str, str]]:
    with session_scope(client.app.state.ctx.sessions) as s:
        return [(d.id, d.filename) for d in s.scalars(select(Document).where(Document.filename.like("%.xml")))]


@pytest.mark.slow
def test_kill_9_of_workers_loses_no_job_and_runs_none_twice(tmp_path: Path, pg_schema_url: str) -> None:  # noqa: F811
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
    with TestClient(create_app(settings)) as client:
        up = make_key(client, "uploader")
        worker = start_worker(env, tmp_path / "worker1.log")
        try:
            # The quick XML jobs first, then the slow ones: a loaded machine can take longer to send the 180 XML
            # files than the worker takes for all 16 slow jobs, and then no slow job would be left to kill.
            assert (
                client.post("/api/v1/documents?batch=w", headers=up, files=_xml_docs(NUMBERS[:180])).status_code == 202
            )
            assert client.post("/api/v1/documents", headers=up, files=_docs(16)).status_code == 202
            # 1. The pool process dies mid-job; its parent starts another, the broker redelivers the task.
            slow = set(_statuses(client)) - {d for d, _ in _xml_ids(client)}
            _wait_for(lambda: any(i in slow for i in _processing(client)), 60, "no slow job started")
            (child,) = psutil.Process(worker.pid).children()
            child.send_signal(signal.SIGKILL)
            # 2. Later the whole worker dies, mid-job again.
            _wait_for(
                lambda: (
                    sum(st == "done" for st, _ in _statuses(client).values()) >= 6
                    and any(i in slow for i in _processing(client))
                ),
                90,
                "the worker did not go on after losing its pool process",
            )
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(30)
            # 3. Uploads go on while no worker runs: accepted, queued, nothing lost.
            assert (
                client.post("/api/v1/documents?batch=w", headers=up, files=_xml_docs(NUMBERS[180:])).status_code == 202
            )
            before_restart = _statuses(client)
            assert any(st != "done" for st, _ in before_restart.values())
            worker = start_worker(env, tmp_path / "worker2.log")
            _wait_for(
                lambda: all(st == "done" for st, _ in _statuses(client).values()),
                120,
                f"not every job was done: {_statuses(client)}",
            )
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(30)
        final = _statuses(client)
        assert len(final) == 200 and all(st == "done" for st, _ in final.values())
        # Each kill landed in a job (one was running when it was sent; that it finished in the last millisecond
        # both times is not a case to plan for): those ran a second time, and nothing else did.
        again = [d for d, (_, n) in final.items() if n == 2]
        assert 1 <= len(again) <= 2 and all(n in (1, 2) for _, n in final.values()), final
        with session_scope(client.app.state.ctx.sessions) as s:
            per_doc = dict(
                s.execute(
                    select(ExtractedInvoice.document_id, func.count()).group_by(ExtractedInvoice.document_id)
                ).all()
            )
        assert len(per_doc) == 200 and set(per_doc.values()) == {1}  # processed exactly once: one set of invoices each
        # Drafts: the export lacks 19 of the 184 XML invoices; two reconciliations give one draft for each of them.
        rv = make_key(client, "reviewer")
        rows = [
            [n, "上海某某贸易有限公司", SELLER_ID, "2024-03-08", "10.00", "0.60", "10.60", "正常"]
            for n in NUMBERS
            if n not in MISSING
        ]
        imp = client.post(
            "/api/v1/records/imports",
            headers=rv,
            data={"mapping": json.dumps(MAPPING)},
            files={"file": ("ledger.csv", csv_bytes(rows), "text/csv")},
        )
        assert imp.status_code in (200, 201) and imp.json()["inserted"] == len(rows), imp.text
        created = []
        for _ in range(2):
            run = client.post("/api/v1/reconciliations", headers=rv, json={"batch": "w"})
            assert run.status_code == 201, run.text
            assert run.json()["counts"]["missing_in_system"] == len(MISSING), run.json()["counts"]
            created.append(run.json()["drafts_created"])
        assert created == [len(MISSING), 0]
        with session_scope(client.app.state.ctx.sessions) as s:
            keys = list(s.scalars(select(Draft.invoice_key)))
        assert sorted(keys) == sorted(MISSING) and len(keys) == len(set(keys))  # one draft per missing invoice
