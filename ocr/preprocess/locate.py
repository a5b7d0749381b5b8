"""Find the invoice(s) in a page image: the paper on a desk, or the printed blocks on a scanned sheet.

Two signals, used in turn. A photo shows bright, unsaturated paper against a darker or coloured desk: the
biggest such regions, approximated by quadrilaterals, are the sheets (a neighbouring invoice's edge is a
thin sliver and is dropped). A scan is paper edge to edge, so there the printed content is grouped instead:
ink merged over a few millimetres forms one blob per invoice, and two invoices copied onto one A4 sheet
come out as two blobs.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

WORK_SIDE = 1000
"""Long side of the thumbnail the search runs on (fast, and plenty for sheet-sized structures)."""
_PAPER_MIN_AREA = 0.12
_PAPER_ALL = 0.90
"""Paper covering more of the frame than this means a scan (or a tight photo): nothing to cut away."""
_DOC_MIN_SHARE = 0.2
"""A content blob is an invoice of its own when it is at least this share of the largest one."""


@dataclass(frozen=True)
class Region:
    """One invoice in the original image: its corners (tl, tr, br, bl) and whether they are a real quad."""

    quad: np.ndarray
    perspective: bool


def find_documents(image: np.ndarray) -> list[Region]:
    """The invoices on ``image``, top to bottom then left to right (the whole image when nothing is found)."""
    h, w = image.shape[:2]
    f = min(1.0, WORK_SIDE / max(h, w))
    small = cv2.resize(image, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else image
    regions: list[Region] = []
    for quad, is_quad in _paper_regions(small):
        for sub, warp in _content_blocks(small, quad, is_quad):
            regions.append(Region(sub / f, warp))
    if not regions:
        regions = [Region(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), False)]
    regions.sort(key=lambda r: (round(r.quad[:, 1].min() / (0.25 * h)), r.quad[:, 0].min()))
    return regions


def _paper_regions(small: np.ndarray) -> list[tuple[np.ndarray, bool]]:
    """Sheets of paper as quads; the whole frame when paper fills it (scans)."""
    h, w = small.shape[:2]
    full = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    hsv = cv2.cvtColor(cv2.GaussianBlur(small, (5, 5), 0), cv2.COLOR_BGR2HSV)
    sat, val = hsv[..., 1], hsv[..., 2]
    thresh, _ = cv2.threshold(val, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    paper = ((val > max(thresh, 90)) & (sat < 70)).astype(np.uint8) * 255
    k = max(3, int(0.02 * max(h, w)))
    paper = cv2.morphologyEx(paper, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))  # fill printed text
    paper = cv2.morphologyEx(paper, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    if paper.mean() / 255 > _PAPER_ALL:
        return [(full, False)]
    out = []
    for c in _sheets(paper, _PAPER_MIN_AREA * h * w):
        quad = _quad(c)
        if quad is None:  # touching another sheet: cut thin joins and try again
            for frac in (0.03, 0.06):
                k = max(3, int(frac * max(h, w)))
                opened = cv2.morphologyEx(paper & _fill(paper.shape, c), cv2.MORPH_OPEN, np.ones((k, k), np.uint8))
                parts = _sheets(opened, _PAPER_MIN_AREA * h * w)
                quad = _quad(parts[0]) if parts else None
                if quad is not None:
                    break
        out.append((quad, True) if quad is not None else (_rect(c), False))
    return out or [(full, False)]


def _sheets(mask: np.ndarray, min_area: float) -> list[np.ndarray]:
    """Outer contours of the big paper regions, largest first (dropping slivers under 35% of the largest)."""
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    contours = sorted((c for c in contours if cv2.contourArea(c) > min_area), key=cv2.contourArea, reverse=True)
    return [c for c in contours if cv2.contourArea(c) >= 0.35 * cv2.contourArea(contours[0])] if contours else []


def _fill(shape: tuple[int, ...], contour: np.ndarray) -> np.ndarray:
    mask = np.zeros(shape[:2], np.uint8)
    cv2.drawContours(mask, [contour], -1, 255, cv2.FILLED)
    return mask


def _quad(contour: np.ndarray) -> np.ndarray | None:
    """Four corners when the contour is (close to) a quadrilateral, else ``None``."""
    hull = cv2.convexHull(contour)
    peri = cv2.arcLength(hull, True)
    for eps in (0.01, 0.02, 0.03, 0.05):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4:
            pts = order_corners(approx.reshape(4, 2).astype(np.float32))
            area, quad_area = cv2.contourArea(contour), cv2.contourArea(pts)
            # a sheet fills its quad; a sheet joined to a neighbour's edge leaves big gaps in its hull's quad
            if quad_area > 0 and 0.93 < area / quad_area < 1.07:
                return pts
            return None
    return None


def _rect(contour: np.ndarray) -> np.ndarray:
    return order_corners(cv2.boxPoints(cv2.minAreaRect(contour)).astype(np.float32))


def _content_blocks(small: np.ndarray, quad: np.ndarray, is_quad: bool) -> list[tuple[np.ndarray, bool]]:
    """Split a sheet into invoices by grouping its printed content; a lone invoice keeps the sheet's quad
    (photos) or is cropped to its content plus a margin (scans)."""
    h, w = small.shape[:2]
    mask = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(mask, quad.astype(np.int32), 255)
    mask = cv2.erode(mask, np.ones((9, 9), np.uint8))
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    ink = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    ink &= mask
    k = max(3, int(0.012 * max(h, w)))
    blobs = cv2.dilate(ink, np.ones((k, k), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(blobs)
    if n <= 1:
        return [(quad, is_quad)]
    areas = stats[1:, cv2.CC_STAT_WIDTH] * stats[1:, cv2.CC_STAT_HEIGHT]
    big = [i + 1 for i in np.flatnonzero(areas >= _DOC_MIN_SHARE * areas.max())]
    if len(big) == 1 and is_quad:
        return [(quad, True)]
    boxes = {i: _box(stats[i]) for i in big}
    for i in range(1, n):  # attach titles, QR codes and footers to the nearest invoice
        if i in boxes or stats[i, cv2.CC_STAT_AREA] < k * k:
            continue
        b = _box(stats[i])
        nearest = min(big, key=lambda j: _gap(boxes[j], b))
        if _gap(boxes[nearest], b) < 0.25 * (boxes[nearest][3] - boxes[nearest][1]):
            boxes[nearest] = _union(boxes[nearest], b)
    out = []
    margin = 0.5 * k
    for x0, y0, x1, y1 in boxes.values():
        x0, y0 = max(0, x0 - margin), max(0, y0 - margin)
        x1, y1 = min(w, x1 + margin), min(h, y1 + margin)
        out.append((np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]]), False))
    return out


def order_corners(pts: np.ndarray) -> np.ndarray:
    """tl, tr, br, bl — by the sums and differences of coordinates (robust for convex quads)."""
    pts = np.asarray(pts, dtype=np.float32).reshape(4, 2)
    s, d = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    return np.float32([pts[s.argmin()], pts[d.argmin()], pts[s.argmax()], pts[d.argmax()]])


def _box(stat: np.ndarray) -> tuple[float, float, float, float]:
    x, y, w, h = stat[:4]
    return float(x), float(y), float(x + w), float(y + h)


def _union(a, b):
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def _gap(a, b) -> float:
    dx = max(0.0, max(a[0], b[0]) - min(a[2], b[2]))
    dy = max(0.0, max(a[1], b[1]) - min(a[3], b[3]))
    return float(np.hypot(dx, dy))


def content_box(image: np.ndarray, margin: float = 0.015) -> tuple[int, int, int, int] | None:
    """Bounding box (x0, y0, x1, y1) of the printed content plus a margin, or ``None`` when blank."""
    h, w = image.shape[:2]
    f = min(1.0, WORK_SIDE / max(h, w))
    small = cv2.resize(image, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else image
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
    ink = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    ink = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))  # speckle noise is not content
    pts = cv2.findNonZero(ink)
    if pts is None:
        return None
    x, y, bw, bh = cv2.boundingRect(pts)
    m = margin * max(h, w)
    x0, y0 = max(0, int(x / f - m)), max(0, int(y / f - m))
    x1, y1 = min(w, int((x + bw) / f + m)), min(h, int((y + bh) / f + m))
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None
