"""`fapiao backfill` as a user runs it (a real subprocess with a real process pool): a zip with hostile member
names and a duplicate, a records export with invoices left out; the outputs are re-read cell by cell; a rerun
reads nothing again; a newer export re-reconciles from the cache; Ctrl-C stops cleanly and the next run
continues where it stopped."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from fapiao.matching.export import TAX_BUREAU_HEADERS
from samples.generator.build import generate_set, load_truth
from samples.generator.records_export import export_row, write_records_export

pytestmark = pytest.mark.slow  # subprocesses and a process pool

FAPIAO = [sys.executable, "-m", "fapiao.cli"]
ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*FAPIAO, "backfill", *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("backfill")
    files = generate_set(tmp / "gen", 24, 11, formats=("pdf", "xml", "ofd"))
    invoices = [inv for f in files for inv in load_truth(f)]
    export = tmp / "export.csv"
    missing = write_records_export(invoices, export, 0.25, seed=2)
    assert 2 <= len(missing) < len(invoices)
    archive = tmp / "docs.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in files:
            zf.write(f, f"2024/{f.name}")
        zf.write(files[0], "copies/again.pdf")  # the same bytes under another name: read once, reported as duplicate
        zf.writestr("../../outside.txt", b"not an invoice")  # only ever a label, never a path
        zf.writestr("empty.pdf", b"")
    return {"tmp": tmp, "files": files, "invoices": invoices, "export": export, "missing": missing, "zip": archive}


def test_backfill_outputs_rerun_and_new_export(corpus: dict, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = _run(str(corpus["zip"]), "--records", str(corpus["export"]), "--out", str(out), "--workers", "2", "--json")
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    n = len(corpus["files"])
    assert summary["files"] == n + 3 and summary["read"] == n + 2  # the copy is not read twice
    cats = summary["categories"]
    assert cats["missing_in_system"] == len(corpus["missing"]) and summary["drafts"] == len(corpus["missing"])
    assert cats["duplicate"] == 1 and cats["rejected"] == 2
    assert cats["matched"] == len(corpus["invoices"]) - len(corpus["missing"])
    assert "reading" in first.stderr and "pages/s" in first.stderr  # the progress bar went to stderr

    # drafts.xlsx: the export's own header row, one row per missing invoice, every cell as the truth says.
    rows = list(openpyxl.load_workbook(out / "drafts.xlsx")["drafts"].iter_rows(values_only=True))
    assert rows[0] == TAX_BUREAU_HEADERS
    truth = {inv.key: inv for inv in corpus["invoices"]}
    drafted = {}
    for row in rows[1:]:
        cell = dict(zip(rows[0], row, strict=False))
        key = cell["数电票号码"] or f"{cell['发票代码']}:{cell['发票号码']}"
        drafted[key] = cell
    assert set(drafted) == corpus["missing"]
    for key, cell in drafted.items():
        expected = dict(zip(TAX_BUREAU_HEADERS, export_row(truth[key]), strict=False))
        for h in ("销方识别号", "销方名称", "购方识别号", "购买方名称", "发票票种"):
            assert (cell[h] or "") == expected[h], (key, h)
        for h in ("金额", "税额", "价税合计"):
            assert Decimal(str(cell[h])).quantize(Decimal("0.01")) == Decimal(expected[h]), (key, h)
        assert cell["开票日期"].date().isoformat() == expected["开票日期"]

    # reconciliation.xlsx: a sheet per category; log.jsonl: one line per document, rejected ones with why.
    wb = openpyxl.load_workbook(out / "reconciliation.xlsx")
    assert wb["missing_in_system"].max_row == 1 + len(corpus["missing"])
    log = [json.loads(x) for x in (out / "log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(log) == len(corpus["invoices"]) + 3
    rejected = {x["source"]: x["error"] for x in log if x["category"] == "rejected"}
    assert set(rejected) == {"docs.zip:outside.txt", "docs.zip:empty.pdf"}
    assert "empty" in rejected["docs.zip:empty.pdf"]
    assert not (tmp_path / "outside.txt").exists() and not (corpus["tmp"] / "outside.txt").exists()

    # Run again: nothing is read, the outputs are the same.
    again = _run(str(corpus["zip"]), "--records", str(corpus["export"]), "--out", str(out), "--json")
    assert again.returncode == 0, again.stderr
    s2 = json.loads(again.stdout)
    assert s2["read"] == 0 and s2["from_cache"] == n + 3 and s2["categories"] == cats

    # A newer export that now contains one of the missing invoices: re-reconciled from the cache alone.
    newer = tmp_path / "newer.csv"
    booked = sorted(corpus["missing"])[0]
    newer.write_text(
        corpus["export"].read_text(encoding="utf-8-sig") + ",".join(export_row(truth[booked])) + "\n",
        encoding="utf-8-sig",
    )
    third = _run(str(corpus["zip"]), "--records", str(newer), "--out", str(out), "--json")
    s3 = json.loads(third.stdout)
    assert s3["read"] == 0 and s3["categories"]["missing_in_system"] == len(corpus["missing"]) - 1
    assert s3["categories"]["matched"] == cats["matched"] + 1


def test_bad_source_and_records_are_clear_errors(corpus: dict, tmp_path: Path) -> None:
    res = _run(str(tmp_path / "nowhere"), "--records", str(corpus["export"]), "--out", str(tmp_path / "o"))
    assert res.returncode == 2 and "no such file or folder" in res.stderr
    not_zip = tmp_path / "x.bin"
    not_zip.write_bytes(b"hello")
    res = _run(str(not_zip), "--records", str(corpus["export"]), "--out", str(tmp_path / "o"))
    assert res.returncode == 2 and "not a folder and not a zip" in res.stderr
    res = _run(str(corpus["zip"]), "--records", str(tmp_path / "none.csv"), "--out", str(tmp_path / "o"))
    assert res.returncode == 2 and "none.csv" in res.stderr


def _cached(out: Path) -> int:
    db = out / ".fapiao-cache.sqlite"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM results").fetchone()[0]
    except sqlite3.OperationalError:  # the table is not created yet
        return 0


def test_ctrl_c_stops_cleanly_and_the_next_run_continues(tmp_path: Path) -> None:
    files = generate_set(tmp_path / "docs", 300, 5, formats=("xml", "pdf"))
    invoices = [inv for f in files for inv in load_truth(f)]
    for f in (tmp_path / "docs").glob("*.truth.json"):
        f.unlink()  # only the documents are in the folder
    export = tmp_path / "export.csv"
    write_records_export(invoices, export, 0.1, seed=1)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [*FAPIAO, "backfill", str(tmp_path / "docs"), "--records", str(export), "--out", str(out), "--workers", "2"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while _cached(out) < 20:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "run the same command again" in stderr
    kept = _cached(out)
    assert 20 <= kept < 300
    assert not (out / "drafts.xlsx").exists()  # nothing half-written
    res = subprocess.run(
        [
            *FAPIAO,
            "backfill",
            str(tmp_path / "docs"),
            "--records",
            str(export),
            "--out",
            str(out),
            "--workers",
            "2",
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    s = json.loads(res.stdout)
    assert s["from_cache"] == kept and s["read"] == 300 - kept and _cached(out) == 300
