"""How values are printed: money, prices, quantities, dates, check codes, in a document's style."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from fapiao.core.models import money_str
from samples.generator.style import Style


def money(v: Decimal | None) -> str:
    return money_str(v) or ""


def yen(v: Decimal | None, st: Style) -> str:
    return f"{st.yen}{money(v)}" if v is not None else ""


def number(v: Decimal | None, st: Style, pad: bool = False) -> str:
    """A quantity or unit price exactly as stored (up to 8+ decimals), integral prices optionally as 100.00."""
    if v is None:
        return ""
    s = format(v, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    if pad and st.pad_prices and "." not in s:
        s += ".00"
    elif pad and st.pad_prices and len(s.split(".")[1]) == 1:
        s += "0"
    return s


def tax(v: Decimal | None, rate: str | None) -> str:
    """The tax column: the amount, or *** for 免税 / 不征税."""
    if v is None:
        return "***" if rate else ""
    return money(v)


def total_tax(inv, st: Style) -> str:
    """The 合计 税额: ``***`` when the ``masked_tax`` quirk is on and every line's tax is masked."""
    if st.quirks.masked_tax and inv.items and all(it.tax is None and it.tax_rate for it in inv.items):
        return "***"
    return yen(inv.total_tax, st)


def date_cn(d: dt.date, st: Style) -> str:
    if st.date_format == "cn_spaced":
        return f"{d.year} 年 {d.month:02d} 月 {d.day:02d} 日"
    return f"{d.year}年{d.month:02d}月{d.day:02d}日"


def date_compact(d: dt.date | None) -> str:
    return d.strftime("%Y%m%d") if d else ""


def check_code(code: str | None, st: Style) -> str:
    if not code:
        return ""
    return " ".join(code[i : i + 5] for i in range(0, len(code), 5)) if st.group_check_code else code
