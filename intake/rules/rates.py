"""VAT rates (税率) and levy rates (征收率) as printed in the rate column, and when each was in force.

Dates (issue date, inclusive) — the State Council / MoF notices that changed them:
- 17 % and 11 %: until 2018-04-30 (财税〔2018〕32号 lowered them to 16 % / 10 % from 2018-05-01).
- 16 % and 10 %: 2018-05-01 … 2019-03-31 (财政部 税务总局 海关总署公告2019年第39号: 13 % / 9 % from 2019-04-01).
- 13 %: until 2017-06-30 (财税〔2017〕37号 folded it into 11 % from 2017-07-01) and again from 2019-04-01.
- 9 %: from 2019-04-01.  6 %, 0 %, 5 %, 3 %: throughout.
- 4 %: until 2014-06-30 (财税〔2014〕57号 merged 6 % / 4 % levy rates into 3 % from 2014-07-01).
- 1.5 %: from 2016-05-01 (财税〔2016〕36号: 个人出租住房 5 % reduced to 1.5 %).
- 1 %: from 2020-03-01 (财政部 税务总局公告2020年第13号 and its successors, through 2027).
- 0.5 %: from 2020-05-01 (财政部 税务总局公告2020年第17号: 二手车经销).
A rate outside its window can still be genuine (红字 or 补开 invoices for earlier sales), so it only warns.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_D = dt.date
RATE_WINDOWS: dict[Decimal, tuple[dt.date | None, dt.date | None]] = {
    Decimal("0.17"): (None, _D(2018, 4, 30)),
    Decimal("0.16"): (_D(2018, 5, 1), _D(2019, 3, 31)),
    Decimal("0.13"): (None, None),  # refined in rate_in_force: gap 2017-07-01 … 2019-03-31
    Decimal("0.11"): (None, _D(2018, 4, 30)),
    Decimal("0.10"): (_D(2018, 5, 1), _D(2019, 3, 31)),
    Decimal("0.09"): (_D(2019, 4, 1), None),
    Decimal("0.06"): (None, None),
    Decimal("0"): (None, None),
    Decimal("0.05"): (None, None),
    Decimal("0.04"): (None, _D(2014, 6, 30)),
    Decimal("0.03"): (None, None),
    Decimal("0.015"): (_D(2016, 5, 1), None),
    Decimal("0.01"): (_D(2020, 3, 1), None),
    Decimal("0.005"): (_D(2020, 5, 1), None),
}
_GAP_13 = (_D(2017, 7, 1), _D(2019, 3, 31))
ONE_AND_HALF = Decimal("0.015")


@dataclass(frozen=True)
class Rate:
    kind: str
    """"rate", "exempt" (免税), "not_taxable" (不征税), "masked" ("***": one of the two, unsaid) or "invalid"."""
    value: Decimal | None = None
    """The rate as a fraction (0.06); 0 for 免税 / 不征税."""

    @property
    def numeric(self) -> bool:
        return self.kind == "rate"

    @property
    def tax_free(self) -> bool:
        return self.kind in {"exempt", "not_taxable"}


def parse_rate(text: str | None) -> Rate | None:
    """The printed rate ("6%", "1.5%", "0.06", "免税", "不征税"); None when nothing was printed."""
    if text is None or not text.strip():
        return None
    s = text.strip().replace(" ", "").replace("％", "%")
    if re.fullmatch(r"\*{2,}", s):
        return Rate("masked")
    if "免税" in s:
        return Rate("exempt", Decimal(0))
    if "不征" in s:
        return Rate("not_taxable", Decimal(0))
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(%?)", s)
    if not m:
        return Rate("invalid")
    try:
        number = Decimal(m.group(1))
    except InvalidOperation:
        return Rate("invalid")
    value = number / 100 if m.group(2) or number >= 1 else number
    return Rate("rate", value.normalize() if value else Decimal(0))


def known_rate(value: Decimal) -> bool:
    return value in RATE_WINDOWS


def rate_in_force(value: Decimal, on: dt.date) -> bool:
    start, end = RATE_WINDOWS[value]
    if value == Decimal("0.13") and _GAP_13[0] <= on <= _GAP_13[1]:
        return False
    return (start is None or on >= start) and (end is None or on <= end)


def percent(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}%"
