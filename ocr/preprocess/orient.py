"""Which way is up, and how crooked: quarter turns from the QR code or the text lines, skew from the rows.

Signals, surest first: the invoice's QR code is always printed upright, so when it decodes its angle settles
everything. Without one, text lines decide between landscape and portrait reading (lines are far longer
than tall), a projection-profile search finds the small skew, and 0° vs 180° is left to the engine's text
direction classifier (PP-OCR cls) when the engine has one.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from fapiao.ocr.qr import qr_orientation

_ANALYSIS_SIDE = 1000


@dataclass(frozen=True)
class Orientation:
    """Clockwise quarter turns and skew (degrees, clockwise) that make the page upright and level."""

    quarter_turns: int
    skew: float
    source: str
    """``qr``, ``lines`` (text-line direction; 180° still open) or ``none``."""


def find_orientation(image: np.ndarray, max_skew: float = 10.0) -> Orientation:
    """How to turn ``image`` upright: from its QR code when one decodes, else from its text lines."""
    angle = qr_orientation(image)
    grey = _small_grey(image)
    ink = _ink(grey)
    if angle is not None:
        turns = int(round(-angle / 90.0)) % 4
        rotated = _rot90(ink, turns)
        return Orientation(turns, estimate_skew(rotated, max_skew), "qr")
    vertical = _text_is_vertical(ink)
    turns = 1 if vertical else 0
    return Orientation(turns, estimate_skew(_rot90(ink, turns), max_skew), "lines")


def estimate_skew(ink: np.ndarray, max_skew: float = 10.0) -> float:
    """Clockwise skew in degrees of horizontal text/rules on a binary ink image (projection-profile search).

    When rows of text and table rules are level, the row sums are as peaky as they get; we search
    coarse-to-fine for the angle that maximises their variance.
    """
    h, w = ink.shape
    f = min(1.0, 600 / max(h, w))
    small = cv2.resize(ink, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else ink
    small = small.astype(np.float32)
    center = (small.shape[1] / 2, small.shape[0] / 2)

    def score(deg: float) -> float:
        m = cv2.getRotationMatrix2D(center, deg, 1.0)  # positive: counter-clockwise, undoing a clockwise skew
        rows = cv2.warpAffine(small, m, (small.shape[1], small.shape[0])).sum(axis=1)
        return float(np.var(rows))

    best = max(np.arange(-max_skew, max_skew + 0.01, 1.0), key=score)
    fine = max(np.arange(best - 0.9, best + 0.91, 0.1), key=score)
    return float(round(fine, 2))


def _text_is_vertical(ink: np.ndarray) -> bool:
    """True when text lines run up and down (the page lies on its side).

    Characters merged along their line form long thin blobs; we merge along each axis in turn and see
    which one yields more ink in elongated blobs. Long table rules are removed first so they do not vote.
    """
    text = _remove_rules(ink)
    size = _char_size(text)
    k = max(3, int(round(0.8 * size)))
    horizontal = _elongated_ink(cv2.morphologyEx(text, cv2.MORPH_CLOSE, np.ones((1, k), np.uint8)), axis=1, size=size)
    vertical = _elongated_ink(cv2.morphologyEx(text, cv2.MORPH_CLOSE, np.ones((k, 1), np.uint8)), axis=0, size=size)
    return vertical > 1.2 * horizontal


def _elongated_ink(mask: np.ndarray, axis: int, size: float) -> float:
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask)
    w, h = stats[1:, cv2.CC_STAT_WIDTH].astype(float), stats[1:, cv2.CC_STAT_HEIGHT].astype(float)
    along, across = (w, h) if axis == 1 else (h, w)
    ok = (along > 3 * across) & (across < 3 * size) & (along > 2 * size)
    return float(stats[1:, cv2.CC_STAT_AREA][ok].sum())


def _remove_rules(ink: np.ndarray) -> np.ndarray:
    h, w = ink.shape
    long_h = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, max(15, w // 12)), np.uint8))
    long_v = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((max(15, h // 12), 1), np.uint8))
    return cv2.subtract(ink, cv2.bitwise_or(long_h, long_v))


def _char_size(ink: np.ndarray) -> float:
    """A typical character's size in pixels (upper quartile of small blobs: CJK glyphs fall into parts)."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink)
    sizes = np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT])
    sizes = sizes[(sizes >= 4) & (sizes < 0.1 * max(ink.shape))]
    return float(np.percentile(sizes, 75)) if len(sizes) else 12.0


def _small_grey(image: np.ndarray) -> np.ndarray:
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    f = min(1.0, _ANALYSIS_SIDE / max(grey.shape))
    return cv2.resize(grey, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else grey


def _ink(grey: np.ndarray) -> np.ndarray:
    return cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)


def _rot90(img: np.ndarray, turns: int) -> np.ndarray:
    """Rotate clockwise by ``turns`` quarter turns."""
    return np.ascontiguousarray(np.rot90(img, -turns)) if turns % 4 else img
