"""The goods/services table: find the header row, then give each box of a row its column.

Works from header geometry alone (no ruling lines needed, so OCR output works the same). Numbers are
right-aligned under headers of other widths, so nearest-header geometry alone misplaces them; a row is
therefore aligned to the columns as a whole (boxes left to right never go to a column left of the previous
box) at the least cost of geometric distance plus a penalty for content that cannot be in that column
(a rate in the amount column, text in the quantity column).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fapiao.core.models import FieldSource
from fapiao.intake.extract.geometry import Box, PageView
from fapiao.intake.extract.text import compact

COLUMN_PATTERNS: tuple[tuple[str, str], ...] = (
    ("name", r"^(?:[^名]*(?:货物|劳务|服务|项目|商品)[^名]*名称|名称)$"),
    ("spec", r"^规格型号$|^规格$|^型号$"),
    ("unit", r"^单位$"),
    ("quantity", r"^数量$"),
    ("unit_price", r"^单价(?:\(.*\))?$"),
    ("amount", r"^金额(?:\(.*\))?$"),
    ("tax_rate", r"^(?:税率/征收率|税率|征收率)$"),
    ("tax", r"^税额$"),
    ("plate_number", r"^车牌号(?:码)?$"),
    ("vehicle_type", r"^(?:车辆)?类型$"),
    ("period_start", r"^通行日期起$"),
    ("period_end", r"^通行日期止$"),
    ("seq", r"^序号$"),
)
_COMPILED = [(k, re.compile(p)) for k, p in COLUMN_PATTERNS]


SECTION_HEADERS = re.compile(
    r"^(?:出行人|有效身份证件号(?:码)?|出行日期|出发地|到达地|等级|交通工具类型|"
    r"运输工具种类|运输工具牌号|起运地|运输货物名称|建筑服务发生地|建筑项目名称|土地增值税项目编号|跨地\(市\)标志|"
    r"不动产地址|租赁期起止|产权证书/不动产权证号|面积单位)$"
)
"""Headers of the 特定业务 tables of 数电 invoices (旅客运输, 货物运输, 建筑服务, 不动产): a second table, whose
rows are not items."""


def is_section_header(box: Box) -> bool:
    return bool(SECTION_HEADERS.match(box.flat))


def section_top(view: PageView, below: float) -> float | None:
    """The top of the first 特定业务 table header row below ``below`` (two or more of its headers on a line)."""
    heads = sorted((b for b in view.boxes if b.cy > below and is_section_header(b)), key=lambda b: b.cy)
    for b in heads:
        if sum(1 for o in heads if abs(o.cy - b.cy) <= view.line_h * 0.5) >= 2:
            return b.y0
    return None


def column_kind(box: Box) -> str | None:
    for kind, rx in _COMPILED:
        if rx.match(box.flat):
            return kind
    if box.src.source is not FieldSource.ocr:
        return None
    if _TAX_MISREAD.match(box.flat):
        return "tax"  # "税页" for 税额: the one two-character header starting with 税 besides 税率
    for alt in box.src.alternatives:  # a header character misread with the right one as runner-up: "全额"
        flat = compact(alt)
        for kind, rx in _COMPILED:
            if rx.match(flat):
                return kind
    return None


_TAX_MISREAD = re.compile(r"^税[^率]$")


@dataclass
class Column:
    kind: str
    header: Box
    lo: float
    hi: float


@dataclass
class Table:
    columns: list[Column]
    top: float
    """Bottom edge of the header row: data starts below it."""

    def column_of(self, box: Box) -> Column | None:
        """The column of a lone box (totals row): by overlap with the column intervals."""
        best, best_overlap = None, 0.0
        for col in self.columns:
            overlap = min(box.x1, col.hi) - max(box.x0, col.lo)
            if overlap > best_overlap:
                best, best_overlap = col, overlap
        return best

    def money_column_of(self, box: Box) -> Column | None:
        """The 金额 or 税额 column of a totals-row amount: right-aligned ¥ figures reach under the 税率
        header next to a narrow 金额, so overlap alone is not enough; among the two money columns, the one
        it overlaps most, else the nearest."""
        cols = [c for c in self.columns if c.kind in {"amount", "tax"}]
        if not cols:
            return None
        best = max(cols, key=lambda c: min(box.x1, c.hi) - max(box.x0, c.lo))
        if min(box.x1, best.hi) - max(box.x0, best.lo) > 0:
            return best
        return min(cols, key=lambda c: abs(box.cx - c.header.cx))

    def assign(self, line: list[Box], line_h: float) -> dict[str, list[Box]]:
        """Columns for the boxes of one row, by a monotone least-cost alignment (dynamic programming)."""
        boxes = sorted(line, key=lambda b: b.x0)
        cols = self.columns
        n, m = len(boxes), len(cols)
        if n == 0:
            return {}
        cost = [[_fit(b, c, line_h) for c in cols] for b in boxes]
        inf = float("inf")
        best = [[inf] * m for _ in range(n)]
        back = [[-1] * m for _ in range(n)]
        for k in range(m):
            best[0][k] = cost[0][k]
        for i in range(1, n):
            for k in range(m):
                for j in range(k + 1):
                    extra = _SAME_COLUMN_PENALTY if j == k and cols[k].kind in NUMERIC_COLUMNS else 0.0
                    total = best[i - 1][j] + extra + cost[i][k]
                    if total < best[i][k]:
                        best[i][k], back[i][k] = total, j
        k = min(range(m), key=lambda c: best[n - 1][c])
        out: dict[str, list[Box]] = {}
        for i in range(n - 1, -1, -1):
            out.setdefault(cols[k].kind, []).insert(0, boxes[i])
            k = back[i][k]
        return out

    def find(self, kind: str) -> Column | None:
        return next((c for c in self.columns if c.kind == kind), None)


NUMERIC_COLUMNS = frozenset({"quantity", "unit_price", "amount", "tax", "tax_rate", "seq"})
_SAME_COLUMN_PENALTY = 6.0
_MISFIT = 12.0
_MONEY = re.compile(r"^[¥]?-?\d+\.\d{2}$")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_RATE = re.compile(r"^(?:\d+(?:\.\d+)?%|免税|不征税|出口零税率|\*+)$")
_NUMERICISH = re.compile(r"^[¥\-\d.,]+$")
_GLUED_FIT = 4.0
_DATE = re.compile(r"^\d{4}[-/.年]?\d{1,2}[-/.月]?\d{1,2}日?$")


def _fit(box: Box, col: Column, line_h: float) -> float:
    """Cost of putting ``box`` in ``col``: distance to the header (in line heights) + content misfit."""
    h = col.header
    gap = max(0.0, h.x0 - box.x1, box.x0 - h.x1)
    return gap / max(line_h, 1.0) + _misfit(box.flat, col.kind)


def _misfit(text: str, kind: str) -> float:
    money, number = bool(_MONEY.match(text)), bool(_NUMBER.match(text))
    glued = not number and bool(_NUMERICISH.match(text))  # "4222.83018868-4222.83": cells printed into each other
    if kind in {"amount", "tax"}:
        if money or (kind == "tax" and re.fullmatch(r"\*+", text)):
            return 0.0
        return _GLUED_FIT if glued else _MISFIT
    if kind == "tax_rate":
        return 0.0 if _RATE.match(text) else _MISFIT
    if kind in {"quantity", "unit_price", "seq"}:
        return 0.0 if number else (_GLUED_FIT if glued else _MISFIT)
    if kind in {"period_start", "period_end"}:
        return 0.0 if _DATE.match(text) else _MISFIT
    # text columns (name, spec, unit, plate, vehicle type): bare numbers and rates rarely belong there
    if money or text.endswith("%"):
        return 3.0
    if number:
        return 2.0
    return 5.0 if glued else 0.0


_MAX_HEADER_CHARS = 24


def split_header(box: Box) -> list[Box]:
    """Column headers printed or read into one box ("金额税率/征收率", "规格型号单位"): the box split into
    the headers it is made of, when it is made of nothing else; each piece gets its share of the bbox by
    character count. [] when the box is not such a concatenation."""
    flat = box.flat
    if len(flat) > _MAX_HEADER_CHARS or len(flat) < 4:
        return []
    words = _tokenise(flat)
    if not words or len(words) < 2:
        return []
    out, x, width = [], box.x0, box.x1 - box.x0
    for word in words:
        w = width * len(word) / len(flat)
        src = box.src.model_copy(update={"text": word, "bbox": (x, box.y0, x + w, box.y1)})
        out.append(Box(src, word, word))
        x += w
    return out


def _tokenise(flat: str) -> list[str] | None:
    """``flat`` as a sequence of column headers (longest first), or None."""
    if not flat:
        return []
    for end in range(len(flat), 1, -1):
        head = flat[:end]
        if any(rx.match(head) for _, rx in _COMPILED):
            rest = _tokenise(flat[end:])
            if rest is not None:
                return [head, *rest]
    return None


def find_table(view: PageView) -> Table | None:
    """The header row: the line with 金额 and the most column headers (≥ 3)."""
    headers = [(b, column_kind(b)) for b in view.boxes]
    headers = [(b, k) for b, k in headers if k] + [
        (piece, column_kind(piece)) for b, k in headers if k is None for piece in split_header(b)
    ]
    best: list[tuple[Box, str]] = []
    for b, k in headers:
        if k != "amount":
            continue
        row = [(o, ok) for o, ok in headers if abs(o.cy - b.cy) <= view.line_h * 0.8]
        if len({ok for _, ok in row}) > len({ok for _, ok in best}):
            best = row
    if len({k for _, k in best}) < 3:
        return None
    best.sort(key=lambda x: x[0].cx)
    dedup: list[tuple[Box, str]] = []
    for b, k in best:
        if all(k != dk for _, dk in dedup):
            dedup.append((b, k))
    columns: list[Column] = []
    for i, (b, k) in enumerate(dedup):
        lo = -1e9 if i == 0 else (dedup[i - 1][0].cx + b.cx) / 2
        hi = 1e9 if i == len(dedup) - 1 else (b.cx + dedup[i + 1][0].cx) / 2
        columns.append(Column(k, b, lo, hi))
    return Table(columns=columns, top=max(b.y1 for b, _ in dedup))
