"""Line items whose arithmetic passes the invoicing software's own checks, with the quirks real lines have.

Quirks reproduced: tax-exclusive unit prices with up to 8 decimals (derived from a round tax-inclusive
price), quantities derived from an amount, services with no quantity, 免税 / 不征税 lines whose tax prints
"***", discount lines (折扣行), and rates that depend on the issue date and the seller's status.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

from fapiao.core.models import LineItem
from samples.generator.vocab import CATALOG, LONG_SUFFIXES, PLATE_LETTERS, VEHICLE_TYPES, Goods

CENT = Decimal("0.01")
RATE_CUT = dt.date(2019, 4, 1)
"""16 % → 13 % and 10 % → 9 % from this date."""


def q2(v: Decimal) -> Decimal:
    return v.quantize(CENT, rounding=ROUND_HALF_UP)


def plain(v: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation."""
    s = format(v, "f")
    return Decimal(s.rstrip("0").rstrip(".") if "." in s else s)


def rate_for(rng: random.Random, goods: Goods, issue: dt.date, small_scale: bool) -> str:
    """The printed rate ("13%", "免税" …) valid on ``issue`` for this kind of goods and seller."""
    if small_scale:
        reduced = dt.date(2020, 3, 1) <= issue <= dt.date(2021, 12, 31) or issue >= dt.date(2023, 1, 1)
        if dt.date(2022, 4, 1) <= issue <= dt.date(2022, 12, 31) and rng.random() < 0.5:
            return "免税"
        return "1%" if reduced and rng.random() < 0.6 else "3%"
    if goods.rate == "exempt" and rng.random() < 0.7:
        return "免税"
    if rng.random() < 0.01:
        return "0%"
    old = issue < RATE_CUT
    return {
        "goods": "16%" if old else "13%",
        "reduced": "10%" if old else "9%",
        "service": "6%",
        "exempt": "10%" if old else "9%",
    }[goods.rate]


def tax_for(amount: Decimal, rate: str) -> Decimal | None:
    if not rate.endswith("%"):
        return None
    return q2(amount * Decimal(rate[:-1]) / 100) + 0  # + 0 turns -0.00 into 0.00


def item_name(rng: random.Random, goods: Goods, long_name: bool) -> str:
    name = f"*{goods.category}*{rng.choice(goods.names)}"
    return name + rng.choice(LONG_SUFFIXES) if long_name else name


def _unit_price(rng: random.Random, goods: Goods, rate: str) -> Decimal:
    """A tax-exclusive price: round itself, or a round tax-inclusive price divided by (1 + rate)."""
    lo, hi = goods.price
    places = rng.choice((2, 3, 4)) if hi < 20 else rng.choice((0, 0, 1, 2))
    incl = Decimal(str(round(rng.uniform(lo, hi), places)))
    if incl <= 0:
        incl = Decimal("1")
    if rate.endswith("%") and rate != "0%" and rng.random() < 0.6:
        places = rng.choice((8, 8, 8, 6, 7))
        return plain((incl / (1 + Decimal(rate[:-1]) / 100)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))
    return plain(incl)


def _quantity(rng: random.Random) -> Decimal:
    p = rng.random()
    if p < 0.65:
        return Decimal(rng.choice((1, 1, 1, 2, 2, 3, 4, 5, 6, 10, 12, 20, 24, 50, 100)))
    if p < 0.85:
        return plain(Decimal(str(round(rng.uniform(0.5, 300), rng.choice((1, 2, 3))))))
    return plain(Decimal(str(round(rng.uniform(0.1, 60), 8))))


def goods_line(rng: random.Random, issue: dt.date, small_scale: bool, long_name: bool = False) -> LineItem:
    goods = rng.choice(CATALOG)
    rate = rate_for(rng, goods, issue, small_scale)
    name = item_name(rng, goods, long_name)
    if not goods.counted and rng.random() < 0.7:
        lo, hi = goods.price
        amount = q2(Decimal(str(rng.uniform(lo, hi))))
        unit = rng.choice(goods.units) if goods.units and rng.random() < 0.3 else None
        return LineItem(name=name, unit=unit, amount=amount, tax_rate=rate, tax=tax_for(amount, rate))
    price = _unit_price(rng, goods, rate)
    qty = _quantity(rng)
    if price > 2000 and (qty > 3 or rng.random() < 0.6):
        qty = Decimal(rng.choice((1, 1, 1, 2, 3)))
    amount = q2(qty * price)
    if amount == 0:
        qty, price, amount = Decimal(1), Decimal(1), Decimal("1.00")
    spec = rng.choice(goods.specs) or None if goods.specs and rng.random() < 0.6 else None
    unit = rng.choice(goods.units) if goods.units and rng.random() < 0.9 else None
    return LineItem(
        name=name,
        spec=spec,
        unit=unit,
        quantity=qty,
        unit_price=price,
        amount=amount,
        tax_rate=rate,
        tax=tax_for(amount, rate),
    )


def discount_line(rng: random.Random, item: LineItem) -> LineItem:
    """A 折扣行: negative amount right after its item, same name and rate, no quantity or price."""
    share = Decimal(str(rng.choice((0.05, 0.1, 0.12, 0.2, 0.3))))
    amount = -max(CENT, q2(item.amount * share))
    return LineItem(name=item.name, amount=amount, tax_rate=item.tax_rate, tax=tax_for(amount, item.tax_rate))


def plate_number(rng: random.Random, plate: str) -> str:
    tail = "".join(
        rng.choice("0123456789" + PLATE_LETTERS) if i < 2 and rng.random() < 0.3 else rng.choice("0123456789")
        for i in range(5)
    )
    return f"{plate}{rng.choice(PLATE_LETTERS[:8])}{tail}"


def toll_lines(rng: random.Random, issue: dt.date, plate: str, n: int) -> list[LineItem]:
    """通行费 lines: one per trip, same vehicle, each with its passage dates before the issue date."""
    car = plate_number(rng, plate)
    vehicle = rng.choice(VEHICLE_TYPES)
    general = "9%" if issue >= RATE_CUT else "10%"  # 通行费 follow the 10 % → 9 % cut of 2019-04-01
    rate = rng.choices(("3%", general, "5%", "不征税"), weights=(50, 35, 10, 5))[0]
    name = rng.choice(("*经营租赁*通行费", "*经营租赁*通行费", "*经营租赁*车辆通行费"))
    out = []
    for _ in range(n):
        start = issue - dt.timedelta(days=rng.randrange(1, 45))
        end = start + dt.timedelta(days=rng.choice((0, 0, 0, 1)))
        hi = 300 if vehicle == "客车" else 1800
        amount = q2(Decimal(str(rng.uniform(4, hi))))
        out.append(
            LineItem(
                name=name,
                plate_number=car,
                vehicle_type=vehicle,
                period_start=start,
                period_end=min(end, issue),
                amount=amount,
                tax_rate=rate,
                tax=tax_for(amount, rate),
            )
        )
    return out


def negate(item: LineItem) -> LineItem:
    """The red-letter (红字) form of a line: quantity, amount and tax negative, price unchanged."""
    return item.model_copy(
        update={
            "quantity": 0 - item.quantity if item.quantity is not None else None,
            "amount": 0 - item.amount if item.amount is not None else None,
            "tax": 0 - item.tax if item.tax is not None else None,
        }
    )
