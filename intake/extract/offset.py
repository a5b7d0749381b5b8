"""套打偏移: on a printed invoice the data (values) is printed by the taxpayer's printer onto a pre-printed
form, and is often shifted against it by a millimetre or two — enough to put a value half a line above or
below its label. The shift is the same for the whole data layer, so it is measured once per page from the
labels whose values can be recognised by shape alone (a 12-digit code, an 8-digit number, a date, a tax ID):
the median vertical distance between such a label and the box holding its value. ``PageView.right_of``
then looks for values on the label's line moved by that shift.

Text layers (PDF, OFD) carry no print offset, so only OCR'd pages are measured.
"""

from __future__ import annotations

import statistics

from fapiao.core.models import FieldSource
from fapiao.intake.extract.geometry import PageView
from fapiao.intake.extract.header import PARSERS as HEADER_PARSERS
from fapiao.intake.extract.labels import Label
from fapiao.intake.extract.text import find_tax_id

_SHAPED = {**HEADER_PARSERS, "tax_id": lambda t: (find_tax_id(t), t) if find_tax_id(t) else None}
_MIN_SAMPLES = 2
_MIN_SHIFT = 0.2
"""In line heights: smaller shifts are within ``same_line``'s own tolerance and are left alone."""


def data_offset(view: PageView, labels: list[Label], stop: set[int]) -> float:
    """The vertical shift of the data layer against the form, in page units (0.0 when not measurable)."""
    if not any(b.src.source is FieldSource.ocr for b in view.boxes):
        return 0.0
    shifts = []
    for label in labels:
        parse = _SHAPED.get(label.kind)
        if parse is None or label.inline.strip():
            continue
        lb = label.box
        reach = 1.5 * max(lb.h, view.line_h)
        # a value split off its label at the colon may start a little inside the label's box
        cands = [
            b
            for b in view.boxes
            if id(b) not in stop
            and b is not lb
            and b.x0 > lb.x1 - 0.5 * view.line_h
            and b.cx > lb.x1
            and b.x0 - lb.x1 < 8 * view.line_h
            and abs(b.cy - lb.cy) <= reach
            and parse(b.text)
        ]
        if not cands:
            continue
        best = min(cands, key=lambda b: (b.x0 - lb.x1) + 2 * abs(b.cy - lb.cy))
        shifts.append(best.cy - lb.cy)
    if len(shifts) < _MIN_SAMPLES:
        return 0.0
    shift = statistics.median(shifts)
    spread = max(abs(s - shift) for s in sorted(shifts, key=lambda s: abs(s - shift))[: max(2, len(shifts) // 2 + 1)])
    if abs(shift) < _MIN_SHIFT * view.line_h or spread > 0.35 * view.line_h:
        return 0.0
    return shift
