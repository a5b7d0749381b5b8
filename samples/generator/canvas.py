"""A format-neutral page: drawing operations in points (origin top-left) that the PDF and OFD writers replay.

Layouts draw onto a ``Canvas`` in any order; each operation carries its layer (0 = the pre-printed form,
1 = the data), and ``PageSpec.ordered`` replays the form first and the data second — the order real
e-invoice software writes its text layer in, which extractors must cope with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import pymupdf

FORM, DATA = 0, 1
Color = tuple[float, float, float]


@dataclass
class Text:
    x: float
    y: float
    """Baseline of the first line, from the top of the page."""
    text: str
    size: float
    layer: int
    color: Color
    spacing: float = 0.0
    """Extra advance after each character (PDF Tc, OFD DeltaX)."""
    lines: tuple[str, ...] = ()
    """Further lines drawn in the same text object (vertical labels), one ``size * 1.25`` below the other."""


@dataclass
class Line:
    x0: float
    y0: float
    x1: float
    y1: float
    width: float
    color: Color
    layer: int = FORM


@dataclass
class CrossCircle:
    """The ⓧ before the 大写 amount, drawn as vector art when the font cannot print it."""

    x: float
    y: float
    size: float
    color: Color
    layer: int = DATA


@dataclass
class QrCode:
    x: float
    y: float
    size: float
    payload: str
    vector: bool = False
    """Modules drawn as filled rectangles instead of an embedded image."""
    layer: int = DATA


Op = Text | Line | CrossCircle | QrCode


@dataclass
class PageSpec:
    width: float
    height: float
    ops: list[Op] = field(default_factory=list)
    data_first: bool = False
    """Replay the data layer before the form layer (the ``values_first`` quirk)."""

    def ordered(self) -> list[Op]:
        # stable: drawing order within a layer is kept
        return sorted(self.ops, key=lambda op: -op.layer if self.data_first else op.layer)


@lru_cache(maxsize=1)
def _cjk() -> pymupdf.Font:
    return pymupdf.Font("cjk")


@lru_cache(maxsize=4096)
def _embedded_width(text: str) -> float:
    return _cjk().text_length(text, 1.0)


def text_width(text: str, size: float, spacing: float = 0.0, embedded: bool = False) -> float:
    """Advance width in points; the non-embedded CJK font gets the same ASCII widths (see pdf.py)."""
    return _base_width(text, embedded) * size + spacing * len(text)


@lru_cache(maxsize=16384)
def _base_width(text: str, embedded: bool) -> float:
    if embedded:
        return _embedded_width(text)
    return sum(_embedded_width(ch) if " " <= ch <= "~" else 1.0 for ch in text)


def ascii_widths() -> str:
    """PDF /W entry for CIDs 1–95 (Adobe-GB1 ASCII) so the non-embedded font advances like the rendered glyphs."""
    return "[1 [" + " ".join(str(round(_embedded_width(chr(c)) * 1000)) for c in range(32, 127)) + "]]"


class Canvas:
    """Collects operations for one page; ``label`` draws form text, ``value`` draws data text."""

    def __init__(self, width: float, height: float, form_color: Color, data_color: Color, embedded: bool):
        self.page = PageSpec(width, height)
        self.form_color, self.data_color, self.embedded = form_color, data_color, embedded

    def width(self, text: str, size: float, spacing: float = 0.0) -> float:
        return text_width(text, size, spacing, self.embedded)

    def text(
        self, x: float, y: float, text: str, size: float, layer: int, align: str = "left", spacing: float = 0.0
    ) -> float:
        """Draw ``text`` with its left edge, centre or right edge at ``x``; returns its width."""
        if not text:
            return 0.0
        w = self.width(text, size, spacing)
        x = x - w if align == "right" else x - w / 2 if align == "center" else x
        color = self.form_color if layer == FORM else self.data_color
        self.page.ops.append(Text(x, y, text, size, layer, color, spacing))
        return w

    def label(self, x: float, y: float, text: str, size: float, align: str = "left") -> float:
        return self.text(x, y, text, size, FORM, align)

    def value(
        self, x: float, y: float, text: str | None, size: float, align: str = "left", spacing: float = 0.0
    ) -> float:
        return self.text(x, y, text or "", size, DATA, align, spacing)

    def vertical_label(self, x: float, y_top: float, y_bottom: float, text: str, size: float, one_object: bool) -> None:
        """A label written top-down in a narrow column (购买方, 密码区 …), centred between ``y_top`` and
        ``y_bottom``."""
        lead = size * 1.25
        step = max(lead, (y_bottom - y_top) / (len(text) + 0.6)) if not one_object else lead
        y0 = (y_top + y_bottom) / 2 - step * (len(text) - 1) / 2 + size * 0.35
        if one_object:
            self.page.ops.append(Text(x - size / 2, y0, text[0], size, FORM, self.form_color, lines=tuple(text[1:])))
            return
        for i, ch in enumerate(text):
            self.label(x, y0 + i * step, ch, size, align="center")

    def line(self, x0: float, y0: float, x1: float, y1: float, width: float = 0.6) -> None:
        self.page.ops.append(Line(x0, y0, x1, y1, width, self.form_color))

    def box(self, x0: float, y0: float, x1: float, y1: float, width: float = 0.8) -> None:
        for a, b, c, d in ((x0, y0, x1, y0), (x1, y0, x1, y1), (x1, y1, x0, y1), (x0, y1, x0, y0)):
            self.line(a, b, c, d, width)

    def cross_circle(self, x: float, y: float, size: float) -> None:
        self.page.ops.append(CrossCircle(x, y, size, self.data_color))

    def qr(self, x: float, y: float, size: float, payload: str, vector: bool) -> None:
        self.page.ops.append(QrCode(x, y, size, payload, vector))
