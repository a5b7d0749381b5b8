"""Find and decode QR codes on page images with zxing-cpp.

Digital pages are rendered clean, so the first attempt usually succeeds; photos and scans get further tries
(upscaled, binarised) before we give up, because a decoded QR is the most trusted source on the page.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp


@dataclass(frozen=True)
class DecodedQr:
    text: str
    bbox: tuple[float, float, float, float]
    """In the pixel coordinates of the image that was passed in."""


def decode_qr(image: np.ndarray) -> list[DecodedQr]:
    """Decode every QR code on ``image`` (BGR or grey); tries harder variants only when needed."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    for variant, scale in _variants(grey):
        found = _read(variant, scale)
        if found:
            return found
    return []


def _variants(grey: np.ndarray):
    yield grey, 1.0
    h, w = grey.shape[:2]
    if max(h, w) < 2500:
        up = cv2.resize(grey, None, fx=2.0, fy=2.0, interpolation=cv2.INTER_CUBIC)
        yield up, 2.0
    _, otsu = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    yield otsu, 1.0
    adaptive = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, 31, 10)
    yield adaptive, 1.0


def _read(img: np.ndarray, scale: float) -> list[DecodedQr]:
    out: list[DecodedQr] = []
    for res in zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode):
        if not res.valid or not res.text:
            continue
        pos = res.position
        xs = [pos.top_left.x, pos.top_right.x, pos.bottom_left.x, pos.bottom_right.x]
        ys = [pos.top_left.y, pos.top_right.y, pos.bottom_left.y, pos.bottom_right.y]
        out.append(DecodedQr(res.text, (min(xs) / scale, min(ys) / scale, max(xs) / scale, max(ys) / scale)))
    return out


def qr_orientation(image: np.ndarray) -> float | None:
    """How far the page's QR code is turned clockwise, in degrees (0, ±90, 180 plus any skew), or ``None``.

    Every invoice QR code is printed upright, so a decoded code tells the page's orientation outright — the
    cheapest and surest orientation signal we have.
    """
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    for variant, _ in _variants(grey):
        for res in zxingcpp.read_barcodes(variant, formats=zxingcpp.BarcodeFormat.QRCode):
            if res.valid and res.text:
                return float(res.orientation)
    return None
