"""Text-line crops for the recogniser, cut from the original upload instead of the working image.

Detection only has to find lines, so it runs on the prepared image at the working resolution (fast). The
recogniser scales every line to 48 px high; a line cut from the working image (≈ 130 dpi, 9 pt glyphs ≈ 20 px)
has already lost the strokes that tell 禾 from 未 or 川 from 州. So each detected quad is mapped back through
the prepared image's transform and cut from the original pixels — one resampling, at the upload's own
resolution (capped at what the recogniser can use) — and seal ink is suppressed on the crop as on the page.
Recognition time does not change: it depends on the recogniser's input size, not on the source.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from fapiao.ocr.engines.base import CropSource
from fapiao.ocr.preprocess.geometry import apply
from fapiao.ocr.preprocess.seals import suppress_seals

_MAX_HEIGHT = 72
"""Crops taller than this are shrunk (area-averaged) to it: the recogniser reads 48 px lines."""


@dataclass(frozen=True)
class OriginalCrops(CropSource):
    """Cuts lines given in prepared-image coordinates out of the original image."""

    original: np.ndarray
    """The uploaded page (BGR), as decoded."""
    to_original: np.ndarray
    """Prepared-image coordinates → original coordinates (``PreparedImage.to_original``)."""

    def cut(self, quad: np.ndarray, margin: float = 0.0) -> np.ndarray:
        q = np.asarray(quad, dtype=np.float64).reshape(4, 2)
        if margin > 0:
            q = widen(q, margin)
        src = apply(self.to_original, q).astype(np.float32)
        prep_w, prep_h = _size(q)
        nat_w, nat_h = _size(src.astype(np.float64))
        # at least the working image's own size (an upload smaller than that is upscaled once, here)
        scale = max(1.0, nat_h / max(prep_h, 1.0))
        out_h = max(2, int(round(prep_h * scale)))
        out_w = max(2, int(round(prep_w * scale)))
        dst = np.float32([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]])
        m = cv2.getPerspectiveTransform(src, dst)
        crop = cv2.warpPerspective(
            self.original, m, (out_w, out_h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
        )
        if crop.ndim == 2:
            crop = cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR)
        if out_h > _MAX_HEIGHT:
            f = _MAX_HEIGHT / out_h
            crop = cv2.resize(crop, (max(2, int(round(out_w * f))), _MAX_HEIGHT), interpolation=cv2.INTER_AREA)
        crop = suppress_seals(crop)[0]
        if crop.shape[0] >= 1.5 * crop.shape[1]:  # a vertical line: read it lying down, as PP-OCR does
            crop = np.rot90(crop)
        return np.ascontiguousarray(crop)


def widen(quad: np.ndarray, margin: float) -> np.ndarray:
    """The quad extended at both ends along its length by ``margin`` × its height."""
    q = np.asarray(quad, dtype=np.float64).reshape(4, 2).copy()
    w, h = _size(q)
    along = q[1] - q[0]
    norm = np.linalg.norm(along)
    if norm < 1e-6:
        return q
    d = along / norm * margin * h
    q[0] -= d
    q[3] -= d
    q[1] += d
    q[2] += d
    return q


def _size(q: np.ndarray) -> tuple[float, float]:
    w = max(np.linalg.norm(q[1] - q[0]), np.linalg.norm(q[2] - q[3]), 1.0)
    h = max(np.linalg.norm(q[3] - q[0]), np.linalg.norm(q[2] - q[1]), 1.0)
    return float(w), float(h)
