"""The 数电 form (电子发票（普通发票）/（增值税专用发票））: QR top-left, 发票号码/开票日期 top-right, buyer and
seller side by side, an items table without column rules, 合计, 价税合计, 备注, and 开票人 under the frame.

Too many item lines continue the table on further pages ("共2页 第1页"), each repeating the header and
parties; the totals print on the last page.
"""

from __future__ import annotations

import random

from fapiao.core.models import Invoice
from samples.generator import fmt
from samples.generator.canvas import Canvas, PageSpec
from samples.generator.layout_vat import TOLL_HEAD
from samples.generator.layouts import (
    cell,
    columns,
    date_pair,
    new_canvas,
    pair,
    title,
    total_cell,
    total_label,
    words_value,
    wrap,
)
from samples.generator.style import Style

COLS = (0.0, 0.26, 0.39, 0.46, 0.55, 0.68, 0.8, 0.885, 1.0)
HEAD = ("项目名称", "规格型号", "单位", "数量", "单价", "金额", "税率/征收率", "税额")
LINES_PER_PAGE = 9
VERTICAL_COL = 18.0


def pages(inv: Invoice, st: Style, rng: random.Random, payload: str) -> tuple[list[PageSpec], str]:
    probe = new_canvas(st)
    cols = columns(st.margin_x, st.width - st.margin_x, COLS, st)
    width = cols[1] - cols[0] - 5 - st.wrap_slack * st.value_size
    rows = [(wrap(probe, it.name, st.value_size, width), _cells(it, st)) for it in inv.items]
    chunks = _paginate(rows)
    out = [_page(inv, st, payload, cols, chunk, k, len(chunks)) for k, chunk in enumerate(chunks)]
    return out, "+multi" if len(out) > 1 else ""


def _cells(it, st: Style) -> list[str]:
    if st.quirks.toll_columns:
        return [
            it.plate_number or "",
            it.vehicle_type or "",
            fmt.date_compact(it.period_start),
            fmt.date_compact(it.period_end),
            fmt.money(it.amount),
            it.tax_rate or "",
            fmt.tax(it.tax, it.tax_rate),
        ]
    return [
        it.spec or "",
        it.unit or "",
        fmt.number(it.quantity, st),
        fmt.number(it.unit_price, st, pad=True),
        fmt.money(it.amount),
        it.tax_rate or "",
        fmt.tax(it.tax, it.tax_rate),
    ]


def _paginate(rows: list) -> list[list]:
    chunks, cur, used = [], [], 0
    for row in rows:
        if cur and used + len(row[0]) > LINES_PER_PAGE:
            chunks.append(cur)
            cur, used = [], 0
        cur.append(row)
        used += len(row[0])
    return [*chunks, cur]


def _page(inv: Invoice, st: Style, payload: str, cols: list[float], rows: list, k: int, n: int) -> PageSpec:
    c = new_canvas(st)
    top = st.margin_top
    x0, x1 = cols[0], cols[-1]
    _header(c, st, inv, payload, top, k, n)
    y0 = top + st.qr_size + 8
    h_parties = max(2 * st.party_row * 1.6 + 10, 5 * st.label_size * 1.3 + 8)  # room for 购买方信息 upright
    _parties(c, st, inv, x0, x1, y0, h_parties)
    y_items = y0 + h_parties
    n_lines = max(sum(len(r[0]) for r in rows), 4)
    h_sum = 18.0
    h_rem = 3 * st.party_row + 6
    room = st.height - st.margin_top - 30 - (y_items + h_sum + h_rem)  # fill the page like the printed form
    h_items = max(14 + n_lines * st.row_height + 18, room)
    _items(c, st, inv, cols, y_items, h_items, rows, last=k == n - 1)
    y_sum = y_items + h_items
    _sum_row(c, st, inv, cols, y_sum, h_sum, last=k == n - 1)
    y_rem = y_sum + h_sum
    _remarks(c, st, inv, x0, x1, y_rem, h_rem)
    y1 = y_rem + h_rem
    c.box(x0, y0, x1, y1, 0.9)
    pair(c, st, x0 + 30 + st.col_jitter[2], y1 + 14, "开票人", inv.drawer)
    c.page.height = max(c.page.height, y1 + 26)
    return c.page


