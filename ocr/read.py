"""OCR one page image: prepare it (find, straighten, clean each invoice), read the text, decode the QR code.

Boxes stay in the prepared image's coordinates and the prepared image is kept, so the reviewer UI shows the
same picture the boxes were read from; ``PreparedImage.to_original`` maps them back to the upload.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from fapiao.core.models import TextBox
from fapiao.ocr.engines.base import OcrEngine
from fapiao.ocr.engines.registry import get_engine
from fapiao.ocr.images import to_bgr
from fapiao.ocr.preprocess import PreparedImage, prepare_page
from fapiao.ocr.preprocess.crops import OriginalCrops
from fapiao.ocr.qr import DecodedQr, decode_qr
from fapiao.ocr.settings import OcrSettings

UPRIGHT_SOURCES = frozenset({"qr", "cls"})
"""Orientation sources that settle the page's direction (see ``fapiao.ocr.preprocess.orient`` / ``upside``)."""


@dataclass(frozen=True)
class OcrRegion:
    """One invoice found on the page, with what was read from it."""

    prepared: PreparedImage
    boxes: list[TextBox]
    """In pixel coordinates of ``prepared.image``."""
    qr: list[DecodedQr]
    """In pixel coordinates of ``prepared.image``."""


@dataclass(frozen=True)
class OcrPageResult:
    """Everything OCR found on one page image: usually one region, two for a two-up scan."""

    page: int
    engine: str
    regions: list[OcrRegion]
    timings_ms: dict[str, int] = field(default_factory=dict)

    @property
    def boxes(self) -> list[TextBox]:
        """All boxes of all regions (each region's in its own prepared image's coordinates)."""
        return [b for r in self.regions for b in r.boxes]

    @property
    def qr(self) -> list[DecodedQr]:
        return [q for r in self.regions for q in r.qr]


def ocr_page(
    image: np.ndarray, page: int = 1, engine: OcrEngine | None = None, settings: OcrSettings | None = None
) -> OcrPageResult:
    """Prepare ``image``, then OCR and QR-decode every invoice on it.

    Lines are detected on the prepared image and recognised from crops of the original (see
    ``fapiao.ocr.preprocess.crops``); boxes are in the prepared image's coordinates either way."""
    settings = settings or OcrSettings()
    engine = engine if engine is not None else get_engine(settings)
    crops_from_original = settings.crops_from_original
    source = to_bgr(image)
    t0 = time.perf_counter()
    prepared = prepare_page(image, engine=engine, settings=settings)
    t1 = time.perf_counter()
    regions = []
    qr_seconds = 0.0
    for prep in prepared:
        # the QR code or the page-level direction vote settled 0° vs 180°: no per-line classifier needed
        boxes = engine.read(
            prep.image,
            page=page,
            upright=prep.orientation_source in UPRIGHT_SOURCES,
            crops=OriginalCrops(source, prep.to_original) if crops_from_original else None,
        )
        q0 = time.perf_counter()
        codes = decode_qr(prep.image)
        qr_seconds += time.perf_counter() - q0
        regions.append(OcrRegion(prepared=prep, boxes=boxes, qr=codes))
    t2 = time.perf_counter()
    timings = {"prepare": _ms(t1 - t0), "ocr": _ms(t2 - t1 - qr_seconds), "qr": _ms(qr_seconds)}
    return OcrPageResult(page=page, engine=engine.name, regions=regions, timings_ms=timings)


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000))
