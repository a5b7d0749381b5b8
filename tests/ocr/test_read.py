"""Real OCR (RapidOCR, models from the wheel) and QR decoding on rendered and degraded pages."""

from __future__ import annotations

import numpy as np
import pytest

from fapiao.core.models import FieldSource
from fapiao.ocr.engines.base import NullEngine
from fapiao.ocr.qr import decode_qr
from fapiao.ocr.read import ocr_page
from samples.generator.scan import degrade

pytestmark = pytest.mark.slow  # the OCR models


def _text(result) -> str:
    """All boxes' text as the extractor sees it (NFKC: the recogniser prints some digits full width)."""
    from fapiao.intake.extract.text import compact

    return "".join(compact(b.text) for b in result.boxes)


def test_rapidocr_reads_known_text_on_a_rendered_page(page, rapid_engine):
    img, truth = page
    result = ocr_page(img, engine=rapid_engine)
    text = _text(result)
    for key in ("invoice_number", "issue_date", "buyer_name", "seller_name", "seller_tax_id"):
        assert truth[key].replace(" ", "") in text, key
    box = next(b for b in result.boxes if truth["buyer_name"] in b.text)
    assert box.source is FieldSource.ocr and 0.9 < box.confidence <= 1.0
    region = result.regions[0]
    h, w = region.prepared.image.shape[:2]
    assert 0 <= box.x0 < box.x1 <= w and 0 <= box.y0 < box.y1 <= h
    assert [q.text.split(",")[3] for q in result.qr] == [truth["invoice_number"]]


def test_ocr_on_an_upside_down_photo(page, rapid_engine):
    img, truth = page
    photo = degrade(img, np.random.default_rng(4), "photo")  # seed 4: upside down, seal, perspective
    result = ocr_page(photo, engine=rapid_engine, page=3)
    assert result.regions[0].prepared.quarter_turns == 2
    text = _text(result)
    assert truth["invoice_number"] in text and truth["seller_tax_id"] in text
    assert {b.page for b in result.boxes} == {3}


def test_ocr_page_works_with_any_engine(page):
    result = ocr_page(page[0], engine=NullEngine())
    assert result.engine == "null" and result.boxes == [] and len(result.qr) == 1


@pytest.mark.parametrize(
    "profile,seed", [("scan", 0), ("scan", 1), ("scan", 2), ("photo", 0), ("photo", 1), ("photo", 2), ("photo", 3)]
)
def test_qr_decodes_on_degraded_pages_after_preparation(page, profile, seed):
    img, truth = page
    result = ocr_page(degrade(img, np.random.default_rng(seed), profile), engine=NullEngine())
    assert [q.text.split(",")[3] for q in result.qr] == [truth["invoice_number"]]


def test_decode_qr_on_a_blurred_low_resolution_scan(page):
    import cv2

    img, truth = page
    small = cv2.GaussianBlur(cv2.resize(img, None, fx=0.6, fy=0.6, interpolation=cv2.INTER_AREA), (0, 0), 1.0)
    assert [q.text.split(",")[3] for q in decode_qr(small)] == [truth["invoice_number"]]


def test_lines_recognised_in_parallel_are_the_lines_read_one_at_a_time(page):
    """Two recognition threads (one per core) must hand every line its own reading, in page order: the same
    boxes, texts and confidences as one thread reading them in turn."""
    from fapiao.ocr.engines.rapid import RapidOcrEngine
    from fapiao.ocr.settings import OcrSettings

    img, truth = page
    one, two = RapidOcrEngine(OcrSettings(threads=1)), RapidOcrEngine(OcrSettings(threads=2))
    try:
        assert one._rec_pool is None and two._rec_pool is not None
        a, b = ocr_page(img, engine=one), ocr_page(img, engine=two)
    finally:
        one.close()
        two.close()
    assert len(a.boxes) > 30
    assert [(x.text, x.bbox) for x in a.boxes] == [(y.text, y.bbox) for y in b.boxes]
    assert [x.confidence for x in a.boxes] == pytest.approx([y.confidence for y in b.boxes], abs=1e-4)
    assert truth["seller_tax_id"] in "".join(x.text for x in b.boxes).replace(" ", "")


def test_the_ppocrv6_model_set_reads_the_same_page():
    # FAPIAO_OCR_MODELS=ppocrv6: the PP-OCRv6 small models shipped inside the rapidocr 3.x wheel
    import importlib.util

    from fapiao.ocr.engines.rapid import RapidOcrEngine, model_set_paths
    from fapiao.ocr.settings import OcrSettings
    from tests.ocr.pages import render_page

    assert importlib.util.find_spec("rapidocr") is not None, (
        "the rapidocr 3.x wheel (FAPIAO_OCR_MODELS=ppocrv6's models) is missing: `make install-dev` installs it"
    )
    det, rec = model_set_paths("ppocrv6")
    assert det.name == "PP-OCRv6_det_small.onnx" and rec.name == "PP-OCRv6_rec_small.onnx"
    img, truth = render_page(seed=1)
    result = ocr_page(img, engine=RapidOcrEngine(OcrSettings(models="ppocrv6")))
    text = _text(result)
    for key in ("invoice_number", "buyer_name", "seller_name", "seller_tax_id"):
        assert truth[key].replace(" ", "") in text, key


def test_an_unknown_model_set_is_refused():
    from fapiao.ocr.settings import OcrSettings

    with pytest.raises(ValueError):
        OcrSettings(models="ppocrv9")
