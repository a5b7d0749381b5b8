"""0° or 180°? Ask the engine's text-direction classifier about the page's most line-like text.

Only needed when no QR code decoded: Chinese text is nearly symmetric for cheap heuristics, but the PP-OCR
cls model (a few milliseconds per line) tells upside-down lines apart reliably; a majority over a dozen
long lines decides for the page.
"""

from __future__ import annotations

import cv2
import numpy as np

from fapiao.ocr.engines.base import OcrEngine

_MAX_LINES = 16


def looks_upside_down(image: np.ndarray, engine: OcrEngine) -> bool | None:
    """True/False by majority of the classifier's votes; ``None`` when the engine cannot tell or no lines."""
    crops = line_crops(image)
    if not crops:
        return None
    probs = engine.classify_upside_down(crops)
    if probs is None or not probs:
        return None
    return float(np.mean(probs)) > 0.5


def line_crops(image: np.ndarray, limit: int = _MAX_LINES) -> list[np.ndarray]:
    """Crops of the longest horizontal text lines (rules removed), widest first."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    ink = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    h, w = ink.shape
    rules = cv2.bitwise_or(
        cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, max(15, w // 12)), np.uint8)),
        cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((max(15, h // 12), 1), np.uint8)),
    )
    text = cv2.subtract(ink, rules)
    merged = cv2.morphologyEx(text, cv2.MORPH_CLOSE, np.ones((1, max(5, w // 100)), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(merged)
    boxes = []
    for x, y, bw, bh, _area in stats[1:]:
        if bw > 4 * bh and 8 <= bh <= h // 15:
            boxes.append((bw, x, y, bh))
    boxes.sort(reverse=True)
    crops = []
    for bw, x, y, bh in boxes[:limit]:
        pad = max(2, bh // 4)
        crop = image[max(0, y - pad) : y + bh + pad, max(0, x - pad) : x + bw + pad]
        crops.append(crop if crop.ndim == 3 else cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR))
    return crops
