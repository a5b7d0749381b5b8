"""End to end over the committed examples and a freshly generated set: every key field and every item
line must come out exactly as the ground truth says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from intake.models import Status
from intake.pipeline import Pipeline, PipelineOptions
from samples.generator.build import generate_set
from samples.scoring import compare

EXAMPLES = Path(__file__).resolve().parents[2] / "samples" / "examples"
DIGITAL_EXAMPLES = sorted(p for p in EXAMPLES.iterdir() if p.suffix in {".pdf", ".ofd", ".xml"})


def _check(path: Path, pipeline: Pipeline) -> list[str]:
    truth = json.loads(Path(f"{path}.truth.json").read_text(encoding="utf-8"))
    results = [r for r in pipeline.process_path(path) if r.invoice is not None]
    problems = []
    if len(results) != len(truth["invoices"]):
        return [f"{path.name}: {len(results)} invoices found, {len(truth['invoices'])} expected"]
    for entry, result in zip(truth["invoices"], results):
        cmp = compare(entry["invoice"], result.invoice)
        problems += [f"{path.name}: {w}" for w in cmp.wrong]
        if entry["pages"] and result.pages != entry["pages"]:
            problems.append(f"{path.name}: pages {result.pages}, expected {entry['pages']}")
        if result.status is not Status.verified:
            problems.append(f"{path.name}: {result.status.value} {[f.code for f in result.findings]}")
    return problems


@pytest.mark.parametrize("path", DIGITAL_EXAMPLES, ids=lambda p: p.name)
def test_committed_digital_examples(path: Path) -> None:
    assert _check(path, Pipeline(PipelineOptions(ocr=False))) == []


def test_committed_scan_example_through_ocr() -> None:
    scans = sorted(EXAMPLES.glob("*.png"))
    assert scans, "the examples include at least one scan"
    pipeline = Pipeline()
    for path in scans:
        truth = json.loads(Path(f"{path}.truth.json").read_text(encoding="utf-8"))["invoices"][0]["invoice"]
        (result,) = pipeline.process_path(path)
        cmp = compare(truth, result.invoice)
        assert cmp.all_key_fields_right, cmp.wrong
        assert result.fields["invoice_number"].source.value in {"ocr", "qr"}


def test_generated_set_every_field(tmp_path: Path) -> None:
    files = generate_set(tmp_path, 60, seed=20261122, formats=("pdf", "ofd", "xml"))
    pipeline = Pipeline(PipelineOptions(ocr=False))
    problems = [p for f in files for p in _check(f, pipeline)]
    assert problems == []