def _header(c: Canvas, st: Style, inv: Invoice, payload: str, top: float, k: int, n: int) -> None:
    c.qr(st.margin_x + 4, top, st.qr_size, payload, st.qr_vector)
    label_w = c.width(st.lab("开票日期"), st.label_size)
    xi = st.width - st.margin_x - label_w - 112 - st.digit_spacing * 20
    title(c, st, top + 28, inv.title or "", right_limit=xi)
    vx = xi + label_w + st.value_dx * 0.5
    pair(c, st, xi, top + 20, "发票号码", inv.invoice_number, vx, st.digit_spacing)
    date_pair(c, st, xi, top + 20 + st.party_row * 1.3, "开票日期", inv, vx)
    if n > 1:
        c.label(xi, top + 20 + st.party_row * 2.6, f"共{n}页 第{k + 1}页", st.label_size)


def _parties(c: Canvas, st: Style, inv: Invoice, x0: float, x1: float, y0: float, h: float) -> None:
    xm = (x0 + x1) / 2
    for xs, side, name, tax_id in (
        (x0, "购买方信息", inv.buyer_name, inv.buyer_tax_id),
        (xm, "销售方信息", inv.seller_name, inv.seller_tax_id),
    ):
        c.line(xs + VERTICAL_COL, y0, xs + VERTICAL_COL, y0 + h)
        c.vertical_label(xs + VERTICAL_COL / 2, y0, y0 + h, side, st.label_size, st.vertical_one_object)
        lx = xs + VERTICAL_COL + 4
        room = xm - x0 - VERTICAL_COL - 8
        pair(c, st, lx, y0 + h * 0.38, st.name_label.replace("    ", " "), name, max_width=room - 30)
        pair(
            c,
            st,
            lx,
            y0 + h * 0.78,
            "统一社会信用代码/纳税人识别号",
            tax_id,
            spacing=st.digit_spacing,
            max_width=room - 140,
        )
    c.line(xm, y0, xm, y0 + h)


def _items(c: Canvas, st: Style, inv: Invoice, cols: list[float], y: float, h: float, rows: list, last: bool) -> None:
    c.line(cols[0], y, cols[-1], y)
    for i, text in enumerate(TOLL_HEAD if st.quirks.toll_columns else HEAD):
        cell(c, cols, i, y + 10, text, st.label_size, "center", form=True)
    aligns = ("left", "center", "right", "right", "right", "center", "right")
    if st.quirks.toll_columns:
        aligns = ("center", "center", "center", "center", "right", "center", "right")
    line_y = y + 14 + st.row_height * 0.8
    for name_lines, rest in rows:
        for j, part in enumerate(name_lines):
            cell(c, cols, 0, line_y + j * st.row_height, part, st.value_size, "left")
        for i, text in enumerate(rest, start=1):
            cell(c, cols, i, line_y, text, st.value_size, aligns[i - 1])
        line_y += len(name_lines) * st.row_height
    y_total = y + h - 6
    total_label(c, st, cols, y_total)
    if last:
        total_cell(c, st, cols, 5, y_total, fmt.yen(inv.total_amount, st))
        total_cell(c, st, cols, 7, y_total, fmt.total_tax(inv, st))


def _sum_row(c: Canvas, st: Style, inv: Invoice, cols: list[float], y: float, h: float, last: bool) -> None:
    c.line(cols[0], y, cols[-1], y)
    base = y + h / 2 + st.label_size * 0.35
    c.label(cols[0] + 5, base, st.paren("价税合计（大写）"), st.label_size)
    c.line(cols[1], y, cols[1], y + h, 0.5)
    x_small = cols[5] - 20
    w = c.label(x_small, base, st.paren("（小写）"), st.label_size)
    if last:
        words_value(c, st, cols[1] + 12, base + st.value_dy, inv.amount_in_words or "")
        c.value(x_small + w + st.value_dx * 0.4, base + st.value_dy, fmt.yen(inv.amount_with_tax, st), st.value_size)


def _remarks(c: Canvas, st: Style, inv: Invoice, x0: float, x1: float, y: float, h: float) -> None:
    c.line(x0, y, x1, y)
    c.line(x0 + VERTICAL_COL, y, x0 + VERTICAL_COL, y + h)
    c.vertical_label(x0 + VERTICAL_COL / 2, y, y + h, "备注", st.label_size, st.vertical_one_object)
    if inv.remarks:
        size = st.value_size * 0.95
        for i, line in enumerate(wrap(c, inv.remarks, size, x1 - x0 - VERTICAL_COL - 12)[:3]):
            c.value(x0 + VERTICAL_COL + 6, y + st.party_row * (i + 1), line, size)
