"""The prepared image and the way back: every clean-up step is a 3×3 transform composed into one.

Composing the crop, perspective, quarter turn, deskew and scaling into one matrix lets us resample the
original only once (sharper text, less time) and map any box on the prepared image back to the original
page for the reviewer's overlay.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np


@dataclass(frozen=True)
class PreparedImage:
    """One invoice found on a page, cleaned up for OCR."""

    image: np.ndarray
    """Upright, deskewed, seal-suppressed BGR image at the working resolution."""
    to_original: np.ndarray
    """3×3 homography: prepared pixel coordinates → original image pixel coordinates."""
    quad: np.ndarray
    """The invoice's corners in the original image (tl, tr, br, bl before any rotation was undone)."""
    quarter_turns: int = 0
    """Clockwise quarter turns applied to make the page upright."""
    skew: float = 0.0
    """Small rotation removed, in degrees (positive: the page was turned clockwise)."""
    scale: float = 1.0
    """Prepared pixels per original pixel (mean over the page)."""
    perspective: bool = False
    """Whether a 4-point perspective warp was applied (photos)."""
    orientation_source: str = "none"
    """What decided the orientation: ``qr``, ``cls`` (text-direction classifier), ``lines`` or ``none``."""
    seal_fraction: float = 0.0
    """Share of pixels recognised as red seal ink and suppressed."""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def points_to_original(self, points: np.ndarray) -> np.ndarray:
        """Map N×2 points on the prepared image to the original image."""
        return apply(self.to_original, points)

    def bbox_to_original(self, bbox: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        """The original-image bounding box of a prepared-image box (axis-aligned hull of its corners)."""
        x0, y0, x1, y1 = bbox
        pts = self.points_to_original(np.float64([[x0, y0], [x1, y0], [x1, y1], [x0, y1]]))
        return (float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max()))


def apply(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 1, 2)
    return cv2.perspectiveTransform(pts, np.asarray(matrix, dtype=np.float64)).reshape(-1, 2)


def translate(dx: float, dy: float) -> np.ndarray:
    return np.array([[1, 0, dx], [0, 1, dy], [0, 0, 1]], dtype=np.float64)


def scaling(s: float) -> np.ndarray:
    return np.array([[s, 0, 0], [0, s, 0], [0, 0, 1]], dtype=np.float64)


def rotation_about(degrees_cw: float, cx: float, cy: float) -> np.ndarray:
    """Rotate image content clockwise (as seen on screen, y down) about (cx, cy)."""
    r = np.deg2rad(degrees_cw)
    c, s = np.cos(r), np.sin(r)
    rot = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]], dtype=np.float64)
    return translate(cx, cy) @ rot @ translate(-cx, -cy)


def fit_canvas(matrix: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, tuple[int, int]]:
    """Shift ``matrix`` so the transformed ``size`` (w, h) rectangle starts at (0, 0); return the new size."""
    w, h = size
    corners = apply(matrix, np.float64([[0, 0], [w, 0], [w, h], [0, h]]))
    x0, y0 = corners.min(axis=0)
    x1, y1 = corners.max(axis=0)
    return translate(-x0, -y0) @ matrix, (int(np.ceil(x1 - x0)), int(np.ceil(y1 - y0)))


def shrunk(image: np.ndarray, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``image`` area-averaged down to the scale ``matrix`` maps it to, when that shrinks it below 0.75, and
    the matrix from the shrunk image's coordinates back to ``image``'s (identity when nothing was done).
    ``warp(small, matrix @ back)`` is then ``warp(image, matrix)`` without resizing the upload again."""
    scale = float(np.sqrt(abs(np.linalg.det(matrix[:2, :2]))))
    if scale >= 0.75:
        return image, np.eye(3)
    # shrink with area averaging first: warpPerspective alone would alias thin strokes
    return cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), scaling(1 / scale)


def warp(
    image: np.ndarray, matrix: np.ndarray, size: tuple[int, int], fill: tuple[int, int, int] | None = None
) -> np.ndarray:
    """Resample ``image`` once through ``matrix`` into ``size`` (w, h); borders replicate the page edge."""
    image, back = shrunk(image, matrix)
    matrix = matrix @ back
    if fill is None:
        return cv2.warpPerspective(image, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return cv2.warpPerspective(
        image, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=fill
    )
