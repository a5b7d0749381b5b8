"""Item rows from the table: amounts, rates, taxes, wrapped names, discount lines, toll columns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from fapiao.core.models import FieldSource, LineItem
from fapiao.intake.extract.geometry import Box, PageView
from fapiao.intake.extract.table import Table
from fapiao.intake.extract.text import compact, is_masked, parse_date, parse_money, parse_plain_decimal, parse_rate

DETAIL_LIST_MARKERS = ("详见销货清单", "详见清单", "详见对应正数发票及清单")


@dataclass
class Row:
    cells: dict[str, list[Box]] = field(default_factory=dict)
    cy: float = 0.0

    def text(self, kind: str) -> str:
        return "".join(b.text for line in visual_lines(self.cells.get(kind, [])) for b in line)

    def add(self, kind: str, boxes: list[Box]) -> None:
        self.cells.setdefault(kind, []).extend(boxes)


def visual_lines(boxes: list[Box]) -> list[list[Box]]:
    """The boxes of one cell as printed lines, top to bottom, each left to right. Boxes whose centres lie
    within half a line of each other share a line: glyphs of another font ("*" in "*运输服务*客运服务费") sit
    a fraction of a point higher or lower, and must not sort before the line they belong to."""
    lines: list[list[Box]] = []
    for b in sorted(boxes, key=lambda b: b.cy):
        if lines and abs(b.cy - sum(o.cy for o in lines[-1]) / len(lines[-1])) <= 0.5 * max(b.h, lines[-1][0].h):
            lines[-1].append(b)
        else:
            lines.append([b])
    return [sorted(line, key=lambda b: b.x0) for line in lines]


@dataclass
class ItemsResult:
    items: list[LineItem]
    rows: list[Row]
    """The table row each item was read from (same order as ``items``)."""
    refers_to_list: bool
    """The table only says 详见销货清单: the items are on a continuation page."""


def read_items(view: PageView, table: Table, bottom: float, stop: set[int]) -> ItemsResult:
    # by centre: a 套打 offset can push the first row up against the header (its top above the header's bottom)
    data = [b for b in view.boxes if b.cy > table.top - 0.25 * view.line_h and b.cy < bottom and id(b) not in stop]
    item_rows: list[Row] = []
    fragments: list[Row] = []
    for line in view.lines(data):
        line = [piece for b in line for piece in unglue(b)]
        row = Row(cy=sum(b.cy for b in line) / len(line))
        for kind, boxes in table.assign(line, view.line_h).items():
            row.add(kind, boxes)
        _split_price_amount(row)
        _split_quantity_price(row)
        _split_unit_quantity(row)
        if _is_totals_row(row):
            continue  # the 合计 row reached through an offset or a misread label: amounts with ¥ are totals
        (item_rows if _money_cell(row.text("amount")) is not None else fragments).append(row)
    for frag in fragments:
        target = _owner(frag, item_rows)
        if target is None:
            continue
        for kind, boxes in frag.cells.items():
            if kind in {"name", "spec", "unit", "plate_number", "vehicle_type"}:
                target.add(kind, boxes)
    pairs = [(_item(r), r) for r in item_rows]
    placeholder = [any(m in (item.name or "") for m in DETAIL_LIST_MARKERS) for item, _ in pairs]
    kept = [pair for pair, is_placeholder in zip(pairs, placeholder, strict=False) if not is_placeholder]
    return ItemsResult(items=[i for i, _ in kept], rows=[r for _, r in kept], refers_to_list=any(placeholder))


_GLUED = (
    re.compile(r"^([¥￥]?-?\d+\.\d{2})(\d{1,2}(?:\.\d)?%|免税|不征税)$"),  # amount + rate
)


def unglue(box: Box) -> list[Box]:
    """Split one box holding two adjacent cells ("41148.629%": amount + rate) where the split is certain;
    the bbox is shared out by character count."""
    for rx in _GLUED:
        m = rx.match(box.flat)
        if m:
            return _split_box(box, [m.group(1), m.group(2)])
    return [box]


def _split_box(box: Box, parts: list[str]) -> list[Box]:
    total = sum(len(p) for p in parts)
    out, x = [], box.x0
    for part in parts:
        w = (box.x1 - box.x0) * len(part) / total
        src = box.src.model_copy(update={"text": part, "bbox": (x, box.y0, x + w, box.y1)})
        out.append(Box(src, part, part))
        x += w
    return out


def _split_quantity_price(row: Row) -> None:
    """Quantity and unit price printed into each other ("135.62104.95049505", "2448.14150943"): the split
    for which quantity × price = amount (±0.01) is taken when it is the only one. A price-column value that
    is itself a price for a whole quantity ("687.168142" with 1374.34: a lost "2") is not split: quantities
    are whole far more often than prices, and a lone narrow digit is what detection loses."""
    amount = _money_cell(row.text("amount"))
    qty, price = parse_plain_decimal(row.text("quantity")), parse_plain_decimal(row.text("unit_price"))
    if amount is None or (qty is not None and price is not None):
        return
    kinds = [k for k in ("unit", "quantity", "unit_price") if row.cells.get(k)]
    for kind in kinds:
        for b in row.cells[kind]:
            if kind == "unit_price" and qty is None and _whole_quantity(_money_cell(b.flat), amount) is not None:
                continue
            splits = _consistent_splits(b.flat, amount)
            if len(splits) == 1:
                q, p = splits[0]
                row.cells[kind].remove(b)
                pieces = _split_box(b, [q, p])
                row.add("quantity", [pieces[0]])
                row.add("unit_price", [pieces[1]])
                return


_TOTAL_NAME = re.compile(r"^(?:[合含舍台]计?|计|总计|小计)[:：]?$")
"""The name cell of the 合计 row: the label, or the one piece of a spaced-out 合  计 that was read."""


def _is_totals_row(row: Row) -> bool:
    """Item amounts are printed bare; the 合计 row prints its amount and tax with ¥ (or a masked tax), and
    its name cell holds nothing or the 合计 label."""
    cells = [compact(row.text(k)) for k in ("amount", "tax") if row.cells.get(k)]
    name = compact(row.text("name"))
    if name and not _TOTAL_NAME.match(name):
        return False
    if any(c.startswith(("¥", "￥")) for c in cells) and all(c.startswith(("¥", "￥")) or is_masked(c) for c in cells):
        return True
    return bool(name) and _money_cell(row.text("amount")) is not None and not row.text("unit_price").strip()


def _money_cell(text: str) -> Decimal | None:
    """The cell's value when the cell holds exactly one money value (not two printed into each other)."""
    flat = text.replace(" ", "").replace("¥", "").replace("￥", "")
    return Decimal(flat) if re.fullmatch(r"-?\d+(?:\.\d+)?", flat) else None


