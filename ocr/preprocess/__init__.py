"""Clean up a page image for OCR: find each invoice, straighten it, set its size, remove red seals.

``prepare_page`` is the one entry point; each step lives in its own module and returns plain values, and
all geometric steps are composed into one transform so the original is resampled once.
"""

from __future__ import annotations

import numpy as np

from fapiao.ocr.engines.base import OcrEngine
from fapiao.ocr.images import to_bgr
from fapiao.ocr.preprocess.geometry import PreparedImage, fit_canvas, rotation_about, shrunk, translate, warp
from fapiao.ocr.preprocess.locate import Region, content_box, find_documents
from fapiao.ocr.preprocess.orient import find_orientation
from fapiao.ocr.preprocess.seals import suppress_seals
from fapiao.ocr.preprocess.upside import looks_upside_down
from fapiao.ocr.settings import OcrSettings

__all__ = ["PreparedImage", "prepare_page"]


def prepare_page(
    image: np.ndarray,
    engine: OcrEngine | None = None,
    settings: OcrSettings | None = None,
) -> list[PreparedImage]:
    """One prepared image per invoice found on ``image`` (BGR or grey), top to bottom.

    ``engine`` is only used to tell 0° from 180° on pages without a readable QR code (via its text-direction
    classifier, when it has one); without it such pages keep the orientation they came in.
    """
    settings = settings or OcrSettings()
    bgr = to_bgr(image)
    return [_prepare_region(bgr, region, engine, settings) for region in find_documents(bgr)]


def _prepare_region(
    image: np.ndarray, region: Region, engine: OcrEngine | None, settings: OcrSettings
) -> PreparedImage:
    quad = region.quad.astype(np.float64)
    width = max(np.linalg.norm(quad[1] - quad[0]), np.linalg.norm(quad[2] - quad[3]))
    height = max(np.linalg.norm(quad[3] - quad[0]), np.linalg.norm(quad[2] - quad[1]))
    scale = _work_scale(width, height, settings.work_long_side)
    size = (max(1, int(round(width * scale))), max(1, int(round(height * scale))))
    rect = np.float64([[0, 0], [size[0], 0], [size[0], size[1]], [0, size[1]]])
    import cv2

    to_doc = cv2.getPerspectiveTransform(quad.astype(np.float32), rect.astype(np.float32)).astype(np.float64)
    # both warps below shrink the upload by the same factor: area-average it once (see geometry.warp)
    small, pre = shrunk(image, to_doc)
    doc = warp(small, to_doc @ pre, size)
    orientation = find_orientation(doc)
    turn = rotation_about(90.0 * orientation.quarter_turns - orientation.skew, size[0] / 2, size[1] / 2)
    turn, out_size = fit_canvas(turn, size)
    forward = turn @ to_doc
    upright = warp(small, forward @ pre, out_size)
    source = orientation.source
    flip = False
    if source != "qr" and engine is not None and engine.capabilities.orientation:
        verdict = looks_upside_down(upright, engine)
        if verdict is not None:
            source, flip = "cls", verdict
            if flip:
                forward = rotation_about(180.0, out_size[0] / 2, out_size[1] / 2) @ forward
                upright = np.ascontiguousarray(upright[::-1, ::-1])
    if not region.perspective:  # a deskewed scan crop has blank wedges at its sides: trim to the content
        box = content_box(upright)
        if box is not None:
            x0, y0, x1, y1 = box
            forward = translate(-x0, -y0) @ forward
            upright = upright[y0:y1, x0:x1]
    cleaned, seal_share = suppress_seals(upright)
    return PreparedImage(
        image=cleaned,
        to_original=np.linalg.inv(forward),
        quad=quad,
        quarter_turns=(orientation.quarter_turns + (2 if flip else 0)) % 4,
        skew=orientation.skew,
        scale=float(scale),
        perspective=region.perspective,
        orientation_source=source,
        seal_fraction=seal_share,
    )


def _work_scale(width: float, height: float, long_side: int) -> float:
    """Scale to the working resolution; never more than 2× up (upscaling adds no detail past that)."""
    return min(long_side / max(width, height, 1.0), 2.0)
