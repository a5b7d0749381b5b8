"""Hostile and broken input: each file gets a clear `rejected` result (which file, what is wrong, what to
do) within bounded time, and nothing crashes the run."""

from __future__ import annotations

import time

import pytest

from fapiao.core.models import Status
from fapiao.intake.pipeline import Pipeline, PipelineOptions
from tests.helpers.hostile import CASES, expected_reason, good_pdf, hostile_bytes
from tests.helpers.memory import peak_growth

NAMES = [
    pytest.param(name, marks=pytest.mark.slow) if name == "photo.png" else name  # OCR reads the blank photo
    for name in sorted(CASES)
]


@pytest.mark.parametrize("name", NAMES)
def test_hostile_file_is_rejected_clearly_and_quickly(name: str) -> None:
    data = hostile_bytes(name)  # built before the clock and the memory mark start
    pipeline = Pipeline(PipelineOptions())
    start = time.monotonic()
    with peak_growth() as grown:
        (result,) = pipeline.process_bytes(data, name)
    elapsed = time.monotonic() - start
    assert result.status is Status.rejected
    assert name in result.error and expected_reason(name) in result.error, result.error
    assert elapsed < 20, f"{name} took {elapsed:.1f} s"
    assert grown.mb < 500, f"{name} raised the peak memory by {grown.mb:.0f} MB"


def test_a_bad_file_does_not_stop_the_next_one() -> None:
    pipeline = Pipeline(PipelineOptions(ocr=False))
    results = [r for name in ("laughs.xml", "encrypted.pdf") for r in pipeline.process_bytes(hostile_bytes(name), name)]
    results += pipeline.process_bytes(good_pdf(), "good.pdf")
    assert [r.status for r in results][:2] == [Status.rejected, Status.rejected]
    assert results[2].invoice.invoice_number == "12345678"
