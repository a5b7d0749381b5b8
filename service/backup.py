"""Backups and an integrity check of a data directory.

``backup`` copies the database consistently while the service runs (SQLite's online backup API; ``pg_dump``,
which reads one snapshot, for PostgreSQL) and THEN the originals: an original is on disk before its row is
committed, so every document in the copied database has its original in the copy. A ``manifest.json`` lists
every copied file with its SHA-256. ``restore`` checks those hashes before it writes anything, then brings the
database and the originals back (stop the service first). ``check`` reports documents without their original,
originals whose content does not match their hash, invoices without their document and jobs stuck in
``processing``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from fapiao.core.settings import Settings
from fapiao.core.states import JobStatus
from fapiao.storage.blobs import BlobStore
from fapiao.storage.db import make_engine, session_factory, session_scope
from fapiao.storage.service_tables import Document, ExtractedInvoice

MANIFEST = "manifest.json"
SQLITE_FILE = "fapiao.db"
PG_FILE = "database.pgdump"
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_file(url: str) -> str:
    path = make_url(url).database
    if not path:
        raise BackupError(f"{url}: an SQLite database in memory cannot be backed up; use a file")
    return path


# -- PostgreSQL through pg_dump / pg_restore ----------------------------------------------------------------


@dataclass(frozen=True)
class _Pg:
    uri: str
    """A libpq URI (no driver name) for the command-line tools."""
    password: str | None
    schema: str | None
    """The schema named by ``options=-csearch_path=…`` in the URL, if any: only it is dumped and restored."""


def _pg(url: str) -> _Pg:
    u = make_url(url)
    options = unquote(str(u.query.get("options", "")))
    schema = None
    for part in options.split():
        if part.startswith("-csearch_path="):
            schema = part.split("=", 1)[1].split(",")[0].strip('"') or None
    plain = u.set(drivername="postgresql", password=None, query={})
    return _Pg(plain.render_as_string(hide_password=False), u.password, schema)


def _run(cmd: list[str], pg: _Pg) -> None:
    tool = shutil.which(cmd[0])
    if tool is None:
        raise BackupError(f"{cmd[0]} is not installed; install the PostgreSQL client tools (same major version)")
    env = dict(os.environ)
    if pg.password:
        env["PGPASSWORD"] = pg.password
    done = subprocess.run([tool, *cmd[1:]], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{cmd[0]} failed: {done.stderr.strip()[-2000:]}")


# -- backup ------------------------------------------------------------------------------------------------


def backup(settings: Settings, dest: Path) -> dict:
    """Copy the database, then the originals, into the empty or new folder ``dest``; returns the manifest."""
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty; give a new folder for each backup")
    dest.mkdir(parents=True, exist_ok=True)
    url = settings.db_url
    if _is_sqlite(url):
        source = sqlite3.connect(_sqlite_file(url), timeout=30)
        target = sqlite3.connect(dest / SQLITE_FILE)
        try:
            with target:
                source.backup(target)  # one consistent snapshot, while writers carry on
        finally:
            target.close()
            source.close()
        database = {"kind": "sqlite", "file": SQLITE_FILE}
    else:
        pg = _pg(url)
        cmd = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={dest / PG_FILE}"]
        if pg.schema:
            cmd.append(f"--schema={pg.schema}")
        _run([*cmd, pg.uri], pg)
        database = {"kind": "postgresql", "file": PG_FILE, "schema": pg.schema or ""}
    blobs = BlobStore(settings.data_dir / "originals")
    files = {database["file"]: _sha256(dest / database["file"])}
    for path in sorted(blobs.root.glob("??/??/*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        rel = path.relative_to(blobs.root)
        out = dest / "originals" / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, out)
        files[f"originals/{rel.as_posix()}"] = _sha256(out)
    manifest = {
        "format": 1,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "database": database,
        "files": files,
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


# -- restore -----------------------------------------------------------------------------------------------


def verify_backup(src: Path) -> dict:
    """The manifest of backup ``src`` once every file it lists is there with its hash; BackupError otherwise."""
    src = Path(src)
    try:
        manifest = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{src}: no {MANIFEST}; this is not a folder made by `fapiao db backup`") from None
    bad = []
    for rel, sha in manifest["files"].items():
        path = src / rel
        if ".." in Path(rel).parts or not path.is_file():
            bad.append(f"{rel}: missing")
        elif _sha256(path) != sha:
            bad.append(f"{rel}: its SHA-256 differs from the manifest's")
    if bad:
        raise BackupError(f"{src}: the backup is damaged, nothing was restored: " + "; ".join(bad[:20]))
    return manifest


def restore(settings: Settings, src: Path) -> dict:
    """Bring backup ``src`` back into the configured database and data directory (stop the service first).
    Originals are added (content-addressed, so nothing newer is lost); the database is replaced."""
    src = Path(src)
    manifest = verify_backup(src)
    db = manifest["database"]
    url = settings.db_url
    if (db["kind"] == "sqlite") != _is_sqlite(url):
        raise BackupError(f"{src}: a {db['kind']} backup cannot be restored into {make_url(url).get_backend_name()}")
    if db["kind"] == "sqlite":
        live = Path(_sqlite_file(url))
        live.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(src / db["file"])
        target = sqlite3.connect(live, timeout=30)
        try:
            with target:
                source.backup(target)  # page by page into the live file: its WAL and readers stay consistent
        finally:
            target.close()
            source.close()
    else:
        pg = _pg(url)
        engine = make_engine(url)
        try:
            with engine.begin() as conn:
                if db.get("schema"):
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{db["schema"]}" CASCADE'))
                else:
                    conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                    conn.execute(text("CREATE SCHEMA public"))
        finally:
            engine.dispose()
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--dbname={pg.uri}",
                str(src / db["file"]),
            ],
            pg,
        )
    blobs = BlobStore(settings.data_dir / "originals")
    for rel in manifest["files"]:
        if rel.startswith("originals/"):
            sha = Path(rel).name
            if not blobs.exists(sha):
                with (src / rel).open("rb") as fh:
                    blobs.put_file(fh, max_bytes=1 << 62)
    return manifest


# -- integrity check ---------------------------------------------------------------------------------------


def check(settings: Settings) -> list[str]:
    """Every inconsistency between the database and the originals, one line each (empty: all is well)."""
    problems: list[str] = []
    engine = make_engine(settings.db_url)
    blobs = BlobStore(settings.data_dir / "originals")
    try:
        sessions = session_factory(engine)
        with session_scope(sessions) as s:
            for doc_id, sha, name in s.execute(select(Document.id, Document.sha256, Document.filename)):
                if not blobs.exists(sha):
                    problems.append(f"document {doc_id} ({name}): its original {sha} is missing")
            orphans = s.execute(
                select(ExtractedInvoice.id, ExtractedInvoice.document_id)
                .outerjoin(Document, Document.id == ExtractedInvoice.document_id)
                .where(Document.id.is_(None))
            )
            for inv_id, doc_id in orphans:
                problems.append(f"invoice {inv_id}: its document {doc_id} does not exist")
            limit = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=settings.job_timeout_minutes)
            for doc_id, name, started in s.execute(
                select(Document.id, Document.filename, Document.started_at).where(
                    Document.status == JobStatus.processing
                )
            ):
                if started is None or (started if started.tzinfo else started.replace(tzinfo=dt.UTC)) < limit:
                    problems.append(
                        f"document {doc_id} ({name}): stuck in processing since {started or 'an unknown time'}; "
                        "restart the service (it resumes interrupted jobs)"
                    )
    finally:
        engine.dispose()
    for path in sorted(blobs.root.glob("??/??/*")):
        if path.is_file() and not path.name.startswith(".") and _sha256(path) != path.name:
            problems.append(f"original {path.name}: its content does not match its hash (damaged on disk)")
    return problems
