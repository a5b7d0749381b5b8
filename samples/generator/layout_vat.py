"""The 税控 e-invoice form (增值税电子普通/专用发票, 通行费): QR and 机器编号 top-left, code block top-right,
buyer + 密码区, the items table, 价税合计, seller + 备注, and the 收款人/复核/开票人 footer.

More than 8 item lines do not fit: the first page then carries one "（详见销货清单）" line with the totals and
the items move to 销货清单 pages (see layout_list).
"""

from __future__ import annotations

import random

from fapiao.core.models import Invoice, InvoiceType
from samples.generator import fmt, ids
from samples.generator.canvas import Canvas, PageSpec
from samples.generator.layout_list import list_pages
from samples.generator.layouts import (
    cell,
    columns,
    date_pair,
    label_width,
    new_canvas,
    pair,
    title,
    total_cell,
    total_label,
    words_value,
    wrap,
)
from samples.generator.style import Style

GOODS_COLS = (0.0, 0.27, 0.38, 0.44, 0.535, 0.655, 0.79, 0.86, 1.0)
GOODS_HEAD = ("货物或应税劳务、服务名称", "规格型号", "单位", "数量", "单价", "金额", "税率", "税额")
TOLL_COLS = (0.0, 0.2, 0.31, 0.38, 0.5, 0.62, 0.78, 0.86, 1.0)
TOLL_HEAD = ("项目名称", "车牌号", "类型", "通行日期起", "通行日期止", "金额", "税率", "税额")
MAX_LINES = 8
VERTICAL_COL = 17.0


def pages(inv: Invoice, st: Style, rng: random.Random, payload: str) -> tuple[list[PageSpec], str]:
    toll = inv.invoice_type is InvoiceType.toll
    c = new_canvas(st)
    x0, x1 = st.margin_x, st.width - st.margin_x
    cols = columns(x0, x1, TOLL_COLS if toll else GOODS_COLS, st)
    rows = _item_rows(c, st, inv, cols, toll)
    listed = len(inv.items) > MAX_LINES or sum(len(r[0]) for r in rows) > MAX_LINES
    if listed:
        rows = [
            (
                [st.paren(rng.choice(("（详见销货清单）", "（详见销货清单）", "详见销货清单")))],
                ["", "", "", "", fmt.money(inv.total_amount), "", fmt.tax(inv.total_tax, None)],
            )
        ]
    _draw_page(c, st, inv, rng, payload, cols, rows, toll)
    if not listed:
        return [c.page], ""
    return [c.page, *list_pages(inv, st)], "+list"


def _item_rows(c: Canvas, st: Style, inv: Invoice, cols: list[float], toll: bool) -> list[tuple[list[str], list[str]]]:
    """Each item as (wrapped name lines, the other cells as printed)."""
    width = cols[1] - cols[0] - 5 - st.wrap_slack * st.value_size
    out = []
    for it in inv.items:
        name = wrap(c, it.name, st.value_size, width)
        if toll:
            rest = [
                it.plate_number or "",
                it.vehicle_type or "",
                fmt.date_compact(it.period_start),
                fmt.date_compact(it.period_end),
                fmt.money(it.amount),
                it.tax_rate or "",
                fmt.tax(it.tax, it.tax_rate),
            ]
        else:
            rest = [
                it.spec or "",
                it.unit or "",
                fmt.number(it.quantity, st),
                fmt.number(it.unit_price, st, pad=True),
                fmt.money(it.amount),
                it.tax_rate or "",
                fmt.tax(it.tax, it.tax_rate),
            ]
        out.append((name, rest))
    return out


