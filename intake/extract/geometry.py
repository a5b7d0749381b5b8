"""Geometry over positioned text: lines, what lies right of / below a box.

Real e-invoice text layers draw every label first and every value afterwards, so reading order pairs
nothing; pairing is done by position alone.
"""

from __future__ import annotations

import bisect
import statistics
from dataclasses import dataclass, field

from fapiao.core.models import TextBox
from fapiao.intake.extract.text import compact


@dataclass(frozen=True)
class Box:
    """A TextBox with its normalised text cached."""

    src: TextBox
    text: str
    """As printed (stripped): values keep their original full-width brackets and punctuation."""
    flat: str
    """NFKC-normalised with no whitespace: what labels and patterns are matched against."""

    @classmethod
    def of(cls, tb: TextBox) -> Box:
        return cls(tb, tb.text.strip(), compact(tb.text))

    @property
    def bbox(self):
        return self.src.bbox

    @property
    def x0(self) -> float:
        return self.src.bbox[0]

    @property
    def y0(self) -> float:
        return self.src.bbox[1]

    @property
    def x1(self) -> float:
        return self.src.bbox[2]

    @property
    def y1(self) -> float:
        return self.src.bbox[3]

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def h(self) -> float:
        return self.y1 - self.y0


@dataclass
class PageView:
    number: int
    width: float
    height: float
    boxes: list[Box]
    line_h: float = field(init=False)
    data_dy: float = 0.0
    """Vertical shift of the printed data against the form (套打偏移; see ``fapiao.intake.extract.offset``):
    values are looked for on their label's line moved by this much."""

    _by_cy: list[Box] = field(init=False, repr=False)
    _cys: list[float] = field(init=False, repr=False)
    _max_h: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        heights = [b.h for b in self.boxes if b.h > 0]
        self.line_h = statistics.median(heights) if heights else 10.0
        self._by_cy = sorted(self.boxes, key=lambda b: b.cy)
        self._cys = [b.cy for b in self._by_cy]
        self._max_h = max(heights + [self.line_h])

    def near_line(self, anchor: Box, slack: float) -> list[Box]:
        """Boxes whose centre could be on ``anchor``'s line (a cheap pre-filter for ``same_line``)."""
        reach = slack * max(anchor.h, self._max_h, self.line_h)
        lo = bisect.bisect_left(self._cys, anchor.cy - reach)
        hi = bisect.bisect_right(self._cys, anchor.cy + reach)
        return self._by_cy[lo:hi]

    def same_line(self, a: Box, b: Box, slack: float = 0.6) -> bool:
        """Vertical centres within ``slack`` × the taller height (tolerates 套打 offsets up to ~half a line)."""
        return abs(a.cy - b.cy) <= slack * max(a.h, b.h, self.line_h * 0.8)

    def right_of(self, anchor: Box, stop: set[int], slack: float = 0.6, max_gap: float | None = None) -> list[Box]:
        """Boxes on ``anchor``'s line to its right, nearest first, up to the next box in ``stop`` (a label)
        or a gap wider than ``max_gap`` between consecutive boxes."""
        gap_limit = max_gap if max_gap is not None else self.line_h * 4.0
        dy = self.data_dy
        near = self.near_line(anchor, slack) if not dy else self._by_cy
        row = sorted(
            _one_per_column(
                anchor,
                [
                    b
                    for b in near
                    if b is not anchor
                    and b.cx > anchor.x1 - 1
                    and b.x1 > anchor.x1
                    and self._on_line(anchor, b, slack, dy, stop)
                ],
                dy,
                stop,
            ),
            key=lambda b: b.x0,
        )
        out: list[Box] = []
        prev_x1 = anchor.x1
        for b in row:
            if id(b) in stop:
                if b.x0 < anchor.x1 - 0.5 * self.line_h:
                    continue  # a label that starts left of this one's end (the line below, reaching up) is not next
                break
            if out and b.x0 - prev_x1 > gap_limit:
                break
            out.append(b)
            prev_x1 = max(prev_x1, b.x1)
        return out

    def _on_line(self, anchor: Box, b: Box, slack: float, dy: float, stop: set[int]) -> bool:
        if not dy:
            return self.same_line(anchor, b, slack)
        # a value shifted with the data layer, or form text (the next label) on the anchor's own line
        return abs(anchor.cy + dy - b.cy) <= slack * max(anchor.h, b.h, self.line_h * 0.8) or (
            id(b) in stop and self.same_line(anchor, b, slack)
        )

    def lines(self, boxes: list[Box]) -> list[list[Box]]:
        """Group boxes into text lines (top to bottom, each left to right)."""
        out: list[list[Box]] = []
        for b in sorted(boxes, key=lambda b: b.cy):
            if out and abs(out[-1][-1].cy - b.cy) <= 0.45 * max(b.h, self.line_h) and _overlaps_line(out[-1], b):
                out[-1].append(b)
            else:
                out.append([b])
        return [sorted(line, key=lambda b: b.x0) for line in out]


