"""Server-side SVG charts for the statistics page: this module works out the geometry, the template draws it
(no JavaScript, no chart library, nothing that the page's CSP would block: fills come from ui.css classes).
Arithmetic is Decimal throughout, so amounts are never floats, and coordinates are written with one decimal.

Three shapes: columns over time (价税合计 by month), horizontal bars for the largest groups (seller, type,
rate: labels are long), and lines of shares (0–100 %) by month."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

WIDTH = 960
ONE = Decimal("0.1")


def _c(v: Decimal) -> str:
    """A coordinate as the SVG attribute text."""
    return str(Decimal(v).quantize(ONE))


@dataclass(frozen=True)
class Tick:
    x1: str
    y1: str
    x2: str
    y2: str
    tx: str
    ty: str
    label: str


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    title: str
    negative: bool
    text: str | None = None
    """The value written beside the bar, when there is room."""
    tx: str = "0"
    ty: str = "0"
    label: str | None = None
    """The category written under (columns) or left of (bars) the bar."""
    lx: str = "0"
    ly: str = "0"


@dataclass(frozen=True)
class Series:
    key: str
    segments: list[str]
    """``points`` attributes of polylines; a month without a value breaks the line."""
    dots: list[tuple[str, str, str]]
    """(cx, cy, title) per month with a value."""


@dataclass
class Chart:
    width: int
    height: int
    horizontal: bool = False
    """Bars grow to the right (category labels on the left) instead of upwards."""
    ticks: list[Tick] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    xlabels: list[tuple[str, str, str]] = field(default_factory=list)
    """(x, y, text) of the category labels of a line chart."""
    axis: tuple[str, str, str, str] = ("0", "0", "0", "0")
    """The zero line (x1, y1, x2, y2)."""


@dataclass(frozen=True)
class Scale:
    """An axis from ``lo`` to ``hi`` with gridlines at ``ticks``: round values an even step apart, zero among
    them. Both ends hold every value; ``lo`` is 0 unless a value is below zero."""

    lo: Decimal
    hi: Decimal
    ticks: list[Decimal]


def nice_scale(lo: Decimal, hi: Decimal, count: int = 5) -> Scale:
    """The axis for values from ``lo`` to ``hi`` (about ``count`` steps of 1, 2 or 5 times a power of ten).
    The side of zero with the larger values ends on a gridline; the other side ends just past its own values,
    at a tenth of a step, so a −1,000 month beside a 900,000 one does not stretch the axis to −200,000."""
    lo, hi = min(lo, Decimal(0)), max(hi, Decimal(0))
    span = (hi - lo) or Decimal(1)
    raw = span / count
    base = Decimal(1).scaleb(raw.adjusted())
    step = next(base * m for m in (1, 2, 5, 10) if base * m >= raw)
    minor = step / 10
    if hi >= -lo:
        top = max((hi / step).to_integral_value(ROUND_CEILING) * step, step)
        bottom = (lo / minor).to_integral_value(ROUND_FLOOR) * minor
    else:
        bottom = (lo / step).to_integral_value(ROUND_FLOOR) * step
        top = (hi / minor).to_integral_value(ROUND_CEILING) * minor
    first = (bottom / step).to_integral_value(ROUND_CEILING) * step + 0  # + 0: no "-0" gridline
    ticks, v = [], first
    while v <= top:
        ticks.append(v)
        v += step
    return Scale(bottom, top, ticks)


def tick_label(v: Decimal) -> str:
    """``1,000`` rather than ``1000.00`` on an axis."""
    v = v.normalize()
    return f"{v:,f}" if v == v.to_integral_value() else f"{v:,}"


def columns(points: Sequence[tuple[str, Decimal, str]], width: int = WIDTH, height: int = 300) -> Chart:
    """Vertical bars, one per (label, value, title), in the given order (months)."""
    left, right, top, bottom = Decimal(90), Decimal(16), Decimal(24), Decimal(44)
    pw, ph = width - left - right, height - top - bottom
    low, high = min(v for _, v, _ in points), max(v for _, v, _ in points)
    if low < 0:  # room under the lowest column for its value, above the month labels
        low -= (max(high, Decimal(0)) - low) * Decimal(18) / (ph - 18)
    scale = nice_scale(low, high)
    lo, hi, ticks = scale.lo, scale.hi, scale.ticks

    def y(v: Decimal) -> Decimal:
        return top + (hi - v) / (hi - lo) * ph

    chart = Chart(width, height)
    for v in ticks:
        chart.ticks.append(Tick(_c(left), _c(y(v)), _c(left + pw), _c(y(v)), _c(left - 8), _c(y(v) + 4), tick_label(v)))
    chart.axis = (_c(left), _c(y(Decimal(0))), _c(left + pw), _c(y(Decimal(0))))
    slot = pw / len(points)
    bw = min(slot * Decimal("0.7"), Decimal(64))
    every = max(1, int((Decimal(64) / slot).to_integral_value(ROUND_CEILING)))  # labels ~60 px wide
    for i, (label, v, title) in enumerate(points):
        x = left + slot * i + (slot - bw) / 2
        y0, yv = y(Decimal(0)), y(v)
        text = f"{v:,.2f}"
        chart.bars.append(
            Bar(
                x=_c(x),
                y=_c(min(y0, yv)),
                width=_c(bw),
                height=_c(max(abs(y0 - yv), Decimal("0.5"))),
                title=title,
                negative=v < 0,
                text=text if slot >= len(text) * Decimal("6.6") + 6 else None,
                tx=_c(x + bw / 2),
                ty=_c(min(y0, yv) - 6 if v >= 0 else max(y0, yv) + 14),
                label=label if i % every == 0 else None,
                lx=_c(x + bw / 2),
                ly=_c(top + ph + 20),
            )
        )
    return chart


def bars(points: Sequence[tuple[str, Decimal, str]], width: int = WIDTH, row: int = 28) -> Chart:
    """Horizontal bars, one per (label, value, title), largest first as given."""
    label_w, value_w, top, bottom = Decimal(230), Decimal(120), Decimal(8), Decimal(26)
    pw, r = width - label_w - value_w - 8, Decimal(row)
    height = int(top + r * len(points) + bottom)
    scale = nice_scale(min(v for _, v, _ in points), max(v for _, v, _ in points))
    lo, hi, ticks = scale.lo, scale.hi, scale.ticks

    def x(v: Decimal) -> Decimal:
        return label_w + (v - lo) / (hi - lo) * pw

    chart = Chart(width, height, horizontal=True)
    axis_y = top + r * len(points)
    for v in ticks:
        chart.ticks.append(Tick(_c(x(v)), _c(top), _c(x(v)), _c(axis_y), _c(x(v)), _c(axis_y + 18), tick_label(v)))
    chart.axis = (_c(x(Decimal(0))), _c(top), _c(x(Decimal(0))), _c(axis_y))
    for i, (label, v, title) in enumerate(points):
        yy = top + r * i + 4
        x0, xv = x(Decimal(0)), x(v)
        short = label if len(label) <= 16 else label[:15] + "…"
        chart.bars.append(
            Bar(
                x=_c(min(x0, xv)),
                y=_c(yy),
                width=_c(max(abs(xv - x0), Decimal("0.5"))),
                height=_c(r - 8),
                title=title,
                negative=v < 0,
                text=f"{v:,.2f}",
                tx=_c(max(x0, xv) + 6),
                ty=_c(yy + r / 2 + 1),
                label=short,
                lx=_c(label_w - 8),
                ly=_c(yy + r / 2 + 1),
            )
        )
    return chart


def lines(
    labels: Sequence[str], series: Sequence[tuple[str, str, Sequence[object]]], width: int = WIDTH, height: int = 220
) -> Chart:
    """Lines of shares (0..1, or ``None`` for a month without a base) over ``labels``; ``series`` is
    (key, name for the tooltips, values)."""
    left, right, top, bottom = Decimal(56), Decimal(16), Decimal(12), Decimal(40)
    pw, ph = width - left - right, height - top - bottom
    slot = pw / max(len(labels), 1)

    def x(i: int) -> Decimal:
        return left + slot * i + slot / 2

    def y(share: Decimal) -> Decimal:
        return top + (1 - share) * ph

    chart = Chart(width, height)
    for pct in (0, 25, 50, 75, 100):
        yy = y(Decimal(pct) / 100)
        chart.ticks.append(Tick(_c(left), _c(yy), _c(left + pw), _c(yy), _c(left - 8), _c(yy + 4), f"{pct}%"))
    chart.axis = (_c(left), _c(y(Decimal(0))), _c(left + pw), _c(y(Decimal(0))))
    every = max(1, int((Decimal(64) / slot).to_integral_value(ROUND_CEILING)))
    chart.xlabels = [(_c(x(i)), _c(top + ph + 20), lab) for i, lab in enumerate(labels) if i % every == 0]
    for key, name, values in series:
        segments, current, dots = [], [], []
        for i, value in enumerate(values):
            if value is None:
                if current:
                    segments.append(" ".join(current))
                current = []
                continue
            share = Decimal(str(value))
            point = (_c(x(i)), _c(y(share)))
            current.append(",".join(point))
            dots.append((*point, f"{labels[i]} {name} {share * 100:.1f}%"))
        if current:
            segments.append(" ".join(current))
        chart.series.append(Series(key, segments, dots))
    return chart
