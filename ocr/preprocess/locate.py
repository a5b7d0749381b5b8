"""Find the invoice(s) in a page image: the paper on a desk, or the printed blocks on a scanned sheet.

Two signals, used in turn. A photo shows bright, unsaturated paper against a darker or coloured desk: the
biggest such regions, approximated by quadrilaterals, are the sheets (a neighbouring invoice's edge is a
thin sliver and is dropped; where another sheet lies against the invoice along a side, their paper runs
together and is cut apart along the invoice's own straight edges). A scan is paper edge to edge, so there
the printed content is grouped instead: ink merged over a few millimetres forms one blob per invoice, and
two invoices copied onto one A4 sheet come out as two blobs.
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
        if quad is not None and _on_frame(quad, w, h) >= 1:
            # paper running out of the picture: in a photo that is mostly a neighbouring sheet lying against
            # the invoice along a side, its paper run together with the invoice's; cut it off along the
            # invoice's own edges (when no cut gives a sheet, the paper is the sheet, cut by the frame)
            cut = _cut_at_edge(small, paper, c)
            quad = cut if cut is not None else quad
        if quad is None:  # touching another sheet: cut thin joins and try again
            for frac in (0.03, 0.06):
                k = max(3, int(frac * max(h, w)))
                opened = cv2.morphologyEx(paper & _fill(paper.shape, c), cv2.MORPH_OPEN, np.ones((k, k), np.uint8))
                parts = _sheets(opened, _PAPER_MIN_AREA * h * w)
                quad = _quad(parts[0]) if parts else None
                if quad is not None and _paper_share(paper, quad) < _QUAD_PAPER:
                    quad = None  # the cut ran along the neighbour's edge: the quad takes in desk
                if quad is not None:
                    break
        if quad is None:
            quad = _cut_at_edge(small, paper, c)
        if quad is None:  # a neighbouring sheet along a whole side: the page's own edges, from straight lines
            quad = _quad_from_lines(small, _fill(paper.shape, c))
            if quad is not None and _paper_share(paper, quad) < _QUAD_PAPER:
                quad = None
        out.append((quad, True) if quad is not None else (_rect(c), False))
    return out or [(full, False)]


def _sheets(mask: np.ndarray, min_area: float) -> list[np.ndarray]:
    """Outer contours of the big paper regions, largest first (dropping slivers under 35% of the largest)."""
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    contours = sorted((c for c in contours if cv2.contourArea(c) > min_area), key=cv2.contourArea, reverse=True)
    return [c for c in contours if cv2.contourArea(c) >= 0.35 * cv2.contourArea(contours[0])] if contours else []


def _on_frame(quad: np.ndarray, w: int, h: int, tol: float = 3.0) -> int:
    """How many of the quad's corners lie on the picture's border."""
    x, y = quad[:, 0], quad[:, 1]
    return int(((x <= tol) | (x >= w - 1 - tol) | (y <= tol) | (y >= h - 1 - tol)).sum())


def _cut_at_edge(small: np.ndarray, paper: np.ndarray, contour: np.ndarray) -> np.ndarray | None:
    """The sheet's quad when its paper has run together with a neighbouring sheet's: the paper is cut along
    long straight sheet edges (a step in brightness: paper against desk, or against the other sheet in this
    one's shadow; not a printed rule, which has the same paper on both sides), one at a time or two (where
    the sheet lies over the neighbour, its side and the end of the next side both cross the other paper),
    and the biggest part that is a clean quad with a sheet's edge along every side (not the picture's
    border) is the sheet. A cut along a rule inside the sheet leaves a smaller quad; a cut along the
    neighbour's edge, or along only one of two crossing edges, leaves the neighbour's paper (or the desk
    between the sheets) on the sheet's side of some side."""
    h, w = paper.shape[:2]
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    region = paper & _fill(paper.shape, contour)
    region_area = float(cv2.countNonZero(region))
    segs = cv2.createLineSegmentDetector().detect(grey)[0]
    if segs is None:
        return None
    min_len = 0.1 * max(h, w)
    edges = []
    for s in segs.reshape(-1, 4).astype(np.float64):
        step = _step(grey, s) if np.hypot(s[2] - s[0], s[3] - s[1]) >= min_len else None
        if step is not None and abs(float(np.median(step))) > _EDGE_STEP:
            edges.append(s)
    far = 2.0 * max(h, w)

    def cut(lines) -> np.ndarray:
        out = region.copy()
        for (px, py), (dx, dy) in lines:
            cv2.line(
                out,
                (int(round(px - far * dx)), int(round(py - far * dy))),
                (int(round(px + far * dx)), int(round(py + far * dy))),
                0,
                3,
            )
        return out

    # lines that take something away (not the sheet's outline against the desk), longest first
    lines = [ln for ln in _collinear(edges) if cv2.countNonZero(cut([ln])) < 0.998 * region_area][:_CUT_LINES]
    combos = [(ln,) for ln in lines] + [(a, b) for i, a in enumerate(lines) for b in lines[i + 1 :]]
    best, best_area = None, 0.0
    for combo in combos:
        parts = _sheets(cut(combo), max(_PAPER_MIN_AREA * h * w, 0.4 * region_area))
        if not parts:
            continue
        # the cut lines' own pixels back on the part's side (a cut along the sheet's own edge takes nothing)
        whole = region & cv2.dilate(_fill(paper.shape, parts[0]), np.ones((3, 3), np.uint8), iterations=2)
        area = float(cv2.countNonZero(whole))
        if area <= best_area or area > 0.995 * region_area:
            continue  # smaller than a cut already found, or the cut took nothing away
        part = max(cv2.findContours(whole, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)[0], key=cv2.contourArea)
        quad = _quad(part, tight=True)
        if quad is None or _paper_share(paper, quad) < _QUAD_PAPER:
            continue
        if not _edged(grey, quad):
            continue
        best, best_area = quad, area
    return best


