"""销货清单: the A4 continuation pages that carry the items when they do not fit on the invoice itself.

Each page names the buyer, the seller and the invoice it belongs to (所属…发票代码/号码), lists numbered
items, and ends with 小计 (this page) and, on the last page, 总计 (the invoice totals).
"""

from __future__ import annotations

from decimal import Decimal

from fapiao.core.models import Invoice, InvoiceType, LineItem
from samples.generator import fmt
from samples.generator.canvas import Canvas, PageSpec
from samples.generator.layouts import cell, columns, new_canvas, pair, wrap
from samples.generator.style import Style

A4 = (595.3, 841.9)
COLS = (0.0, 0.06, 0.34, 0.44, 0.5, 0.58, 0.7, 0.82, 0.88, 1.0)
HEAD = ("序号", "货物（劳务）名称", "规格型号", "单位", "数量", "单价", "金额", "税率", "税额")
TOLL_HEAD = ("序号", "项目名称", "车牌号", "类型", "通行日期起", "通行日期止", "金额", "税率", "税额")
ROWS_PER_PAGE = 28


def list_pages(inv: Invoice, st: Style) -> list[PageSpec]:
    chunks = [inv.items[i : i + ROWS_PER_PAGE] for i in range(0, len(inv.items), ROWS_PER_PAGE)]
    return [_page(inv, st, chunk, k, len(chunks)) for k, chunk in enumerate(chunks)]


def _kind_name(inv: Invoice) -> str:
    return {InvoiceType.e_special: "增值税电子专用发票", InvoiceType.toll: "通行费增值税电子普通发票"}.get(
        inv.invoice_type, "增值税电子普通发票"
    )


def _page(inv: Invoice, st: Style, items: list[LineItem], k: int, n_pages: int) -> PageSpec:
    c = new_canvas(st, *A4)
    mx, top = 40 + st.col_jitter[1] * 0.5, 50 + st.margin_top
    c.label(A4[0] / 2, top, "销售货物或者提供应税劳务、服务清单", st.title_size * 0.85, align="center")
    y = top + 30
    pair(c, st, mx, y, "购买方名称", inv.buyer_name)
    pair(c, st, mx, y + 16, "销售方名称", inv.seller_name)
    pair(c, st, mx, y + 32, f"所属{_kind_name(inv)}代码", inv.invoice_code, spacing=st.digit_spacing)
    x_no = mx + c.width(f"所属{_kind_name(inv)}代码：", st.label_size) + 80
    pair(c, st, x_no, y + 32, "号码", inv.invoice_number, spacing=st.digit_spacing)
    c.label(A4[0] - mx, y + 32, f"共 {n_pages} 页 第 {k + 1} 页", st.label_size, align="right")
    cols = columns(mx, A4[0] - mx, COLS, st)
    y_table = y + 44
    toll = inv.invoice_type is InvoiceType.toll
    y_end = _table(c, st, inv, cols, y_table, items, k, toll)
    y_end = _totals(c, st, inv, cols, y_end, items, last=k == n_pages - 1)
    for x in cols:
        c.line(x, y_table, x, y_end, 0.4)
    _footer(c, st, inv, cols, y_end)
    return c.page


def _table(
    c: Canvas, st: Style, inv: Invoice, cols: list[float], y: float, items: list[LineItem], k: int, toll: bool
) -> float:
    head = TOLL_HEAD if toll else HEAD
    row = st.row_height + 3
    c.line(cols[0], y, cols[-1], y)
    for i, text in enumerate(head):
        cell(c, cols, i, y + row * 0.7, st.paren(text), st.label_size, "center", form=True)
    y += row
    c.line(cols[0], y, cols[-1], y)
    for n, it in enumerate(items, start=k * ROWS_PER_PAGE + 1):
        lines = wrap(c, it.name, st.value_size, cols[2] - cols[1] - 5)
        base = y + row * 0.7
        cell(c, cols, 0, base, str(n), st.value_size, "center")
        for j, part in enumerate(lines):
            cell(c, cols, 1, base + j * st.row_height, part, st.value_size, "left")
        for i, (text, align) in enumerate(_cells(it, st, toll), start=2):
            cell(c, cols, i, base, text, st.value_size, align)
        y += row + (len(lines) - 1) * st.row_height
        c.line(cols[0], y, cols[-1], y, 0.4)
    return y


def _cells(it: LineItem, st: Style, toll: bool) -> list[tuple[str, str]]:
    if toll:
        return [
            (it.plate_number or "", "center"),
            (it.vehicle_type or "", "center"),
            (fmt.date_compact(it.period_start), "center"),
            (fmt.date_compact(it.period_end), "center"),
            (fmt.money(it.amount), "right"),
            (it.tax_rate or "", "center"),
            (fmt.tax(it.tax, it.tax_rate), "right"),
        ]
    return [
        (it.spec or "", "left"),
        (it.unit or "", "center"),
        (fmt.number(it.quantity, st), "right"),
        (fmt.number(it.unit_price, st, pad=True), "right"),
        (fmt.money(it.amount), "right"),
        (it.tax_rate or "", "center"),
        (fmt.tax(it.tax, it.tax_rate), "right"),
    ]


def _totals(
    c: Canvas, st: Style, inv: Invoice, cols: list[float], y: float, items: list[LineItem], last: bool
) -> float:
    """小计 (this page) and 总计 (last page) rows; returns the bottom of the table."""
    row = st.row_height + 4
    sub_amount = sum((i.amount for i in items), Decimal("0.00"))
    sub_tax = sum((i.tax or Decimal("0.00") for i in items), Decimal("0.00"))
    rows = [("小    计", sub_amount, sub_tax)] + ([("总    计", inv.total_amount, inv.total_tax)] if last else [])
    for label, amount, tax in rows:
        base = y + row * 0.7
        cell(c, cols, 1, base, label, st.label_size, "center", form=True)
        cell(c, cols, 6, base, fmt.yen(amount, st), st.value_size, "right")
        cell(c, cols, 8, base, fmt.yen(tax, st), st.value_size, "right")
        y += row
        c.line(cols[0], y, cols[-1], y, 0.4)
    return y


def _footer(c: Canvas, st: Style, inv: Invoice, cols: list[float], y: float) -> None:
    row = st.row_height + 4
    c.label(cols[0] + 4, y + row * 0.7, st.lab("备注"), st.label_size)
    y += row * 2
    c.line(cols[0], y, cols[-1], y, 0.4)
    c.line(cols[0], y - row * 2, cols[0], y, 0.4)
    c.line(cols[-1], y - row * 2, cols[-1], y, 0.4)
    c.label(cols[0], y + 22, st.lab("销售方") + st.paren("（章）"), st.label_size)
    pair(c, st, cols[5], y + 22, "填开日期", fmt.date_cn(inv.issue_date, st))