def _split_price_amount(row: Row) -> None:
    """Unit price and amount printed into each other ("3118.396226426236.79", or "7955579555.00", which even
    reads as one amount): with the quantity known and no price of its own, the split where quantity × price
    = amount (two decimals) is taken when it is the only one."""
    qty = parse_plain_decimal(row.text("quantity"))
    if qty is None or parse_plain_decimal(row.text("unit_price")) is not None:
        return
    for kind in ("unit_price", "amount", "quantity"):
        for b in list(row.cells.get(kind, [])):
            text = b.flat.replace("¥", "").replace("￥", "")
            found = []
            for i in range(1, len(text)):
                p, a = text[:i], text[i:]
                if (
                    re.fullmatch(r"\d+(?:\.\d+)?", p)
                    and re.fullmatch(r"-?\d+\.\d{2}", a)
                    and not (len(a) > 4 and a[0] == "0")
                    and abs(abs(qty * Decimal(p)).quantize(Decimal("0.01")) - abs(Decimal(a))) <= Decimal("0.01")
                ):
                    found.append((p, a))
            if len(found) == 1:
                row.cells[kind].remove(b)
                price_box, amount_box = _split_box(b, list(found[0]))
                row.cells["unit_price"] = [price_box]
                row.cells["amount"] = [amount_box]
                return


