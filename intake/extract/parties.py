"""Buyer and seller blocks: which 名称 / 纳税人识别号 belongs to whom is decided by geometry.

The party anchor (购买方 / 销售方, often printed vertically; see ``merge_vertical_words``) sits left of its block:
a label belongs to the anchor left of it with the least vertical distance to the anchor's span. Without
anchors, side-by-side labels are buyer (left) then seller (right); stacked ones buyer (top) then seller.
"""

from __future__ import annotations

import re

from intake.extract.found import Found
from intake.extract.geometry import Box, PageView
from intake.extract.header import labelled_value
from intake.extract.labels import Label, find_anchor
from intake.extract.text import compact, find_tax_id

PARTY_FIELDS = {"name": "name", "tax_id": "tax_id", "address_phone": "address_phone", "bank": "bank_account"}


def _name(text: str):
    s = text.strip().strip(":").strip()
    flat = compact(s)
    if not flat or re.fullmatch(r"[\d\-*/<>+]+", flat):
        return None
    return s, s


def _tax_id(text: str):
    tid = find_tax_id(text)
    return (tid, tid) if tid else None


def _free(text: str):
    s = text.strip()
    return (s, s) if s else None


PARSERS = {"name": _name, "tax_id": _tax_id, "address_phone": _free, "bank": _free}


def party_fields(view: PageView, labels: list[Label], stop: set[int]) -> dict[str, Found]:
    out: dict[str, Found] = {}
    for kind, party in (("buyer_name", "buyer"), ("seller_name", "seller")):
        for label in (lb for lb in labels if lb.kind == kind):
            found = labelled_value(view, label, stop, _name)
            if found:
                out.setdefault(f"{party}_name", found)
    party_labels = [lb for lb in labels if lb.kind in PARSERS]
    owners = _assign(view, party_labels)
    for label in party_labels:
        party = owners.get(id(label))
        if party is None:
            continue
        key = f"{party}_{PARTY_FIELDS[label.kind]}"
        found = labelled_value(view, label, stop, PARSERS[label.kind])
        if found and key not in out:
            out[key] = found
    return out


def _assign(view: PageView, labels: list[Label]) -> dict[int, str]:
    anchors = _anchors(view)
    kinds = {a[0] for a in anchors}
    if {"buyer", "seller"} <= kinds:
        return {id(lb): _nearest_anchor(lb.box, anchors) for lb in labels}
    out: dict[int, str] = {}
    for kind in PARSERS:
        same = [lb for lb in labels if lb.kind == kind]
        if len(same) < 2:
            continue
        a, b = same[0].box, same[1].box
        side_by_side = abs(a.cy - b.cy) < view.line_h
        ordered = sorted(same[:2], key=(lambda lb: lb.box.x0) if side_by_side else (lambda lb: lb.box.cy))
        out[id(ordered[0])] = "buyer"
        out[id(ordered[1])] = "seller"
    return out


def _anchors(view: PageView) -> list[tuple[str, float, float, float]]:
    """(party, x, y_top, y_bottom) for each anchor; vertically stacked single characters are merged."""
    out = []
    for b in view.boxes:
        kind = find_anchor(b)
        if kind and "章" not in b.flat:
            out.append((kind, b.x0, b.y0, b.y1))
    return out


def _nearest_anchor(box: Box, anchors) -> str:
    def cost(a) -> float:
        _, x, top, bottom = a
        dy = 0.0 if top <= box.cy <= bottom else min(abs(box.cy - top), abs(box.cy - bottom))
        dx = box.x0 - x
        return dy * 3 + (dx if dx >= -2 else 10_000)

    return min(anchors, key=cost)[0]
