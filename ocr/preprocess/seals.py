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
red a fifth as much as green, maroon half as much. So red is seal only when that proportion is a seal's
(``_SEAL_ABSORPTION_RATIO``), judged over each connected patch of red as a whole: JPEG's half-resolution
colour and black print beside the ink upset the proportion pixel by pixel, not over a stamp's lettering or a
label's character.
"""

from __future__ import annotations

import cv2
import numpy as np

_SEAL_RED_SHARE = 0.72
"""Red channel over the local paper level: seal ink ≥ 0.8, the form's brown inks 0.45–0.64."""
_SEAL_ABSORPTION_RATIO = 0.45
"""Red over green absorption (against the local paper): vermilion seal ink ≈ 0.18 (0.16–0.35 on degraded
renders), the 数电 form's maroon ≈ 0.5 (0.45–0.7 blurred at 150 dpi), where both pass the red test."""
_SEAL_PATCH_SHARE = 0.5
"""A connected patch of red-test pixels is seal when at least this share of it absorbs in a seal's proportion."""
_THIN = np.ones((3, 3), np.uint8)
"""For the absorption ratio the paper level is taken after an erosion of this size, over twice the usual
reach: JPEG rings bright in the red channel right beside a saturated red stroke (a red level of 249 on paper
of 217), and a local maximum taking that ringing for paper made seal lettering look as if it absorbed red
like the form's maroon; the wider reach finds paper beyond a band of dense seal lettering."""
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
        red_paper, green_paper = (_paper_level(cv2.erode(image[..., c], _THIN), reach=2) for c in (2, 1))
        red_absorbed = cv2.blur(reddish * (red_paper - r.astype(np.float32)), k)
        green_absorbed = cv2.blur(reddish * (green_paper - g.astype(np.float32)), k)
        seal_like = red_absorbed <= _SEAL_ABSORPTION_RATIO * np.maximum(green_absorbed, 1e-3)
        # decided per connected patch of red: a stamp's ring and lettering are seal as a whole (pixels beside
        # black print or in JPEG's colour smear included), a maroon character is form ink as a whole
        n, patch = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
        inside = patch[mask]
        votes = np.bincount(inside, weights=seal_like[mask].astype(np.float64), minlength=n)
        seal_patch = votes >= _SEAL_PATCH_SHARE * np.maximum(np.bincount(inside, minlength=n), 1)
        seal_patch[0] = False
        mask &= seal_patch[patch]
    return mask


def _paper_level(red: np.ndarray, reach: float = 1.0) -> np.ndarray:
    """The paper's red-channel brightness around each pixel (a local maximum, smoothed)."""
    k = max(9, int(0.015 * reach * max(red.shape)) | 1)
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