def _one_per_column(anchor: Box, boxes: list[Box], dy: float, stop: set[int]) -> list[Box]:
    """Of value boxes stacked in one column (a tall label reaches both its own line and the next one's
    start), keep the one nearest the label's line: a run along a line never holds two boxes one above the
    other."""
    target = anchor.cy + dy
    kept: list[Box] = []
    for b in sorted(boxes, key=lambda b: abs(b.cy - target)):
        if id(b) not in stop and any(
            id(k) not in stop
            and _x_overlap(b, k) > 0.5 * min(b.x1 - b.x0, k.x1 - k.x0)
            and abs(b.cy - k.cy) > 0.5 * min(b.h, k.h)
            for k in kept
        ):
            continue
        kept.append(b)
    return kept


def _x_overlap(a: Box, b: Box) -> float:
    return min(a.x1, b.x1) - max(a.x0, b.x0)


VERTICAL_WORDS = ("购买方信息", "销售方信息", "购买方", "销售方", "密码区", "备注", "购方", "销方")


def merge_vertical_words(boxes: list[Box]) -> list[Box]:
    """Join labels printed vertically one character per box (购 / 买 / 方, 备 / 注) into one box, so they
    are found like any other label. Only stacks that spell a known label are joined."""
    singles = sorted((b for b in boxes if len(b.flat) == 1), key=lambda b: (round(b.cx), b.y0))
    used: set[int] = set()
    merged: list[Box] = []
    for head in singles:
        if id(head) in used:
            continue
        stack = [head]
        for b in singles:
            last = stack[-1]
            if id(b) in used or b is head or b.y0 < last.y1 - 1:
                continue
            if abs(b.cx - last.cx) <= last.h * 0.5 and b.y0 - last.y1 <= last.h * 1.5:
                stack.append(b)
        word = "".join(b.flat for b in stack)
        match = next((w for w in VERTICAL_WORDS if word.startswith(w)), None)
        if match is None:
            continue
        stack = stack[: len(match)]
        used.update(id(b) for b in stack)
        src = stack[0].src.model_copy(update={"text": match, "bbox": union_bbox(stack)})
        merged.append(Box(src, match, match))
    return [b for b in boxes if id(b) not in used] + merged


def _overlaps_line(line: list[Box], b: Box) -> bool:
    cy = statistics.fmean(x.cy for x in line)
    return abs(cy - b.cy) <= 0.5 * max(b.h, max(x.h for x in line))


def union_bbox(boxes: list[Box]):
    return (min(b.x0 for b in boxes), min(b.y0 for b in boxes), max(b.x1 for b in boxes), max(b.y1 for b in boxes))


def joined(boxes: list[Box]) -> str:
    """Text of boxes on one line, left to right; a space only where the gap between them looks like one."""
    out = ""
    prev: Box | None = None
    for b in sorted(boxes, key=lambda b: b.x0):
        if prev is not None and b.x0 - prev.x1 > 0.3 * max(b.h, prev.h):
            out += " "
        out += b.text
        prev = b
    return out