def _collinear(segs: list) -> list:
    """Segments on one straight line merged: (point, unit direction) per line, in the order of their longest
    segments."""
    return [line for line, _ in _merged_lines(segs)]


def _merged_lines(segs) -> list:
    """Greedy merge, longest segment first, of segments in the same direction (±3°) within 3 px of each
    other's line: (line fitted to their ends as (point, unit direction), their total length) per line."""
    clusters: list[list] = []
    for seg in sorted(segs, key=lambda s: -np.hypot(s[2] - s[0], s[3] - s[1])):
        p, q = np.array(seg[:2]), np.array(seg[2:4])
        d = (q - p) / max(np.linalg.norm(q - p), 1e-6)
        for cl in clusters:
            cp, cd = cl[0], cl[1]
            normal = np.array([-cd[1], cd[0]])
            if (
                abs(cd[0] * d[1] - cd[1] * d[0]) < 0.05
                and abs((p - cp) @ normal) < 3.0
                and abs((q - cp) @ normal) < 3.0
            ):
                cl[2].append(seg)
                break
        else:
            clusters.append([p, d, [seg]])
    out = []
    for _, _, members in clusters:
        ends = np.float32([m[:2] for m in members] + [m[2:4] for m in members])
        vx, vy, px, py = cv2.fitLine(ends, cv2.DIST_L2, 0, 0.01, 0.01).ravel()
        total = float(sum(np.hypot(m[2] - m[0], m[3] - m[1]) for m in members))
        out.append((((float(px), float(py)), (float(vx), float(vy))), total))
    return out


def _sampler(grey: np.ndarray, seg, normal: np.ndarray, ts: np.ndarray):
    """``sample(offset)``: the grey values at the points ``ts`` (0–1) along the segment, moved ``offset``
    pixels along ``normal`` (clipped to the image)."""
    x0, y0, x1, y1 = seg
    base = np.array([x0, y0]) + ts[:, None] * np.array([x1 - x0, y1 - y0])
    h, w = grey.shape

    def sample(offset: float) -> np.ndarray:
        p = np.round(base + offset * normal).astype(int)
        p[:, 0] = p[:, 0].clip(0, w - 1)
        p[:, 1] = p[:, 1].clip(0, h - 1)
        return grey[p[:, 1], p[:, 0]].astype(np.float64)

    return sample


