"""kill -9 the server while uploads are being accepted and processed: after a restart every acknowledged
document ends processed exactly once — none lost, no duplicate invoices — and a records export lacking 20 of
the 200 invoices, reconciled twice, gives exactly one draft per missing invoice."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from fapiao.core.models import InvoiceType
from samples.generator.pdf import render_pdf
from samples.generator.truth import random_invoice
from tests.helpers.processes import free_port, serve
from tests.helpers.service import MAPPING, csv_bytes

pytestmark = pytest.mark.slow  # kill -9 of a served subprocess


def test_kill_9_during_uploads_loses_nothing(tmp_path: Path) -> None:
    rng = random.Random(9)
    invoices = [random_invoice(rng, InvoiceType.digital_normal) for _ in range(200)]
    docs = [render_pdf([inv], rng) for inv in invoices]
    data_dir = tmp_path / "data"
    env = {**os.environ, "FAPIAO_DATA_DIR": str(data_dir), "FAPIAO_DROP_FOLDER": "false", "FAPIAO_WORKERS": "2"}
    key = (
        subprocess.run(
            [sys.executable, "-m", "fapiao.cli", "keys", "create", "--role", "uploader"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    headers = {"Authorization": f"Bearer {key}"}
    port = free_port()
    log = tmp_path / "server.log"
    server = serve(env, port, log)
    accepted: dict[int, str] = {}

    def upload(i: int) -> None:
        try:
            r = httpx.post(
                f"http://127.0.0.1:{port}/api/v1/documents",
                headers=headers,
                timeout=30,
                files=[("files", (f"{i}.pdf", docs[i], "application/pdf"))],
            )
        except httpx.HTTPError:
            return  # not acknowledged: the client would retry
        if r.status_code == 202:
            accepted[i] = r.json()["documents"][0]["id"]

    with ThreadPoolExecutor(10) as pool:
        futures = [pool.submit(upload, i) for i in range(200)]
        while len(accepted) < 60:
            time.sleep(0.01)
        server.send_signal(signal.SIGKILL)  # mid-upload, mid-processing
        server.wait()
        for f in futures:
            f.result()
    acknowledged_before_crash = dict(accepted)
    assert 60 <= len(acknowledged_before_crash) < 200

    server = serve(env, port, log)  # restart: interrupted jobs resume
    try:
        with ThreadPoolExecutor(10) as pool:  # the clients retry what was not acknowledged
            list(pool.map(upload, [i for i in range(200) if i not in accepted]))
        assert len(accepted) == 200
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            statuses = [
                httpx.get(f"http://127.0.0.1:{port}/api/v1/documents/{d}", headers=headers).json()["status"]
                for d in accepted.values()
            ]
            if all(s in {"done", "failed"} for s in statuses):
                break
            time.sleep(0.5)
        assert statuses.count("done") == 200, f"{statuses.count('done')} done of 200"
        # Drafts: a records export without every tenth invoice; two reconciliations, one draft for each missing.
        rv_key = (
            subprocess.run(
                [sys.executable, "-m", "fapiao.cli", "keys", "create", "--role", "reviewer"],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        rv = {"Authorization": f"Bearer {rv_key}"}
        missing = {inv.invoice_number for inv in invoices[::10]}
        rows = [
            [
                inv.invoice_number,
                inv.seller_name,
                inv.seller_tax_id,
                inv.issue_date.isoformat(),
                str(inv.total_amount),
                str(inv.total_tax),
                str(inv.amount_with_tax),
                "正常",
            ]
            for inv in invoices
            if inv.invoice_number not in missing
        ]
        imp = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/records/imports",
            headers=rv,
            timeout=60,
            data={"mapping": json.dumps(MAPPING)},
            files={"file": ("ledger.csv", csv_bytes(rows), "text/csv")},
        )
        assert imp.status_code in (200, 201) and imp.json()["inserted"] == 180, imp.text
        created = []
        for _ in range(2):
            run = httpx.post(f"http://127.0.0.1:{port}/api/v1/reconciliations", headers=rv, json={}, timeout=60)
            assert run.status_code == 201, run.text
            assert run.json()["counts"]["missing_in_system"] == 20, run.json()["counts"]
            created.append(run.json()["drafts_created"])
        assert created == [20, 0]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    db = sqlite3.connect(data_dir / "fapiao.db")
    assert db.execute("SELECT count(*) FROM documents").fetchone()[0] == 200
    per_doc = db.execute("SELECT document_id, count(*) FROM extracted_invoices GROUP BY document_id").fetchall()
    assert len(per_doc) == 200 and all(n == 1 for _, n in per_doc)  # processed exactly once: no duplicate rows
    drafts = db.execute("SELECT invoice_key, count(*) FROM drafts GROUP BY invoice_key").fetchall()
    assert sorted(k for k, _ in drafts) == sorted(missing) and all(n == 1 for _, n in drafts)  # one each, no duplicate
    for doc_id in acknowledged_before_crash.values():  # everything acknowledged before the crash survived it
        assert db.execute("SELECT status FROM documents WHERE id = ?", (doc_id,)).fetchone()[0] == "done"
