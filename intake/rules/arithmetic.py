"""The invoicing software's own arithmetic: line tax, invoice tax tolerance, quantity × price, exact totals,
rates in force, discount lines and red-letter signs. Money is Decimal throughout."""

from __future__ import annotations

import re
from decimal import Decimal

from fapiao.core.models import Finding, Invoice, LineItem
from fapiao.intake.rules.base import ERROR, WARNING, cents, finding, money
from fapiao.intake.rules.context import RuleContext
from fapiao.intake.rules.rates import ONE_AND_HALF, Rate, known_rate, parse_rate, percent, rate_in_force

LINE_TAX_TOLERANCE = Decimal("0.06")
INVOICE_TAX_TOLERANCE = Decimal("1.27")
PRICE_TOLERANCE = Decimal("0.01")
_REDUCED_BASE = Decimal("1.035")


def is_difference_taxed(invoice: Invoice) -> bool:
    """差额征税: tax = (金额 − 扣除额) × rate, so the plain line check does not apply."""
    return "差额" in (invoice.remarks or "")


def line_tax(item: LineItem) -> Decimal:
    """The line's tax, with "***" (免税 / 不征税, tax None) counting as 0."""
    return item.tax if item.tax is not None else Decimal(0)


def line_tax_gap(amount: Decimal, rate: Rate, tax: Decimal) -> Decimal:
    """round(金额 × 税率 − 税额, 2); for 1.5 % the smaller gap of the two accepted formulas."""
    gaps = [cents(amount * rate.value - tax)]
    if rate.value == ONE_AND_HALF:
        gaps.append(cents(amount / _REDUCED_BASE * ONE_AND_HALF - tax))
    return min(gaps, key=abs)


def _rate(item: LineItem) -> Rate | None:
    return parse_rate(item.tax_rate)


