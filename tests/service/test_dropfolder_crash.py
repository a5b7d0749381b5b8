"""kill -9 the server while the drop folder is ingesting: after a restart every file ends processed exactly
once and is moved exactly once — none left in the inbox, none moved twice (no time-stamped second copy),
none lost, one set of invoices per document."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.builders import OLD_LABELS, OLD_VALUES, placed_pdf
from tests.helpers.processes import free_port, serve

FILES = 50


def _wait_for(cond, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.005)
    raise AssertionError(f"{what} within {timeout} s")


@pytest.mark.slow
def test_kill_9_while_the_drop_folder_ingests_moves_each_file_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    inbox, processed = data_dir / "inbox", data_dir / "processed"
    inbox.mkdir(parents=True)
    base = placed_pdf(OLD_LABELS, OLD_VALUES)
    for i in range(FILES):
        (inbox / f"scan-{i:03d}.pdf").write_bytes(base + f"\n%{i}".encode())
    env = {
        **os.environ,
        "FAPIAO_DATA_DIR": str(data_dir),
        "FAPIAO_DROP_FOLDER": "true",
        "FAPIAO_WORKERS": "2",
        "FAPIAO_OCR": "false",
    }
    subprocess.run([sys.executable, "-m", "fapiao.cli", "db", "upgrade"], env=env, check=True, capture_output=True)
    port, log = free_port(), tmp_path / "server.log"
    moved = lambda: [p for p in processed.rglob("*.pdf")]  # noqa: E731
    server = serve(env, port, log)
    try:
        _wait_for(lambda: len(moved()) >= 10, 60, "the drop folder moved nothing")
    finally:
        server.send_signal(signal.SIGKILL)  # mid-ingestion: files read, jobs committed, moves half done
        server.wait()
    at_kill = len(moved())
    assert at_kill < FILES, "the whole inbox was ingested before the kill; nothing was cut off"
    server = serve(env, port, log)  # the restart: interrupted jobs resume, the inbox is scanned again
    try:
        db = data_dir / "fapiao.db"

        def finished() -> bool:
            with sqlite3.connect(db) as conn:
                statuses = [s for (s,) in conn.execute("SELECT status FROM documents")]
            return not list(inbox.rglob("*.pdf")) and len(statuses) == FILES and set(statuses) == {"done"}

        _wait_for(finished, 120, "the inbox was not emptied and processed")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    names = sorted(p.name for p in moved())
    assert names == [f"scan-{i:03d}.pdf" for i in range(FILES)]  # each moved once, under its own name
    assert list(inbox.rglob("*")) == [] and list((data_dir / "failed").rglob("*")) == []
    with sqlite3.connect(data_dir / "fapiao.db") as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT filename) FROM documents").fetchone() == (FILES, FILES)
        per_doc = conn.execute("SELECT document_id, count(*) FROM extracted_invoices GROUP BY document_id").fetchall()
    assert len(per_doc) == FILES and {n for _, n in per_doc} == {1}