def _draw_page(
    c: Canvas,
    st: Style,
    inv: Invoice,
    rng: random.Random,
    payload: str,
    cols: list[float],
    rows: list[tuple[list[str], list[str]]],
    toll: bool,
) -> None:
    top = st.margin_top
    _header(c, st, inv, payload, top)
    x0, x1 = cols[0], cols[-1]
    y0 = top + st.qr_size + 16
    block = 4 * st.party_row + 6
    xp = x0 + (x1 - x0) * 0.585 + st.col_jitter[0]
    _party(c, st, x0, xp, y0, block, "购买方", _buyer(inv))
    _cipher(c, st, rng, xp, x1, y0, block)
    y_items = y0 + block
    n_lines = max(sum(len(r[0]) for r in rows), 5)
    h_sum = 19.0
    room = st.height - st.margin_top - 28 - (y_items + h_sum + block)  # fill the page like the printed form
    h_items = max(15 + n_lines * st.row_height + 18, room)
    _items(c, st, inv, cols, y_items, h_items, rows, TOLL_HEAD if toll else GOODS_HEAD)
    y_sum = y_items + h_items
    _sum_row(c, st, inv, cols, y_sum, h_sum)
    y_seller = y_sum + h_sum
    _party(c, st, x0, xp, y_seller, block, "销售方", _seller(inv))
    _remarks(c, st, inv, xp, x1, y_seller, block)
    y1 = y_seller + block
    c.box(x0, y0, x1, y1, 1.0)
    _footer(c, st, inv, x0, x1, y1 + 13)
    c.page.height = max(c.page.height, y1 + 24)


def _header(c: Canvas, st: Style, inv: Invoice, payload: str, top: float) -> None:
    mx = st.margin_x
    c.qr(mx + 4, top, st.qr_size, payload, st.qr_vector)
    pair(c, st, mx + 4, top + st.qr_size + 9, "机器编号", inv.machine_number, spacing=st.digit_spacing)
    info_label_w = c.width(st.lab("开票日期"), st.label_size)
    xi = st.width - mx - info_label_w - 118 - st.digit_spacing * 20
    title(c, st, top + 24, inv.title or "", right_limit=xi)
    vx = xi + info_label_w + st.value_dx * 0.5
    step = st.party_row
    y = top + 10
    pair(c, st, xi, y, "发票代码", inv.invoice_code, vx, st.digit_spacing)
    pair(c, st, xi, y + step, "发票号码", inv.invoice_number, vx, st.digit_spacing)
    date_pair(c, st, xi, y + 2 * step, "开票日期", inv, vx)
    pair(c, st, xi, y + 3 * step, st.check_label, fmt.check_code(inv.check_code, st), vx, max_width=st.width - mx - vx)


def _buyer(inv: Invoice) -> list[str | None]:
    return [inv.buyer_name, inv.buyer_tax_id, inv.buyer_address_phone, inv.buyer_bank_account]


def _seller(inv: Invoice) -> list[str | None]:
    return [inv.seller_name, inv.seller_tax_id, inv.seller_address_phone, inv.seller_bank_account]


def _party(c: Canvas, st: Style, x0: float, xp: float, y0: float, h: float, side: str, values: list) -> None:
    """购买方 / 销售方 block: vertical side label, four labelled rows, values in one aligned column."""
    c.line(x0 + VERTICAL_COL, y0, x0 + VERTICAL_COL, y0 + h)
    c.line(x0, y0, xp + VERTICAL_COL, y0)
    c.vertical_label(x0 + VERTICAL_COL / 2, y0, y0 + h, side, st.label_size + 0.5, st.vertical_one_object)
    labels = (st.name_label, st.tax_label, st.addr_label, st.bank_label)
    lx = x0 + VERTICAL_COL + 4
    vx = lx + max(label_width(c, st, lb, st.label_size) for lb in labels) + st.value_dx * 0.5
    for i, (lb, value) in enumerate(zip(labels, values, strict=True)):
        y = y0 + st.party_row * (i + 1) - 1
        spacing = st.digit_spacing if i == 1 else 0.0
        pair(c, st, lx, y, lb, value, vx, spacing, max_width=xp - vx - 4)


