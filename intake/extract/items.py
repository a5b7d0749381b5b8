"""Item rows from the table: amounts, rates, taxes, wrapped names, discount lines, toll columns."""

from __future__ import annotations

from dataclasses import dataclass, field

from intake.extract.geometry import Box, PageView
from intake.extract.table import Table
from intake.extract.text import is_masked, parse_date, parse_money, parse_plain_decimal, parse_rate
from intake.models import LineItem

DETAIL_LIST_MARKERS = ("详见销货清单", "详见清单", "详见对应正数发票及清单")


@dataclass
class Row:
    cells: dict[str, list[Box]] = field(default_factory=dict)
    cy: float = 0.0

    def text(self, kind: str) -> str:
        return "".join(b.text for b in sorted(self.cells.get(kind, []), key=lambda b: (round(b.cy), b.x0)))

    def add(self, kind: str, boxes: list[Box]) -> None:
        self.cells.setdefault(kind, []).extend(boxes)


@dataclass
class ItemsResult:
    items: list[LineItem]
    rows: list[Row]
    """The table row each item was read from (same order as ``items``)."""
    refers_to_list: bool
    """The table only says 详见销货清单: the items are on a continuation page."""


def read_items(view: PageView, table: Table, bottom: float, stop: set[int]) -> ItemsResult:
    data = [b for b in view.boxes if b.y0 >= table.top - 1 and b.cy < bottom and id(b) not in stop]
    item_rows: list[Row] = []
    fragments: list[Row] = []
    for line in view.lines(data):
        row = Row(cy=sum(b.cy for b in line) / len(line))
        for b in line:
            col = table.column_of(b)
            if col is not None:
                row.add(col.kind, [b])
        (item_rows if parse_money(row.text("amount")) is not None else fragments).append(row)
    for frag in fragments:
        target = _owner(frag, item_rows)
        if target is None:
            continue
        for kind, boxes in frag.cells.items():
            if kind in {"name", "spec", "unit", "plate_number", "vehicle_type"}:
                target.add(kind, boxes)
    pairs = [(_item(r), r) for r in item_rows]
    placeholder = [any(m in (item.name or "") for m in DETAIL_LIST_MARKERS) for item, _ in pairs]
    kept = [pair for pair, is_placeholder in zip(pairs, placeholder) if not is_placeholder]
    return ItemsResult(items=[i for i, _ in kept], rows=[r for _, r in kept], refers_to_list=any(placeholder))


def _owner(frag: Row, rows: list[Row]) -> Row | None:
    """The item a text-only line belongs to. Names wrap downwards under their row, so the row above wins,
    unless the row below has no name of its own (amounts printed centred against a two-line name)."""
    above = max((r for r in rows if r.cy <= frag.cy), key=lambda r: r.cy, default=None)
    below = min((r for r in rows if r.cy > frag.cy), key=lambda r: r.cy, default=None)
    if above is None:
        return below
    if below is not None and not below.text("name").strip() and below.cy - frag.cy < frag.cy - above.cy:
        return below
    return above


def _item(row: Row) -> LineItem:
    tax_text = row.text("tax")
    start = parse_date(row.text("period_start"))
    end = parse_date(row.text("period_end"))
    return LineItem(
        name=row.text("name").strip(),
        spec=row.text("spec").strip() or None,
        unit=row.text("unit").strip() or None,
        quantity=parse_plain_decimal(row.text("quantity")),
        unit_price=parse_plain_decimal(row.text("unit_price")),
        amount=parse_money(row.text("amount")),
        tax_rate=parse_rate(row.text("tax_rate")),
        tax=None if is_masked(tax_text) else parse_money(tax_text),
        plate_number=row.text("plate_number").strip() or None,
        vehicle_type=row.text("vehicle_type").strip() or None,
        period_start=start[0] if start else None,
        period_end=end[0] if end else None,
    )