def _step(
    grey: np.ndarray, seg: np.ndarray, centre: np.ndarray | None = None, offsets: range = range(3, 9)
) -> np.ndarray | None:
    """Brightness just to one side of the segment minus just to the other, at points along it: the side
    away from ``centre`` subtracted from the side towards it (without ``centre``, either way round). A
    sheet's edge steps (paper against desk, or against a neighbouring sheet in this one's shadow); a printed
    rule has the same paper on both sides, and text beside it is thin enough for medians to see past."""
    x0, y0, x1, y1 = seg
    d = np.array([x1 - x0, y1 - y0], dtype=np.float64)
    length = np.linalg.norm(d)
    if length < 1e-6:
        return None
    d /= length
    normal = np.array([-d[1], d[0]])
    if centre is not None and normal @ (np.asarray(centre, np.float64) - np.array([x0, y0])) < 0:
        normal = -normal
    sample = _sampler(grey, (x0, y0, x1, y1), normal, np.linspace(0.05, 0.95, 32))
    inner = np.median([sample(o) for o in offsets], axis=0)
    outer = np.median([sample(-o) for o in offsets], axis=0)
    return inner - outer


def _edged(grey: np.ndarray, quad: np.ndarray) -> bool:
    """Every side of the quad is a sheet's edge with the sheet inside, nearly all along: brighter just within
    than just beyond (a side drawn across the desk between two sheets, across a neighbour's paper, or
    across a corner of the sheet itself, is not)."""
    centre = quad.mean(axis=0)
    for i in range(4):
        side = np.concatenate([quad[i], quad[(i + 1) % 4]]).astype(np.float64)
        step = _step(grey, side, centre, range(2, 6))
        if step is None or float(np.quantile(step, _SIDE_SHARE)) <= _SIDE_STEP:
            return False
    return True


_CUT_LINES = 12
"""Most candidate cut lines tried (singly and in pairs)."""
_SIDE_STEP = 8.0
"""Grey levels a sheet's side must be brighter within than beyond (against a neighbour's paper it is little)."""
_SIDE_SHARE = 0.2
"""Share of a side's length that may fail that (a seal or text running over the edge, a lost corner)."""


_EDGE_STEP = 15.0
"""Grey levels between the two sides of a sheet's edge (a printed rule has the same paper on both)."""

_QUAD_PAPER = 0.96
"""Share of a sheet's quad that must be paper (a quad reaching over the desk is not the sheet's)."""


def _paper_share(paper: np.ndarray, quad: np.ndarray) -> float:
    mask = np.zeros(paper.shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, quad.astype(np.int32), 255)
    inside = mask > 0
    return float((paper[inside] > 0).mean()) if inside.any() else 0.0


_SIDE_MIN = 0.3
"""A side's straight line must run along at least this share of the content's extent."""


def _quad_from_lines(small: np.ndarray, region: np.ndarray) -> np.ndarray | None:
    """The sheet's quad when its outline is not one (another sheet lies against a whole side): for each side,
    the innermost long straight line (paper edge, or the form's ruled frame) with all the printed content
    on its inner side. The sheet's edges and the frame's rules are parallel on paper, so any such four give
    the right perspective; a line with content beyond it is a rule inside the invoice, a line further out
    than the first clear one is the neighbouring sheet's or the desk's edge. A side without a clear line
    takes the direction of its outermost rule, moved out to just beyond the content."""
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    ink = _content_ink(grey, region)
    pts = cv2.findNonZero(ink)
    if pts is None or len(pts) < 200:
        return None
    pts = pts.reshape(-1, 2).astype(np.float64)
    cx, cy = pts.mean(axis=0)
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    segs = cv2.createLineSegmentDetector().detect(grey)[0]
    if segs is None:
        return None
    segs = segs.reshape(-1, 4).astype(np.float64)
    horizontal, vertical = _line_clusters(segs, x1 - x0, y1 - y0)
    sides = []
    for lines, axis, outward in ((horizontal, 1, -1), (horizontal, 1, 1), (vertical, 0, -1), (vertical, 0, 1)):
        clean, ruled = None, None
        for line in lines:
            offset = _offset(line, cx, cy, axis)
            if np.sign(offset) != outward:
                continue
            dist = _outside(line, pts, cx, cy)
            if (dist > 2.0).mean() <= _STRAY_INK:
                if clean is None or abs(offset) < abs(clean[0]):
                    clean = (offset, line)
            elif ruled is None or abs(offset) > abs(ruled[0]):
                ruled = (offset, line, float(np.quantile(dist, 1 - _STRAY_INK)))
        if clean is not None:
            sides.append(clean[1])
        elif ruled is not None:
            # no clear edge on this side (the sheet's edge lost against its neighbour): the outermost rule
            # gives the direction, moved out to just beyond the content
            sides.append(_shifted(ruled[1], cx, cy, ruled[2]))
        else:
            return None
    # a side may be the form's frame rule itself: move each side out a little so the rule stays inside
    top, bottom, left, right = (_shifted(line, cx, cy, _SIDE_PAD) for line in sides)
    corners = [_intersect(top, left), _intersect(top, right), _intersect(bottom, right), _intersect(bottom, left)]
    if any(c is None for c in corners):
        return None
    quad = order_corners(np.float32(corners))
    h, w = small.shape[:2]
    slack = 0.03 * max(h, w)
    if (
        (quad[:, 0] < -slack).any()
        or (quad[:, 0] > w + slack).any()
        or (quad[:, 1] < -slack).any()
        or (quad[:, 1] > h + slack).any()
        or not cv2.isContourConvex(quad.reshape(-1, 1, 2))
    ):
        return None
    return quad


