"""`fapiao db backup / restore / check` on SQLite and PostgreSQL, through the real command line: a backup taken
while the service runs and keeps accepting uploads is consistent (every document in it has its original, its
manifest's hashes hold) and brings the data back after a loss; a damaged backup is refused before anything is
written; `db check` names documents without their original, damaged originals, invoices without their document
and jobs stuck in processing, and exits non-zero."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select, text, update

from fapiao.api.app import create_app
from fapiao.core.settings import Settings
from fapiao.storage.db import session_scope
from fapiao.storage.service_tables import Document, ExtractedInvoice
from tests.helpers.service import wait_done as _wait_done
from tests.helpers.service import xml
from tests.service.conftest import make_key


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "FAPIAO_DATA_DIR": str(settings.data_dir), "FAPIAO_DATABASE_URL": settings.db_url}
    return subprocess.run(
        [sys.executable, "-m", "fapiao.cli", "db", *args], env=env, capture_output=True, text=True, timeout=300
    )


def _upload(client: TestClient, h: dict, n: int) -> str:
    data = xml(f"243100000000000{n:05d}", "100.00", "6.00")
    return client.post("/api/v1/documents", headers=h, files=[("files", (f"{n}.xml", data))]).json()["documents"][0][
        "id"
    ]


def test_backup_while_running_then_restore_after_a_loss(settings: Settings, tmp_path: Path) -> None:
    backup_dir = tmp_path / "backup"
    with TestClient(create_app(settings)) as client:
        up = make_key(client, "uploader")
        first = [_upload(client, up, i) for i in range(5)]
        for d in first:
            assert _wait_done(client, d, up)["status"] == "done"
        stop = threading.Event()
        during: list[str] = []

        def keep_uploading() -> None:  # the service is in use while the backup runs
            n = 100
            while not stop.is_set():
                during.append(_upload(client, up, n))
                n += 1

        writer = threading.Thread(target=keep_uploading)
        writer.start()
        try:
            done = _cli(settings, "backup", str(backup_dir))
        finally:
            stop.set()
            writer.join()
        assert done.returncode == 0, done.stderr
        assert during  # uploads really ran meanwhile
        with session_scope(client.app.state.ctx.sessions) as s:
            before = {d.id: d.sha256 for d in s.scalars(select(Document))}

    manifest = json.loads((backup_dir / "manifest.json").read_text())
    for rel, sha in manifest["files"].items():
        assert hashlib.sha256((backup_dir / rel).read_bytes()).hexdigest() == sha, rel
    # consistent: every document in the copied database has its original in the copy
    kind = manifest["database"]["kind"]
    assert kind == ("sqlite" if settings.db_url.startswith("sqlite") else "postgresql")
    copied = {Path(r).name for r in manifest["files"] if r.startswith("originals/")}
    if kind == "sqlite":
        import sqlite3

        with sqlite3.connect(backup_dir / "fapiao.db") as conn:
            in_backup = {sha for (sha,) in conn.execute("SELECT sha256 FROM documents")}
        assert in_backup <= copied and len(in_backup) >= 5

    # the loss: two originals deleted, one document's row and its invoices gone
    blobs = settings.data_dir / "originals"
    victims = list(before.values())[:2]
    for sha in victims:
        (blobs / sha[:2] / sha[2:4] / sha).unlink()
    from fapiao.service.runtime import start_service

    ctx = start_service(settings)
    try:
        with session_scope(ctx.sessions) as s:
            s.delete(s.get(Document, first[0]))
    finally:
        ctx.close()
    broken = _cli(settings, "check")
    assert broken.returncode == 1 and victims[1] in broken.stdout, broken.stdout

    restored = _cli(settings, "restore", str(backup_dir))
    assert restored.returncode == 0, restored.stderr
    ok = _cli(settings, "check")
    assert ok.returncode == 0 and ok.stdout == "", ok.stdout
    ctx = start_service(settings)
    try:
        with session_scope(ctx.sessions) as s:
            after = {d.id for d in s.scalars(select(Document))}
        assert set(first) <= after and all(ctx.blobs.exists(sha) for sha in victims)
    finally:
        ctx.close()

    # a damaged backup is refused, naming the file, before anything is written
    victim = next(r for r in manifest["files"] if r.startswith("originals/"))
    (backup_dir / victim).write_bytes(b"tampered")
    refused = _cli(settings, "restore", str(backup_dir))
    assert refused.returncode == 2 and victim in refused.stderr.replace("\n", ""), refused.stderr


def test_check_names_every_kind_of_inconsistency(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        up = make_key(client, "uploader")
        ids = [_upload(client, up, i) for i in range(4)]
        for d in ids:
            assert _wait_done(client, d, up)["status"] == "done"
        ctx = client.app.state.ctx
        with session_scope(ctx.sessions) as s:
            docs = {d.id: d for d in s.scalars(select(Document))}
            inv = s.scalar(select(ExtractedInvoice).where(ExtractedInvoice.document_id == ids[2]))
            inv_id = inv.id
    assert _cli(settings, "check").returncode == 0
    missing, damaged, orphaned, stuck = (docs[i] for i in ids)
    blobs = settings.data_dir / "originals"
    (blobs / missing.sha256[:2] / missing.sha256[2:4] / missing.sha256).unlink()
    (blobs / damaged.sha256[:2] / damaged.sha256[2:4] / damaged.sha256).write_bytes(b"bit rot")
    from fapiao.storage.db import make_engine

    engine = make_engine(settings.db_url)
    try:
        with engine.begin() as conn:  # a row left behind as a broken restore or a manual edit would leave it
            if engine.dialect.name == "sqlite":
                conn.execute(text("PRAGMA foreign_keys=OFF"))
            else:
                conn.execute(text("SET session_replication_role = replica"))
            conn.execute(text("DELETE FROM documents WHERE id = :id"), {"id": orphaned.id})
        with engine.begin() as conn:
            old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=5)
            conn.execute(update(Document).where(Document.id == stuck.id).values(status="processing", started_at=old))
    finally:
        engine.dispose()
    got = _cli(settings, "check")
    assert got.returncode == 1, got.stdout
    lines = got.stdout.splitlines()
    assert any(missing.id in ln and "missing" in ln for ln in lines), lines
    assert any(damaged.sha256 in ln and "does not match" in ln for ln in lines), lines
    assert any(f"invoice {inv_id}" in ln and orphaned.id in ln for ln in lines), lines
    assert any(stuck.id in ln and "processing" in ln for ln in lines), lines
    assert len(lines) == 4, lines