def _split_unit_quantity(row: Row) -> None:
    """A unit printed into its quantity ("盒22.19051141"): split off the number when quantity × price =
    amount confirms it."""
    price, amount = parse_plain_decimal(row.text("unit_price")), _money_cell(row.text("amount"))
    if price is None or amount is None or parse_plain_decimal(row.text("quantity")) is not None:
        return
    for kind in ("unit", "spec"):
        for b in list(row.cells.get(kind, [])):
            m = re.fullmatch(r"(.*\D)(-?\d+(?:\.\d+)?)", b.flat)
            if m and abs(abs(Decimal(m.group(2)) * price).quantize(Decimal("0.01")) - abs(amount)) <= Decimal("0.01"):
                row.cells[kind].remove(b)
                unit_box, qty_box = _split_box(b, [m.group(1), m.group(2)])
                row.add(kind, [unit_box])
                row.add("quantity", [qty_box])
                return


def _consistent_splits(text: str, amount: Decimal) -> list[tuple[str, str]]:
    m = re.search(r"\d[\d.]*\d", text)
    if not m or m.group(0) == text and "." not in text[1:-1]:
        return []
    digits = m.group(0)
    out = []
    for i in range(1, len(digits)):
        q, p = digits[:i], digits[i:]
        if (
            q.endswith(".")
            or p.startswith(".")
            or q.count(".") > 1
            or p.count(".") > 1
            or (len(p) > 1 and p[0] == "0" and p[1] != ".")
        ):
            continue
        if abs((Decimal(q) * Decimal(p)).quantize(Decimal("0.01")) - abs(amount)) <= Decimal("0.01"):
            out.append((q, p))
    return out


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
    ocr = any(b.src.source is FieldSource.ocr for boxes in row.cells.values() for b in boxes)
    name = row.text("name").strip()
    quantity = parse_plain_decimal(row.text("quantity"))
    unit_price = parse_plain_decimal(row.text("unit_price"))
    amount = parse_money(row.text("amount"))
    if ocr:
        name = _restore_leading_star(name)
        if quantity is None:
            quantity = _whole_quantity(unit_price, amount)
    return LineItem(
        name=name,
        spec=row.text("spec").strip() or None,
        unit=row.text("unit").strip() or None,
        quantity=quantity,
        unit_price=unit_price,
        amount=amount,
        tax_rate=parse_rate(row.text("tax_rate")),
        tax=None if is_masked(tax_text) else parse_money(tax_text),
        plate_number=row.text("plate_number").strip() or None,
        vehicle_type=row.text("vehicle_type").strip() or None,
        period_start=start[0] if start else None,
        period_end=end[0] if end else None,
    )


_ONE_INNER_STAR = re.compile(r"^[\u4e00-\u9fff]{2,12}\*[^*]")


def _restore_leading_star(name: str) -> str:
    """Goods names are printed "*分类简称*名称"; OCR often loses the small first "*" at the start of the
    cell. A name with its one "*" after a short classification is that name with the first one lost."""
    return "*" + name if name.count("*") == 1 and _ONE_INNER_STAR.match(name) else name


def _whole_quantity(unit_price: Decimal | None, amount: Decimal | None) -> Decimal | None:
    """A lone narrow "1" in the quantity cell is often not detected at all. When the price and the amount
    are read, the quantity they imply is taken if it is a whole number that reproduces the amount to the
    cent (the same tolerance the invoicing software keeps); above 0.02 a unit price allows only one such number."""
    if unit_price is None or amount is None or unit_price <= Decimal("0.02") or amount <= 0:
        return None
    n = (amount / unit_price).to_integral_value()
    if n < 1 or abs(n * unit_price - amount) > Decimal("0.01"):
        return None
    return n
