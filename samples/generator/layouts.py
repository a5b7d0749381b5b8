"""Invoice layouts: which family of form an invoice is printed on, plus the drawing helpers they share.

A layout id names the form family and the text-object structure, e.g. ``vat-e/split``, ``toll/joined``,
``digital/split+multi``, ``vat-e/split+list`` (first page says 详见销货清单, the items are on the 清单 pages).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from fapiao.core.models import DIGITAL_TYPES, Invoice, InvoiceType
from samples.generator import fmt
from samples.generator.canvas import Canvas, PageSpec
from samples.generator.qr import qr_payload
from samples.generator.style import Style, random_style

LAYOUT_FAMILIES = ("vat-e", "toll", "digital")
LAYOUT_IDS = tuple(
    f"{fam}/{mode}{extra}"
    for fam in LAYOUT_FAMILIES
    for mode in ("split", "joined")
    for extra in (("", "+list") if fam != "digital" else ("", "+multi"))
)


@dataclass
class Rendered:
    invoice: Invoice
    pages: list[PageSpec]
    layout: str
    style: Style
    qr: str


def layout_invoice(inv: Invoice, rng: random.Random, style: Style | None = None) -> Rendered:
    """Lay out ``inv`` on one or more pages in a freshly drawn (or the given) style."""
    from samples.generator import layout_digital, layout_vat

    digital = inv.invoice_type in DIGITAL_TYPES
    st = style or random_style(rng, digital)
    payload = qr_payload(inv, rng)
    if digital:
        pages, extra = layout_digital.pages(inv, st, rng, payload)
        family = "digital"
    else:
        pages, extra = layout_vat.pages(inv, st, rng, payload)
        family = "toll" if inv.invoice_type is InvoiceType.toll else "vat-e"
    mode = "joined" if st.joined else "split"
    return Rendered(inv, pages, f"{family}/{mode}{extra}", st, payload)


def new_canvas(st: Style, width: float | None = None, height: float | None = None) -> Canvas:
    return Canvas(width or st.width, height or st.height, st.form_color, st.data_color, st.embedded)


def fit_size(c: Canvas, text: str, size: float, max_width: float, floor: float = 5.0, spacing: float = 0.0) -> float:
    """Shrink the font until ``text`` fits, as invoicing software does with long names."""
    w = c.width(text, size)
    room = max_width - spacing * len(text)
    return size if w <= room or w == 0 else max(floor, size * room / w)


def pair(
    c: Canvas,
    st: Style,
    x: float,
    y: float,
    label: str,
    value: str | None,
    value_x: float | None = None,
    spacing: float = 0.0,
    max_width: float | None = None,
) -> None:
    """A label and its value: two text objects (form, then data) or one joined object in the data layer."""
    text_label = st.lab(label)
    if st.joined:
        text = text_label + (value or "")
        lead = value_x - x if value_x is not None else c.width(text_label, st.label_size)
        c.value(x, y, text, fit_size(c, text, st.value_size, max_width + lead) if max_width else st.value_size)
        return
    w = c.label(x, y, text_label, st.label_size)
    if not value:
        return
    vx = value_x if value_x is not None else x + w + st.value_dx * 0.4
    size = fit_size(c, value, st.value_size, max_width, spacing=spacing) if max_width else st.value_size
    c.value(vx, y + st.value_dy, value, size, spacing=spacing)


def date_pair(c: Canvas, st: Style, x: float, y: float, label: str, inv: Invoice, value_x: float | None = None) -> None:
    """开票日期 as one value, or with 年/月/日 pre-printed and only the digits as data ("2019  07  20")."""
    d = inv.issue_date
    if st.date_format != "split" or st.joined:
        pair(c, st, x, y, label, fmt.date_cn(d, st), value_x)
        return
    w = c.label(x, y, st.lab(label), st.label_size)
    cursor = value_x if value_x is not None else x + w + 2
    digit_w = c.width("0", st.value_size)
    for part, unit in ((f"{d.year}", "年"), (f"{d.month:02d}", "月"), (f"{d.day:02d}", "日")):
        slot = digit_w * len(part) + 4
        c.value(cursor + 2, y + st.value_dy, part, st.value_size)
        c.label(cursor + slot, y, unit, st.label_size)
        cursor += slot + c.width(unit, st.label_size) + 1


def columns(x0: float, x1: float, fractions: tuple[float, ...], st: Style) -> list[float]:
    """Column boundaries with this document's jitter, never narrower than 22 pt."""
    xs = [x0 + f * (x1 - x0) for f in fractions]
    for i in range(1, len(xs) - 1):
        xs[i] += st.col_jitter[i % len(st.col_jitter)]
    for i in range(1, len(xs)):
        xs[i] = max(xs[i], xs[i - 1] + 22) if i < len(xs) - 1 else xs[i]
    return xs


def cell(
    c: Canvas,
    cols: list[float],
    i: int,
    y: float,
    text: str,
    size: float,
    align: str,
    spacing: float = 0.0,
    form: bool = False,
) -> None:
    left, right = cols[i], cols[i + 1]
    x = left + 2.5 if align == "left" else right - 4 if align == "right" else (left + right) / 2
    size = fit_size(c, text, size, right - left - 6, spacing=spacing)
    if form:
        c.label(x, y, text, size, align)
    else:
        c.value(x, y, text, size, align, spacing)


def wrap(c: Canvas, text: str, size: float, width: float) -> list[str]:
    """Greedy character wrap, the way invoicing software breaks long item names."""
    lines, cur = [], ""
    for ch in text:
        if cur and c.width(cur + ch, size) > width:
            lines.append(cur)
            cur = ""
        cur += ch
    return [*lines, cur] if cur else lines or [""]


def words_value(c: Canvas, st: Style, x: float, y: float, words: str) -> None:
    """ⓧ + 大写 amount; the ⓧ is a glyph when the embedded font can print it, vector art otherwise."""
    if st.cross_as_text:
        c.value(x, y, "ⓧ" + words, st.value_size)
        return
    c.cross_circle(x, y, st.value_size)
    c.value(x + st.value_size * 1.1, y, words, st.value_size)


def title(c: Canvas, st: Style, y: float, text: str, right_limit: float | None = None) -> None:
    """Centred title with the double rule under it, kept left of ``right_limit`` (the code block)."""
    size = st.title_size
    if right_limit is not None:
        size = fit_size(c, text, size, 2 * (right_limit - c.page.width / 2) - 60, floor=11)
    w = c.label(c.page.width / 2, y, text, size, align="center")
    for dy in (size * 0.35, size * 0.35 + 2.2):
        c.line(c.page.width / 2 - w / 2 - 12, y + dy, c.page.width / 2 + w / 2 + 12, y + dy, 0.7)