def _cipher(c: Canvas, st: Style, rng: random.Random, xp: float, x1: float, y0: float, h: float) -> None:
    c.line(xp, y0, xp, y0 + h)
    c.line(xp + VERTICAL_COL, y0, xp + VERTICAL_COL, y0 + h)
    c.vertical_label(xp + VERTICAL_COL / 2, y0, y0 + h, "密码区", st.label_size + 0.5, st.vertical_one_object)
    rows = ids.cipher_rows(rng)
    size = min(10.0, (x1 - xp - VERTICAL_COL - 8) / (len(rows[0]) * 0.5 + 0.5))
    for i, row in enumerate(rows):
        c.value(xp + VERTICAL_COL + 4, y0 + st.party_row * (i + 1) - 1, row, size)


def _items(
    c: Canvas,
    st: Style,
    inv: Invoice,
    cols: list[float],
    y: float,
    h: float,
    rows: list[tuple[list[str], list[str]]],
    head: tuple[str, ...],
) -> None:
    c.line(cols[0], y, cols[-1], y)
    for x in cols[1:-1]:
        c.line(x, y, x, y + h, 0.5)
    for i, text in enumerate(head):
        cell(c, cols, i, y + 10.5, text, st.label_size, "center", form=True)
    aligns = (
        ("left", "center", "right", "right", "right", "center", "right")
        if head is GOODS_HEAD
        else ("center", "center", "center", "center", "right", "center", "right")
    )
    line_y = y + 15 + st.row_height * 0.75
    for name_lines, rest in rows:
        for k, part in enumerate(name_lines):
            cell(c, cols, 0, line_y + k * st.row_height, part, st.value_size, "left")
        for i, text in enumerate(rest, start=1):
            cell(c, cols, i, line_y, text, st.value_size, aligns[i - 1])
        line_y += len(name_lines) * st.row_height
    y_total = y + h - 6
    total_label(c, st, cols, y_total)
    total_cell(c, st, cols, 5, y_total, fmt.yen(inv.total_amount, st))
    total_cell(c, st, cols, 7, y_total, fmt.total_tax(inv, st))


def _sum_row(c: Canvas, st: Style, inv: Invoice, cols: list[float], y: float, h: float) -> None:
    """价税合计（大写） ⓧ words （小写）¥ amount."""
    c.line(cols[0], y, cols[-1], y)
    base = y + h / 2 + st.label_size * 0.35
    c.label(cols[0] + 6, base, st.paren("价税合计（大写）"), st.label_size)
    c.line(cols[1], y, cols[1], y + h, 0.5)
    words_value(c, st, cols[1] + 10, base + st.value_dy, inv.amount_in_words or "")
    x_small = cols[5] - 30
    w = c.label(x_small, base, st.paren("（小写）"), st.label_size)
    c.value(x_small + w + st.value_dx * 0.4, base + st.value_dy, fmt.yen(inv.amount_with_tax, st), st.value_size)


def _remarks(c: Canvas, st: Style, inv: Invoice, xp: float, x1: float, y0: float, h: float) -> None:
    c.line(xp, y0, xp, y0 + h)
    c.line(xp + VERTICAL_COL, y0, xp + VERTICAL_COL, y0 + h)
    c.line(xp + VERTICAL_COL, y0, x1, y0)
    c.vertical_label(xp + VERTICAL_COL / 2, y0, y0 + h, "备注", st.label_size + 0.5, st.vertical_one_object)
    if not inv.remarks:
        return
    x = xp + VERTICAL_COL + 4
    size = st.value_size * 0.95
    lines = wrap(c, inv.remarks, size, x1 - x - 4)
    for i, line in enumerate(lines[:4]):
        c.value(x, y0 + st.party_row * (i + 1) - 1, line, size)


def _footer(c: Canvas, st: Style, inv: Invoice, x0: float, x1: float, y: float) -> None:
    w = x1 - x0
    pair(c, st, x0 + 8, y, "收款人", inv.payee)
    pair(c, st, x0 + w * 0.26, y, "复核", inv.reviewer)
    pair(c, st, x0 + w * 0.5, y, "开票人", inv.drawer)
    c.label(x0 + w * 0.74, y, st.lab("销售方") + st.paren("（章）"), st.label_size)
