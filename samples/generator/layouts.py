"""Invoice layouts: which family of form an invoice is printed on, plus the drawing helpers they share.

A layout id names the form family and the text-object structure, e.g. ``vat-e/split``, ``toll/joined``,
``digital/split+multi``, ``vat-e/split+list`` (first page says 详见销货清单, the items are on the 清单 pages).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from fapiao.core.models import DIGITAL_TYPES, Invoice, InvoiceType
from samples.generator import fmt
from samples.generator.canvas import Canvas, PageSpec
from samples.generator.qr import qr_payload
from samples.generator.quirks import SMALL_PAGE, SPACED_LABELS, Quirks
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


def layout_invoice(
    inv: Invoice, rng: random.Random, style: Style | None = None, quirks: Quirks | None = None
) -> Rendered:
    """Lay out ``inv`` on one or more pages in a freshly drawn (or the given) style, with ``quirks`` on."""
    from samples.generator import layout_digital, layout_vat

    digital = inv.invoice_type in DIGITAL_TYPES
    st = style or random_style(rng, digital)
    if quirks is not None and quirks != Quirks():
        st = with_quirks(st, quirks)
    if st.quirks.yuan and inv.amount_in_words:
        inv = inv.model_copy(update={"amount_in_words": inv.amount_in_words.replace("圆", "元")})
    payload = qr_payload(inv, rng)
    if digital:
        pages, extra = layout_digital.pages(inv, st, rng, payload)
        family = "digital"
    else:
        pages, extra = layout_vat.pages(inv, st, rng, payload)
        family = "toll" if inv.invoice_type is InvoiceType.toll else "vat-e"
    mode = "joined" if st.joined else "split"
    return Rendered(inv, pages, f"{family}/{mode}{extra}", st, payload)


def with_quirks(st: Style, quirks: Quirks) -> Style:
    """``st`` with ``quirks`` on; a small page also takes the small fonts and tight rows it forces."""
    st = replace(st, quirks=quirks)
    if quirks.small_page:
        width, height = SMALL_PAGE
        st = replace(
            st,
            width=width,
            height=height,
            margin_x=8.0,
            margin_top=4.0,
            label_size=6.0,
            value_size=6.5,
            title_size=12.0,
            row_height=8.5,
            party_row=9.0,
            qr_size=40.0,
            col_jitter=tuple(j / 3 for j in st.col_jitter),
            digit_spacing=0.0,
        )
    return st


def new_canvas(st: Style, width: float | None = None, height: float | None = None) -> Canvas:
    c = Canvas(width or st.width, height or st.height, st.form_color, st.data_color, st.embedded)
    c.page.data_first = st.quirks.values_first
    return c


def spaced(st: Style, label: str) -> bool:
    """Whether ``label`` is drawn one character per text object (the ``spaced_labels`` quirk)."""
    return st.quirks.spaced_labels and not st.joined and "".join(label.split()) in SPACED_LABELS


def label_width(c: Canvas, st: Style, label: str, size: float) -> float:
    """The width ``draw_label`` will take for ``label`` with this style's colon."""
    text = st.lab(label)
    if not spaced(st, label):
        return c.width(text, size)
    chars = _spaced_chars(text)
    return sum(c.width(ch, size) for ch in chars) + 3 * size * (len(chars) - 1)


def draw_label(c: Canvas, st: Style, x: float, y: float, label: str, size: float) -> float:
    """A form label with this style's colon; one text object, or one per character 3 em apart."""
    text = st.lab(label)
    if not spaced(st, label):
        return c.label(x, y, text, size)
    cursor = x
    for ch in _spaced_chars(text):
        cursor += c.label(cursor, y, ch, size) + 3 * size
    return cursor - 3 * size - x


def _spaced_chars(text: str) -> list[str]:
    """ "名称：" → ["名", "称："]: the characters of the label, the colon kept with the last one."""
    chars = [ch for ch in text if not ch.isspace()]
    while len(chars) > 1 and chars[-1] in ":：":
        colon = chars.pop()
        chars[-1] += colon
    return chars


def total_label(c: Canvas, st: Style, cols: list[float], y: float) -> None:
    """合计 in the first column of the items table's last row."""
    left, right = cols[0], cols[1]
    if st.quirks.total_row:
        x = left + (right - left) * 0.15
        c.label(x, y, "合", st.label_size)
        c.label(x + 5 * st.label_size, y, "计", st.label_size)
    elif spaced(st, st.total_label):
        bare = replace(st, colon="")
        w = label_width(c, bare, st.total_label, st.label_size)
        draw_label(c, bare, (left + right) / 2 - w / 2, y, st.total_label, st.label_size)
    else:
        cell(c, cols, 0, y, st.total_label, st.label_size, "center", form=True)


def total_cell(c: Canvas, st: Style, cols: list[float], i: int, y: float, text: str) -> None:
    """An amount of the 合计 row: ``¥123.45`` in one text object, or (``total_row``) ¥ as its own."""
    if not (st.quirks.total_row and text[:1] in {"¥", "￥"}):
        cell(c, cols, i, y, text, st.value_size, "right")
        return
    number = text[1:]
    right = cols[i + 1] - 4
    w = c.value(right, y, number, st.value_size, "right")
    c.value(right - w - 0.4 * st.value_size, y, text[0], st.value_size, "right")


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
    w = draw_label(c, st, x, y, label, st.label_size)
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
    if st.quirks.yuan:
        words = words.replace("圆", "元")
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
