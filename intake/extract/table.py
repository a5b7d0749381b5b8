"""The goods/services table: find the header row, derive column intervals, and read item rows.

Works from header geometry alone (no ruling lines needed, so OCR output works the same): each data box goes
to the column whose interval it overlaps most; a row with an amount is an item; rows with only text (wrapped
names, specs) join the nearest item row above or below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from intake.extract.geometry import Box, PageView

COLUMN_PATTERNS: tuple[tuple[str, str], ...] = (
    ("name", r"^(?:货物或应税劳务[、,]?服务名称|货物或应税劳务名称|项目名称|货物名称|服务名称|商品名称)$"),
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


def column_kind(box: Box) -> str | None:
    for kind, rx in _COMPILED:
        if rx.match(box.flat):
            return kind
    return None


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
        best, best_overlap = None, 0.0
        for col in self.columns:
            overlap = min(box.x1, col.hi) - max(box.x0, col.lo)
            if overlap > best_overlap:
                best, best_overlap = col, overlap
        return best

    def find(self, kind: str) -> Column | None:
        return next((c for c in self.columns if c.kind == kind), None)


def find_table(view: PageView) -> Table | None:
    """The header row: the line with 金额 and the most column headers (≥ 3)."""
    headers = [(b, column_kind(b)) for b in view.boxes]
    headers = [(b, k) for b, k in headers if k]
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
