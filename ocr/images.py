"""Small conversions every OCR stage needs on the images it is handed."""

from __future__ import annotations

import numpy as np


def to_bgr(image: np.ndarray) -> np.ndarray:
    """Three-channel BGR, whatever came in (grey from a scan, BGRA from a PNG with transparency)."""
    import cv2

    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return image