def line_tax_rule(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    if is_difference_taxed(invoice):
        return []
    out: list[Finding] = []
    for i, item in enumerate(invoice.items):
        rate = _rate(item)
        if item.amount is None or rate is None:
            continue
        fields = (f"items[{i}].amount", f"items[{i}].tax_rate", f"items[{i}].tax")
        if rate.tax_free:
            if item.tax is not None and item.tax != 0:
                out.append(
                    finding(
                        "arith.tax_free_line",
                        ERROR,
                        fields,
                        f"Line {i + 1} is {item.tax_rate} but carries tax {money(item.tax)}; re-read the rate and tax",
                        f"第 {i + 1} 行税率为{item.tax_rate}，税额却为 {money(item.tax)}，请核对税率和税额",
                    )
                )
            continue
        if not rate.numeric or item.tax is None:
            continue
        gap = line_tax_gap(item.amount, rate, item.tax)
        if abs(gap) > LINE_TAX_TOLERANCE:
            out.append(
                finding(
                    "arith.line_tax",
                    ERROR,
                    fields,
                    f"Line {i + 1}: amount {money(item.amount)} × {item.tax_rate} differs from the tax "
                    f"{money(item.tax)} by {money(gap)} (at most 0.06 allowed); re-read the amount, rate and tax",
                    f"第 {i + 1} 行：金额 {money(item.amount)} × {item.tax_rate} 与税额 {money(item.tax)} 相差 "
                    f"{money(gap)}（允许 0.06），请核对金额、税率和税额",
                )
            )
    return out


def invoice_tax_rule(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    if is_difference_taxed(invoice):
        return []
    total = Decimal(0)
    counted = False
    for item in invoice.items:
        rate = _rate(item)
        if item.amount is None or item.tax is None or rate is None or not rate.numeric:
            continue
        total += line_tax_gap(item.amount, rate, item.tax)
        counted = True
    if not counted or abs(total) <= INVOICE_TAX_TOLERANCE:
        return []
    return [
        finding(
            "arith.invoice_tax",
            ERROR,
            ("total_tax",),
            f"Line taxes differ from amount × rate by {money(total)} in total (at most 1.27 allowed); "
            "re-read the line amounts, rates and taxes",
            f"各行税额与金额 × 税率合计相差 {money(total)}（允许 1.27），请核对各行金额、税率和税额",
        )
    ]


def quantity_price_rule(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    for i, item in enumerate(invoice.items):
        if item.quantity is None or item.unit_price is None or item.amount is None:
            continue
        gap = cents(item.quantity * item.unit_price - item.amount)
        if abs(gap) <= PRICE_TOLERANCE:
            continue
        if (
            item.tax is not None
            and abs(cents(item.quantity * item.unit_price - item.amount - item.tax)) <= PRICE_TOLERANCE
        ):
            continue  # a tax-inclusive unit price
        out.append(
            finding(
                "arith.quantity_price",
                WARNING,
                (f"items[{i}].quantity", f"items[{i}].unit_price", f"items[{i}].amount"),
                f"Line {i + 1}: quantity {item.quantity} × unit price {item.unit_price} is not the amount "
                f"{money(item.amount)}; re-read the quantity, price and amount",
                f"第 {i + 1} 行：数量 {item.quantity} × 单价 {item.unit_price} 不等于金额 {money(item.amount)}，请核对",
            )
        )
    return out


def _complete(invoice: Invoice) -> bool:
    return bool(invoice.items) and all(item.amount is not None for item in invoice.items)


def sum_amount_rule(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    if invoice.total_amount is None or not _complete(invoice):
        return []
    total = sum((item.amount for item in invoice.items), Decimal(0))
    if total == invoice.total_amount:
        return []
    return [
        finding(
            "arith.sum_amount",
            ERROR,
            ("total_amount",),
            f"The line amounts add up to {money(total)}, but 合计金额 is {money(invoice.total_amount)}; "
            "re-read the total and the lines (a line may be missing)",
            f"各行金额合计 {money(total)}，与合计金额 {money(invoice.total_amount)} 不符，请核对（可能漏读了某行）",
        )
    ]


def sum_tax_rule(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    if invoice.total_tax is None or not _complete(invoice):
        return []
    total = sum((line_tax(item) for item in invoice.items), Decimal(0))
    if total == invoice.total_tax:
        return []
    return [
        finding(
            "arith.sum_tax",
            ERROR,
            ("total_tax",),
            f"The line taxes add up to {money(total)}, but 合计税额 is {money(invoice.total_tax)}; "
            "re-read the total and the lines",
            f"各行税额合计 {money(total)}，与合计税额 {money(invoice.total_tax)} 不符，请核对",
        )
    ]


def total_rule(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    ta, tt, awt = invoice.total_amount, invoice.total_tax, invoice.amount_with_tax
    if ta is None or tt is None or awt is None or ta + tt == awt:
        return []
    return [
        finding(
            "arith.total",
            ERROR,
            ("total_amount", "total_tax", "amount_with_tax"),
            f"合计金额 {money(ta)} + 合计税额 {money(tt)} = {money(ta + tt)}, not 价税合计 {money(awt)}; "
            "re-read the three totals",
            f"合计金额 {money(ta)} + 合计税额 {money(tt)} = {money(ta + tt)}，与价税合计 {money(awt)} 不符，请核对",
        )
    ]


def rate_rule(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    for i, item in enumerate(invoice.items):
        rate = _rate(item)
        if rate is None or rate.tax_free or rate.kind == "masked":
            continue
        field = (f"items[{i}].tax_rate",)
        if not rate.numeric or not known_rate(rate.value):
            out.append(
                finding(
                    "arith.rate_unknown",
                    WARNING,
                    field,
                    f"Line {i + 1}: {item.tax_rate!r} is not a VAT rate or levy rate; re-read the rate",
                    f"第 {i + 1} 行：{item.tax_rate} 不是增值税税率或征收率，请核对",
                )
            )
        elif invoice.issue_date and not invoice.is_red_letter and not rate_in_force(rate.value, invoice.issue_date):
            out.append(
                finding(
                    "arith.rate_date",
                    WARNING,
                    field,
                    f"Line {i + 1}: the rate {percent(rate.value)} was not in force on "
                    f"{invoice.issue_date.isoformat()}; check the rate and the date (补开 invoices may be genuine)",
                    f"第 {i + 1} 行：税率 {percent(rate.value)} 在 {invoice.issue_date.isoformat()} 不适用，"
                    "请核对税率和日期（补开发票可能属实）",
                )
            )
    return out


def discount_rule(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    """On a blue invoice a negative line is a discount: it follows the discounted line and carries its rate."""
    if invoice.is_red_letter:
        return []
    out: list[Finding] = []
    for i, item in enumerate(invoice.items):
        if item.amount is None or item.amount >= 0:
            continue
        prev = invoice.items[i - 1] if i else None
        ok = (
            prev is not None
            and prev.amount is not None
            and prev.amount > 0
            and abs(item.amount) <= prev.amount
            and parse_rate(prev.tax_rate) == parse_rate(item.tax_rate)
        )
        if not ok:
            out.append(
                finding(
                    "arith.discount_line",
                    WARNING,
                    (f"items[{i}].amount",),
                    f"Line {i + 1} is negative but does not follow a larger line with the same rate, "
                    "as a discount line (折扣行) must; check the line",
                    f"第 {i + 1} 行为负数，但并非紧随同税率被折扣行的折扣行，请核对",
                )
            )
    return out


def red_letter_rule(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    """A red-letter (红字) invoice is negative throughout and its remarks name the blue invoice it reverses."""
    totals = {n: getattr(invoice, n) for n in ("total_amount", "total_tax", "amount_with_tax")}
    present = {n: v for n, v in totals.items() if v is not None}
    if not any(v < 0 for v in present.values()):
        return []
    out: list[Finding] = []
    positive = [n for n, v in present.items() if v > 0]
    if positive:
        out.append(
            finding(
                "arith.red_letter_sign",
                ERROR,
                tuple(present),
                "Some totals are negative (红字) and others positive; re-read the signs of the totals",
                "合计中有负数（红字）也有正数，请核对合计的正负号",
            )
        )
    remarks = invoice.remarks or ""
    if not (re.search(r"\d{8}", remarks) or any(k in remarks for k in ("正数发票", "蓝字", "信息表", "确认单"))):
        out.append(
            finding(
                "arith.red_letter_remarks",
                WARNING,
                ("remarks",),
                "A red-letter invoice should name the blue invoice it reverses in its remarks, and none "
                "was found; check the remarks",
                "红字发票的备注应注明对应的蓝字发票，未找到，请核对备注",
            )
        )
    return out


_TOTAL_ROW_NAME = re.compile(r"^(?:[合含舍台]计?|计|计合|总计|小计)$")


def items_rule(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    """An item table that cannot be right though the totals are: no items at all under a printed 合计, a line
    without a name, or the 合计 row itself read as a line. Warnings: the key fields may all be right."""
    if not invoice.items:
        if invoice.total_amount is None:
            return []
        return [
            finding(
                "items.none",
                WARNING,
                ("items",),
                "No line items were read although 合计 is printed; read the item table from the document",
                "票面有合计金额，但未识别出任何明细行，请按票面补录明细",
            )
        ]
    out: list[Finding] = []
    for i, item in enumerate(invoice.items):
        name = re.sub(r"\s+", "", item.name or "")
        if not name and item.amount is not None:
            out.append(
                finding(
                    "items.unnamed",
                    WARNING,
                    (f"items[{i}].name",),
                    f"Line {i + 1} has no name; read the goods or service name from the document",
                    f"第 {i + 1} 行没有货物或服务名称，请按票面补录",
                )
            )
        elif _TOTAL_ROW_NAME.match(name):
            out.append(
                finding(
                    "items.totals_row",
                    WARNING,
                    (f"items[{i}].name",),
                    f"Line {i + 1} ({item.name}) is the 合计 row, not an item; remove it",
                    f"第 {i + 1} 行（{item.name}）是合计行，不是明细，请删除",
                )
            )
    return out


RULES = (
    line_tax_rule,
    invoice_tax_rule,
    quantity_price_rule,
    sum_amount_rule,
    sum_tax_rule,
    total_rule,
    rate_rule,
    discount_rule,
    red_letter_rule,
    items_rule,
)
TOTALS_RULES = (sum_amount_rule, sum_tax_rule, total_rule)
CODES = (
    "arith.tax_free_line",
    "arith.line_tax",
    "arith.invoice_tax",
    "arith.quantity_price",
    "arith.sum_amount",
    "arith.sum_tax",
    "arith.total",
    "arith.rate_unknown",
    "arith.rate_date",
    "arith.discount_line",
    "arith.red_letter_sign",
    "arith.red_letter_remarks",
    "items.none",
    "items.unnamed",
    "items.totals_row",
)
