"""The statistics charts' axis (``fapiao.api.ui.charts.nice_scale``): it starts at zero unless a value is below
zero, and a small negative value (a month of red-letter invoices) takes no more room below zero than it needs
— no "−200,000" gridline under a −1,000 month."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from fapiao.api.ui.charts import columns, nice_scale

D = Decimal


def _even(ticks: list[Decimal]) -> bool:
    return len({b - a for a, b in zip(ticks, ticks[1:], strict=False)}) == 1


def test_without_negative_values_the_axis_starts_at_zero() -> None:
    rng = random.Random(7)
    for _ in range(5000):
        hi = D(rng.randint(0, 10 ** rng.randint(1, 12))) / 100
        lo = D(rng.randint(0, int(hi * 100))) / 100
        s = nice_scale(lo, hi)
        assert s.lo == 0 == s.ticks[0], (lo, hi, s)
        assert s.hi == s.ticks[-1] >= hi and s.hi > 0, (lo, hi, s)
        assert _even(s.ticks) and 2 <= len(s.ticks) <= 11, (lo, hi, s)


@pytest.mark.parametrize(
    ("lo", "hi"),
    [("-1000.00", "900000.00"), ("-20457.20", "250277.25"), ("-0.01", "5"), ("-950000", "1000000")],
)
def test_a_negative_value_takes_only_the_room_it_needs(lo: str, hi: str) -> None:
    s = nice_scale(D(lo), D(hi))
    step = s.ticks[1] - s.ticks[0]
    assert s.lo <= D(lo) and D(lo) - s.lo <= step / 5, s  # below the lowest value by a fifth of a step at most
    assert D(0) in s.ticks and s.hi >= D(hi) and _even(s.ticks)
    assert all(s.lo <= t <= s.hi for t in s.ticks)
    assert not [t for t in s.ticks if t < D(lo)], s  # no gridline below the lowest value


def test_only_negative_values_end_at_zero() -> None:
    s = nice_scale(D("-900000"), D("-1000"))
    assert s.hi == 0 == s.ticks[-1] and s.lo == s.ticks[0] <= D("-900000")


def test_nothing_but_zeros_still_draws_an_axis() -> None:
    s = nice_scale(D(0), D(0))
    assert s.lo == 0 == s.ticks[0] and s.hi > 0


def test_the_month_columns_label_no_negative_tick_for_a_small_negative_month() -> None:
    chart = columns([("2024-03", D("900000.00"), ""), ("2024-04", D("-1000.00"), "")])
    assert [t.label for t in chart.ticks][0] == "0"
    assert not [t.label for t in chart.ticks if t.label.startswith("-")]
    neg = next(b for b in chart.bars if b.negative)
    assert D(neg.y) == D(chart.axis[1])  # the bar hangs from the zero line, inside the drawing
    assert D(neg.y) + D(neg.height) <= D(300 - 44)
