"""Header fields: title, invoice code and number, issue date, check code, machine number."""

from __future__ import annotations

import re
from collections.abc import Callable

from fapiao.core.confidence import UNSURE
from fapiao.core.models import FieldSource
from fapiao.intake.extract.found import Found
from fapiao.intake.extract.geometry import Box, PageView, joined
from fapiao.intake.extract.labels import Label
from fapiao.intake.extract.text import compact, parse_date


def _digits(pattern: str) -> Callable[[str], tuple[str, str] | None]:
    rx = re.compile(pattern)

    def parse(text: str):
        flat = compact(text)
        m = rx.search(flat)
        return (m.group(0), m.group(0)) if m else None

    return parse


def _date(text: str):
    got = parse_date(text)
    return got


PARSERS: dict[str, Callable[[str], tuple[object, str] | None]] = {
    "invoice_code": _digits(r"(?<!\d)(\d{12}|\d{10})(?!\d)"),
    "invoice_number": _digits(r"(?<!\d)(\d{20}|\d{8})(?!\d)"),
    "check_code": _digits(r"(?<!\d)\d{20}(?!\d)"),
    "machine_number": _digits(r"(?<!\d)\d{12}(?!\d)"),
    "issue_date": _date,
}


def labelled_value(view: PageView, label: Label, stop: set[int], parse) -> Found | None:
    """Parse the label's inline text, else the run of boxes to its right, growing box by box."""
    if label.inline.strip():
        got = parse(label.inline)
        if got:
            return Found(got[0], [label.box], label.inline)
    run = [b for b in view.right_of(label.box, stop) if not debris(b)]
    for end in range(1, len(run) + 1):
        text = joined(run[:end])
        got = parse(text)
        if got:
            return Found(got[0], run[:end], text)
    return None


def debris(b: Box) -> bool:
    """A short OCR box the recogniser barely believes ("1.9" read off a colon and a stroke): glued to the
    value next to it, it would lengthen an ID or a number."""
    return b.src.source is FieldSource.ocr and b.src.confidence < 0.5 and len(b.flat) <= 3


def header_fields(view: PageView, labels: list[Label], stop: set[int]) -> dict[str, Found]:
    out: dict[str, Found] = {}
    for kind, parse in PARSERS.items():
        for label in (lb for lb in labels if lb.kind == kind):
            found = labelled_value(view, label, stop, parse)
            if found:
                out.setdefault(kind, found)
    title = find_title(view)
    if title:
        out["title"] = title
    return out


def find_title(view: PageView) -> Found | None:
    """The largest text mentioning 发票 in the top third of the page."""
    cands: list[Box] = [
        b
        for b in view.boxes
        if "发票" in b.flat
        and b.cy < view.height * 0.35
        and "代码" not in b.flat
        and "号码" not in b.flat
        and len(b.flat) >= 4
    ]
    if not cands:
        return None
    best = max(cands, key=lambda b: (b.h, len(b.flat)))
    parts = _title_runs(view, best)
    raw = "".join(b.text for b in parts)
    return Found(re.sub(r"\s+", "", raw), parts, raw, UNSURE)


def _title_runs(view: PageView, title: Box) -> list[Box]:
    """The title with the runs printed right against it on its line ("电子发票（" "普通" "发票）": a font or
    colour change splits it), so the invoice family is read from the whole title."""
    parts = [title]
    for step in (1, -1):
        edge = title
        while True:
            h = max(edge.h, 1.0)
            nxt = [
                b
                for b in view.boxes
                if all(b is not p for p in parts)
                and abs(b.cy - edge.cy) < 0.3 * h
                and abs(b.h - edge.h) < 0.3 * h
                and -0.2 * h <= ((b.x0 - edge.x1) if step > 0 else (edge.x0 - b.x1)) < 0.5 * h
            ]
            if not nxt:
                break
            edge = min(nxt, key=lambda b: abs(b.x0 - edge.x1) if step > 0 else abs(edge.x0 - b.x1))
            parts.append(edge)
    return sorted(parts, key=lambda b: b.x0)
