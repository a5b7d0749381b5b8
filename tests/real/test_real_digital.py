"""The pipeline over the real digital invoices of ../shared/real-invoices (PDF text layers and OFDs; the
images and photos need OCR and are left to ``benchmarks.real``). Every key field of every one must be right,
no 合计 row may be read as an item, item names must be kept, and nothing wrong may be ``verified``."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.real import DIGITAL_KINDS, Scored, load_truth, run_documents, score, summarise, truth_documents
from fapiao.intake.pipeline import Pipeline, PipelineOptions

ROOT = Path(__file__).resolve().parents[2] / ".." / "shared" / "real-invoices"
pytestmark = pytest.mark.skipif(
    not (ROOT / "truth.tsv").is_file(), reason=f"the real-invoice set is absent ({ROOT.resolve()} has no truth.tsv)"
)
NOT_VERIFIED = {"ofd_008.ofd"}
"""The specification sample: placeholder code/number/check code and a QR of another invoice, so it goes to a
person — with every field read as printed."""


@pytest.fixture(scope="module")
def scored() -> dict[str, Scored]:
    truth = load_truth(ROOT / "truth.tsv")
    runs = run_documents(truth_documents(ROOT, truth, DIGITAL_KINDS), Pipeline(PipelineOptions(ocr=False)))
    return {row.file: row for row in score(runs, truth)}


def _digital_files() -> list[str]:
    if not (ROOT / "truth.tsv").is_file():
        return []
    return [f for f in load_truth(ROOT / "truth.tsv") if f.split("_", 1)[0] in DIGITAL_KINDS]


@pytest.mark.parametrize("file", _digital_files())
def test_every_key_field_right_and_items_clean(scored: dict[str, Scored], file: str) -> None:
    row = scored[file]
    assert row.wrong == [], f"{file}: wrong key fields (field, expected, got): {row.wrong}"
    assert row.item_problems == [], f"{file}: item table problems: {row.item_problems}"
    assert not row.silent_error
    if file not in NOT_VERIFIED:
        assert row.status == "verified", f"{file}: {row.status}"


def test_the_digital_set_as_a_whole(scored: dict[str, Scored]) -> None:
    summary = summarise(list(scored.values()))["all"]
    assert summary.documents == len(_digital_files()) >= 30
    assert summary.fields_right == summary.fields_scored
    assert summary.all_right == summary.documents
    assert summary.verified >= 0.9 * summary.documents
    assert summary.silent_errors == []
