"""Real invoices printed and scanned at 150 dpi (``benchmarks.real_scans``): pages that once lost their 数电
labels to the seal clean-up, their totals to a misread or spaced-out header, or gave a private buyer the
seller's ID now come out whole."""

from __future__ import annotations

import pytest

from benchmarks.real_scans import REAL_DIR, load_truth, printed_pages, run_pipeline

pytestmark = [
    pytest.mark.slow,  # renders, degrades and OCRs four real pages
    pytest.mark.skipif(not (REAL_DIR / "truth.tsv").is_file(), reason=f"the real-invoice set is absent ({REAL_DIR})"),
]
PAGES = ("sd_006.pdf", "sd_008.pdf", "einv_011.pdf", "toll_002.pdf")
"""At 150 dpi: phone photos (as the benchmark degrades them) of two 数电 invoices (sd_008's buyer is a
person without an ID), a toll invoice and an old-layout e-invoice."""


def test_low_resolution_photos_of_real_invoices_read_every_key_field() -> None:
    truth = {f: row for f, row in load_truth().items() if f in PAGES}
    pages = printed_pages(truth, [150], 0.3, None)
    assert [p.profile for p in pages] == ["photo"] * len(PAGES)
    scores, _, _ = run_pipeline(pages)
    assert [s.wrong for s in scores] == [[]] * len(PAGES), [f"{s.file}: {s.wrong}" for s in scores]
    assert not any(s.silent for s in scores)
