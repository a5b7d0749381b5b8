"""Suppress red seal ink (发票专用章, 监制章) so the black text it overlaps is read cleanly.

Seal ink is translucent vermilion: where it covers paper the pixel is strongly red (R far above G and B,
G ≈ B); where it covers black print the pixel stays dark. Replacing the red pixels by their own red channel —
which the ink barely absorbs, so it shows the paper's brightness (lifted by the ≈ 16 % the ink does absorb) —
removes the seal and keeps the text.

The brown/orange pre-printed form must be left alone, and a dark red-brown form ink is close to seal red in
hue. What tells them apart is how much red light the ink lets through: seal ink leaves the red channel near
the paper's own level, form ink absorbs half of it. So a pixel is seal only when its red channel is at least
``_SEAL_RED_SHARE`` of the surrounding paper's (estimated locally, so uneven light in photos does not
matter).
"""

from __future__ import annotations

import cv2
import numpy as np

_SEAL_RED_SHARE = 0.72
"""Red channel over the local paper level: seal ink ≥ 0.8, the form's brown inks 0.45–0.64."""
_RED_TRANSMISSION = 1 / 0.84
"""Seal ink passes ≈ 84 % of the red light: without this lift the seal stays behind as a grey ghost whose
ring and lettering the detector still finds (and merges with the ¥ amounts printed under them)."""


def seal_mask(image: np.ndarray) -> np.ndarray:
    """Boolean mask of seal-red pixels."""
    return _seal_mask(image, _paper_level(image[..., 2]))


def _seal_mask(image: np.ndarray, paper: np.ndarray) -> np.ndarray:
    b, g, r = (image[..., i].astype(np.int16) for i in range(3))
    hue = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)[..., 0]
    redness = r - np.maximum(g, b)
    return (redness > 30) & (r > 100) & ((hue <= 5) | (hue >= 160)) & (r >= _SEAL_RED_SHARE * paper)


def _paper_level(red: np.ndarray) -> np.ndarray:
    """The paper's red-channel brightness around each pixel (a local maximum, smoothed)."""
    k = max(9, int(0.015 * max(red.shape)) | 1)
    level = cv2.dilate(red, np.ones((k, k), np.uint8))
    return cv2.blur(level, (k, k)).astype(np.float32)


def suppress_seals(image: np.ndarray) -> tuple[np.ndarray, float]:
    """A copy with seal ink replaced by paper, and the share of pixels changed."""
    red = image[..., 2]
    paper = _paper_level(red)
    mask = _seal_mask(image, paper)
    share = float(mask.mean())
    if share == 0.0:
        return image, 0.0
    near = cv2.dilate(mask.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    b, g, r = (image[..., i].astype(np.int16) for i in range(3))
    # the seal's fringe: JPEG's halved colour resolution leaves it only faintly red
    fringe = near & (r - np.maximum(g, b) > 8) & (r >= _SEAL_RED_SHARE * paper)
    mask = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool) | fringe
    out = image.copy()
    # only where the red channel shows paper: black print under the seal stays dark in every channel
    target = mask & (red > 120)
    lifted = np.minimum(red[target].astype(np.float32) * _RED_TRANSMISSION, np.maximum(paper[target], red[target]))
    out[target] = np.clip(lifted, 0, 255).astype(np.uint8)[:, None]
    return out, share
