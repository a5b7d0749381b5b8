"""End to end over the committed examples and a freshly generated set: every key field and every item
line must come out exactly as the ground truth says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fapiao.core.models import Status
from fapiao.intake.pipeline import Pipeline, PipelineOptions
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
    for entry, result in zip(truth["invoices"], results, strict=False):
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


SCAN_EXAMPLES = sorted(p for p in EXAMPLES.iterdir() if p.suffix in {".png", ".jpg"})
ITEMS_CHECKED = {"e_normal_photo_on_desk.jpg"}
"""Examples whose item lines must come out right too (the photo beside another sheet: read once, flat)."""


@pytest.mark.slow  # the OCR models
@pytest.mark.parametrize("path", SCAN_EXAMPLES, ids=lambda p: p.name)
def test_committed_scans_through_ocr(path: Path) -> None:
    """A clean page image, a stamped scan upside down, a photo on a desk beside another sheet, a 150 dpi scan
    turned a quarter, and two invoices on one A4 scan: every invoice found, every key field right (and on the
    photo every item line too)."""
    truths = json.loads(Path(f"{path}.truth.json").read_text(encoding="utf-8"))["invoices"]
    results = [r for r in Pipeline().process_path(path) if r.invoice is not None]
    assert len(results) == len(truths)
    for entry, result in zip(truths, results, strict=False):
        cmp = compare(entry["invoice"], result.invoice, printed=True)
        assert cmp.all_key_fields_right, cmp.wrong
        assert result.fields["invoice_number"].source.value in {"ocr", "qr"}
        if path.name in ITEMS_CHECKED:
            assert [w for w in cmp.wrong if w.startswith("items")] == []


def test_generated_set_every_field(tmp_path: Path) -> None:
    files = generate_set(tmp_path, 60, seed=20261122, formats=("pdf", "ofd", "xml"))
    pipeline = Pipeline(PipelineOptions(ocr=False))
    problems = [p for f in files for p in _check(f, pipeline)]
    assert problems == []
