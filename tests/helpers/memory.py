"""How much one piece of work raised the process's peak memory (Linux: the resident-set high-water mark,
reset before the work; the lifetime peak of a test process says nothing about the work at hand)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_kb(key: str) -> int:
    for line in _STATUS.read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


@dataclass
class PeakGrowth:
    mb: float = 0.0


@contextlib.contextmanager
def peak_growth() -> Iterator[PeakGrowth]:
    """Peak resident memory during the block above the resident memory at its start, in MB."""
    try:
        _CLEAR_REFS.write_text("5")  # resets VmHWM to the current resident set size
    except OSError as exc:
        pytest.skip(f"cannot reset the peak-memory mark ({_CLEAR_REFS}: {exc}); the memory bound is not checked")
    start = _status_kb("VmRSS")
    growth = PeakGrowth()
    yield growth
    growth.mb = (_status_kb("VmHWM") - start) / 1024