def _content_ink(grey: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Printed content inside ``region``: ink in blobs that are part of the page's big blocks (not specks,
    not a neighbouring sheet's few lines)."""
    h, w = grey.shape
    inner = cv2.erode(region, np.ones((9, 9), np.uint8))
    # print is thin and sharp: the black-hat keeps strokes and rules but not the soft, wide shadow a sheet
    # casts on its neighbour (which a local threshold takes for ink along the whole edge)
    hat = cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9)))
    ink = ((hat > 25).astype(np.uint8) * 255) & inner
    k = max(3, int(0.012 * max(h, w)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(cv2.dilate(ink, np.ones((k, k), np.uint8)))
    if n <= 1:
        return ink
    areas = stats[1:, cv2.CC_STAT_WIDTH] * stats[1:, cv2.CC_STAT_HEIGHT]
    keep = np.zeros(n, bool)
    keep[1:] = areas >= 0.05 * areas.max()
    return ink & (keep[labels].astype(np.uint8) * 255)


def _line_clusters(segs: np.ndarray, width: float, height: float):
    """Long straight segments merged into lines ((point, unit direction)), near-horizontal and near-vertical."""
    out = ([], [])
    for kind, extent in ((0, width), (1, height)):
        chosen = []
        for x0, y0, x1, y1 in segs:
            dx, dy = x1 - x0, y1 - y0
            if np.hypot(dx, dy) < 0.08 * extent:
                continue
            is_h = abs(dy) <= 0.5 * abs(dx)
            is_v = abs(dx) <= 0.5 * abs(dy)
            if (kind == 0 and is_h) or (kind == 1 and is_v):
                chosen.append((x0, y0, x1, y1))
        out[kind].extend(line for line, total in _merged_lines(chosen) if total >= _SIDE_MIN * extent)
    return out


_STRAY_INK = 0.0005
"""Share of the content's ink pixels that may lie beyond a side (specks, a seal's rim)."""
_SIDE_PAD = 8.0
"""Pixels (of the search thumbnail) each side is moved outwards."""


def _outside(line, pts: np.ndarray, cx: float, cy: float) -> np.ndarray:
    """Signed distance of each point beyond ``line``, seen from (cx, cy) (negative: on the centre's side)."""
    (px, py), (dx, dy) = line
    normal = np.array([-dy, dx])
    if normal @ np.array([cx - px, cy - py]) > 0:
        normal = -normal
    return (pts - np.array([px, py])) @ normal


def _shifted(line, cx: float, cy: float, pad: float):
    """``line`` moved by ``pad`` away from the point (cx, cy)."""
    (px, py), (dx, dy) = line
    normal = np.array([-dy, dx])
    if normal @ np.array([cx - px, cy - py]) > 0:
        normal = -normal
    return (px + pad * normal[0], py + pad * normal[1]), (dx, dy)


def _offset(line, cx: float, cy: float, axis: int) -> float:
    """How far the line lies from the content's centre along ``axis`` (y for horizontal lines, x for vertical)."""
    (px, py), (dx, dy) = line
    if axis == 1:
        return (py + (cx - px) * dy / dx - cy) if abs(dx) > 1e-9 else 0.0
    return (px + (cy - py) * dx / dy - cx) if abs(dy) > 1e-9 else 0.0


def _intersect(a, b):
    (p1, d1), (p2, d2) = a, b
    m = np.array([[d1[0], -d2[0]], [d1[1], -d2[1]]])
    if abs(np.linalg.det(m)) < 1e-6:
        return None
    t = np.linalg.solve(m, np.array(p2) - np.array(p1))
    return (p1[0] + t[0] * d1[0], p1[1] + t[0] * d1[1])


def _fill(shape: tuple[int, ...], contour: np.ndarray) -> np.ndarray:
    mask = np.zeros(shape[:2], np.uint8)
    cv2.drawContours(mask, [contour], -1, 255, cv2.FILLED)
    return mask


def _quad(contour: np.ndarray, tight: bool = False) -> np.ndarray | None:
    """Four corners when the contour is (close to) a quadrilateral, else ``None`` (``tight``: it must fill
    its quad to within 2%, as a lone sheet does)."""
    hull = cv2.convexHull(contour)
    peri = cv2.arcLength(hull, True)
    for eps in (0.01, 0.02, 0.03, 0.05):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4:
            pts = order_corners(approx.reshape(4, 2).astype(np.float32))
            area, quad_area = cv2.contourArea(contour), cv2.contourArea(pts)
            # a sheet fills its quad; a sheet joined to a neighbour's edge leaves big gaps in its hull's quad
            lo, hi = (0.98, 1.02) if tight else (0.93, 1.07)
            if quad_area > 0 and lo < area / quad_area < hi:
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
    _draw_long_rules(ink, grey)
    ink &= mask
    k = max(3, int(0.012 * max(h, w)))
    blobs = cv2.dilate(ink, np.ones((k, k), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(blobs)
    if n <= 1:
        return [(quad, is_quad)]
    areas = stats[1:, cv2.CC_STAT_WIDTH] * stats[1:, cv2.CC_STAT_HEIGHT]
    big = [i + 1 for i in np.flatnonzero(areas >= _DOC_MIN_SHARE * areas.max())]
    boxes = _merge_overlapping({i: _box(stats[i]) for i in big})
    big = list(boxes)
    if len(big) == 1 and is_quad:
        return [(quad, True)]
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


def _merge_overlapping(boxes: dict) -> dict:
    """Blocks whose boxes overlap by more than half the smaller one are one invoice (two invoices on a sheet
    lie apart): merged, so one invoice is never read twice from two overlapping crops."""
    boxes = dict(boxes)
    merged = True
    while merged:
        merged = False
        keys = sorted(boxes, key=lambda i: -_area(boxes[i]))
        for a_i, a in enumerate(keys):
            for b in keys[a_i + 1 :]:
                if _overlap(boxes[a], boxes[b]) > 0.5 * min(_area(boxes[a]), _area(boxes[b])):
                    boxes[a] = _union(boxes[a], boxes.pop(b))
                    merged = True
                    break
            if merged:
                break
    return boxes


def _area(b) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def _overlap(a, b) -> float:
    return _area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


def _draw_long_rules(ink: np.ndarray, grey: np.ndarray) -> None:
    """Add the long ruled lines to ``ink``: a light form's frame rules fade out of the threshold after blur and
    JPEG, and without them an invoice with an empty items table falls apart into a header block and a
    totals block that look like two invoices."""
    segs = cv2.createLineSegmentDetector().detect(grey)[0]
    if segs is None:
        return
    min_len = 0.1 * max(grey.shape)
    for x0, y0, x1, y1 in segs.reshape(-1, 4):
        if np.hypot(x1 - x0, y1 - y0) >= min_len and _is_rule(grey, x0, y0, x1, y1):
            cv2.line(ink, (int(x0), int(y0)), (int(x1), int(y1)), 255, 2)


def _is_rule(grey: np.ndarray, x0: float, y0: float, x1: float, y1: float) -> bool:
    """A printed rule, not the edge of a sheet: a thin dark line with paper on both sides (LSD reports the
    edges of both)."""
    d = np.array([x1 - x0, y1 - y0], dtype=np.float64)
    d /= max(np.linalg.norm(d), 1e-6)
    normal = np.array([-d[1], d[0]])
    sample = _sampler(grey, (x0, y0, x1, y1), normal, np.linspace(0.1, 0.9, 24))
    core = np.min([sample(o) for o in (-3, -2, -1, 0, 1, 2, 3)], axis=0)
    sides = np.minimum(sample(-6), sample(6))
    return float(np.median(sides - core)) > 20


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
