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

That test alone fails on low-resolution pages: a thin stroke of the 数电 form's maroon (#800000) blurred into
the paper at 150 dpi lets most of the red through too, and whole labels (名称, 统一社会信用代码/纳税人识别号,
价税合计) were erased as seal. What a blur does not change is the *proportion* in which an ink absorbs red
and green light (a pixel that is part ink, part paper absorbs both in the ink's proportion): seal ink absorbs
red a fifth as much as green, maroon half as much. So a pixel is seal only when that proportion is a seal's
(``_SEAL_ABSORPTION_RATIO``).
"""

from __future__ import annotations

import cv2
import numpy as np

_SEAL_RED_SHARE = 0.72
"""Red channel over the local paper level: seal ink ≥ 0.8, the form's brown inks 0.45–0.64."""
_SEAL_ABSORPTION_RATIO = 0.4
"""Red over green absorption (against the local paper): vermilion seal ink ≈ 0.18 (0.16–0.3 on degraded
renders), the 数电 form's maroon ≈ 0.5 (0.4–0.7 blurred at 150 dpi), where both stay above the red test."""
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
    mask = (redness > 30) & (r > 100) & ((hue <= 5) | (hue >= 160)) & (r >= _SEAL_RED_SHARE * paper)
    if mask.any():
        # absorption summed over the reddish pixels around each one: JPEG keeps colour at half resolution, so
        # right beside a maroon stroke a pixel is paper-bright but tinted red, as if a seal's red had passed
        # through; black print (not reddish) is left out, so a seal over it is still told by the seal's own ink
        reddish = (redness > 8).astype(np.float32)
        k = (5, 5)
        red_absorbed = cv2.blur(reddish * (paper - r.astype(np.float32)), k)
        green_absorbed = cv2.blur(reddish * (_paper_level(image[..., 1]) - g.astype(np.float32)), k)
        mask &= red_absorbed <= _SEAL_ABSORPTION_RATIO * np.maximum(green_absorbed, 1e-3)
    return mask


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
