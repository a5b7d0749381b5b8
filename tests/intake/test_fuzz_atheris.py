"""A short coverage-guided run (atheris) over every byte-level parser at once: no input may crash one. The
longer, per-target runs are documented in tests/atheris_fuzz.py and docs/RELIABILITY.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.fuzzing import examples

pytestmark = pytest.mark.slow  # fuzzing, in subprocesses

pytest.importorskip("atheris", reason="atheris is a dev dependency (pip install -e '.[dev]')")
ROOT = Path(__file__).resolve().parents[2]


def test_coverage_guided_fuzzing_finds_no_crash(tmp_path: Path) -> None:
    runs = examples(5_000)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.atheris_fuzz",
            "all",
            f"-atheris_runs={runs}",
            "-max_len=4096",
            "-seed=9",
            "-max_total_time=60",
            f"-artifact_prefix={tmp_path}/",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    crashes = [p.name for p in tmp_path.iterdir() if p.name.startswith(("crash-", "oom-", "timeout-"))]
    assert proc.returncode == 0 and not crashes, proc.stderr[-3000:]
    assert "Done " in proc.stderr  # libFuzzer finished its runs (or its time) without a crash
