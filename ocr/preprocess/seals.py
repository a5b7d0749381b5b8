"""Suppress red seal ink (发票专用章, 监制章) so the black text it overlaps is read cleanly.

Seal ink is translucent vermilion: where it covers paper the pixel is strongly red (R far above G and B,
G ≈ B); where it covers black print the pixel stays dark. Replacing the red pixels by their own red channel —
which the ink barely absorbs, so it shows the paper's brightness — removes the seal and keeps the text. The
brown/orange pre-printed form is left alone: its hue is orange (G well above B) and it is darker.
"""

from __future__ import annotations

import cv2
import numpy as np


def seal_mask(image: np.ndarray) -> np.ndarray:
    """Boolean mask of seal-red pixels."""
    b, g, r = (image[..., i].astype(np.int16) for i in range(3))
    hue = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)[..., 0]
    redness = r - np.maximum(g, b)
    return (redness > 30) & (r > 140) & ((hue <= 7) | (hue >= 160))


def suppress_seals(image: np.ndarray) -> tuple[np.ndarray, float]:
    """A copy with seal ink replaced by paper, and the share of pixels changed."""
    mask = seal_mask(image)
    share = float(mask.mean())
    if share == 0.0:
        return image, 0.0
    mask = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    out = image.copy()
    red = image[..., 2]
    # only where the red channel shows paper: black print under the seal stays dark in every channel
    target = mask & (red > 120)
    out[target] = red[target][:, None]
    return out, share
