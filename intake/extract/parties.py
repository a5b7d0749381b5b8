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
from intake.extract.labels import Label, anchor_piece, find_anchor
from intake.extract.text import compact, find_tax_id
from intake.models import FieldSource
from intake.rules.tax_ids import USCC_ALPHABET, tax_id_ok, uscc_check_char

PARTY_FIELDS = {"name": "name", "tax_id": "tax_id", "address_phone": "address_phone", "bank": "bank_account"}


def _name(text: str):
    s = text.strip().strip(":").strip()
    flat = compact(s)
    if not flat or re.fullmatch(r"[\d\-*/<>+]+", flat):
        return None
    if re.fullmatch(r"[0-9A-Z]{15,20}", flat.upper()):
        return None  # a tax ID (the next line's value, reached through a print offset) is never a name
    return s, s


def _tax_id(text: str):
    tid = find_tax_id(text)
    if tid and len(tid) == 17:
        # OCR reads the hook of a final "J" as ")" or "]": take the J only when the check character then
        # passes (the glyph is there, and J is the one ID character drawn like a bracket)
        m = re.search(re.escape(tid) + r"[)\]}|」』]", compact(text).upper())
        if m and tax_id_ok(tid + "J"):
            return tid + "J", m.group(0)
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
            if label.kind == "tax_id":
                found.confidence *= _tax_id_doubt(found)
                _checksum_corroborates(found)
            out[key] = found
    if "buyer_name" in out:
        out["buyer_name"].confidence *= _private_buyer_doubt(out["buyer_name"])
    return out


def _private_buyer_doubt(found: Found) -> float:
    """A private buyer is printed as "个人"; OCR's "个大" / "人人" is one character off and no rule can check a
    name, so a two-character OCR name sharing a character with 个人 goes to a person."""
    value = compact(str(found.value))
    ocr = any(b.src.source is FieldSource.ocr for b in found.boxes)
    if ocr and len(value) == 2 and value != "个人" and set(value) & set("个人"):
        return 0.6
    return 1.0


CHECKED = 0.95
"""Confidence of an OCR'd tax ID whose check character confirms it (see ``_checksum_corroborates``)."""
_CHECK_FLOOR = 0.5
"""Weakest-character score below which not even a passing check character makes an ID trustworthy."""


def _checksum_corroborates(found: Found) -> None:
    """An 18-character code whose check character passes is a second, independent reading of the other 17:
    a misread character breaks the check 30 times in 31. So the recogniser's doubt about a character (a
    "J" it half took for a bracket) does not send the invoice to a person — unless the doubt is so strong
    (weakest character below 0.5) that the pass may be the 31st case."""
    ocr = [b.src.confidence for b in found.boxes if b.src.source is FieldSource.ocr]
    value = str(found.value)
    if not ocr or len(value) != 18 or not tax_id_ok(value):
        return
    weakest = min(ocr)
    # a resident ID's check digit (mod 11) lets one misread in 11 through: it needs a surer reading
    floor = _CHECK_FLOOR if _uscc_passes(value) else 0.8
    if floor <= weakest and found.confidence * weakest < CHECKED:
        found.confidence = CHECKED / weakest


def _uscc_passes(value: str) -> bool:
    return all(c in USCC_ALPHABET for c in value) and uscc_check_char(value[:17]) == value[17]


def _tax_id_doubt(found: Found) -> float:
    """OCR loses characters at the ends of a line (the detector's box cuts a narrow last letter, a seal covers
    one): an ID of 16, 17 or 19 characters read off a picture is most likely an 18-character code with a
    character missing or added, and the rules cannot tell (17-character IDs exist), so a person looks at it."""
    if any(b.src.source is FieldSource.ocr for b in found.boxes) and len(found.value) not in (15, 18, 20):
        return 0.7
    return 1.0


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
        # side by side (数电: buyer left, seller right) unless the two labels start in the same column
        # (stacked: buyer on top); a photo's residual tilt moves the right one up or down by a line or more
        side_by_side = abs(a.cy - b.cy) < view.line_h or abs(a.x0 - b.x0) > 0.2 * view.width
        ordered = sorted(same[:2], key=(lambda lb: lb.box.x0) if side_by_side else (lambda lb: lb.box.cy))
        out[id(ordered[0])] = "buyer"
        out[id(ordered[1])] = "seller"
    if len(kinds) == 1:
        _assign_by_one_anchor(view, labels, anchors, out)
    return out


def _assign_by_one_anchor(view: PageView, labels: list[Label], anchors, out: dict[int, str]) -> None:
    """Only one party's anchor was read (the other one garbled by the recogniser): a label in that anchor's
    block — beside it, within its rows — is that party's; one in the same rows but half a page to the right
    (数电: the blocks side by side), or in other rows (stacked blocks), belongs to the other party."""
    known = anchors[0][0]
    other = "seller" if known == "buyer" else "buyer"
    for lb in labels:
        if id(lb) in out:
            continue
        _, ax, top, bottom = min(anchors, key=lambda a: abs(lb.box.cy - (a[2] + a[3]) / 2))
        if top - view.line_h <= lb.box.cy <= bottom + view.line_h:
            out[id(lb)] = known if lb.box.x0 - ax < _HALF_PAGE * view.width else other
        elif lb.box.cy < top - 3 * view.line_h or lb.box.cy > bottom + 3 * view.line_h:
            out[id(lb)] = other  # well clear of the block (a piece of the anchor may cover only part of it)


_HALF_PAGE = 0.35
"""A side-by-side block starts this far (share of the page width) right of the other one's anchor."""


def _anchors(view: PageView) -> list[tuple[str, float, float, float]]:
    """(party, x, y_top, y_bottom) for each anchor.

    Besides whole anchors (购买方, 销售方信息 — single characters are merged by ``merge_vertical_words``),
    OCR often reads a vertical anchor in pieces ("售方" + "信" + "息", "方信息" with the party character lost):
    pieces stacked in one column are joined; a stack that names its party (购/买 or 销/售) is that party's
    anchor, and one stack without the party character is the other party when exactly one party is known.
    """
    out = []
    pieces = []
    for b in view.boxes:
        kind = find_anchor(b) or _vertical_anchor(b)
        if kind and "章" not in b.flat:
            out.append((kind, b.x0, b.y0, b.y1))
        elif (anchor_piece(b.flat) or (len(b.flat) == 1 and b.flat in _ANCHOR_CHARS)) and b.h >= 0.8 * (b.x1 - b.x0):
            pieces.append(b)
    unknown = []
    for stack in _stacks(pieces):
        text = "".join(b.flat for b in stack)
        if len(text) < 2 or not anchor_piece(text):
            continue
        x0, y0, y1 = min(b.x0 for b in stack), min(b.y0 for b in stack), max(b.y1 for b in stack)
        char = max(b.x1 - b.x0 for b in stack)
        if any(abs(x0 - a[1]) < view.line_h and y0 <= a[3] + 1.5 * char and y1 >= a[2] - 1.5 * char for a in out):
            continue  # part of an anchor already found (inside it, or the "信息" read apart just under "销售方")
        kind = "buyer" if set(text) & set("购买") else "seller" if set(text) & set("销售") else None
        (out.append((kind, x0, y0, y1)) if kind else unknown.append((x0, y0, y1)))
    kinds = {a[0] for a in out}
    if len(unknown) == 1 and len(kinds) == 1:
        other = "seller" if "buyer" in kinds else "buyer"
        out.append((other, *unknown[0]))
    return out


_ANCHOR_CHARS = frozenset("购买方销售信息")
_ANCHOR_HEADS = {"购买方": "buyer", "购方": "buyer", "销售方": "seller", "销方": "seller"}


def _vertical_anchor(b: Box) -> str | None:
    """A vertical box that starts with 购买方 / 销售方 is that party's anchor whatever OCR made of the rest
    ("购买方花" for 购买方信息)."""
    if b.h < 1.5 * (b.x1 - b.x0):
        return None
    return next((kind for head, kind in _ANCHOR_HEADS.items() if b.flat.startswith(head)), None)


def _stacks(pieces: list[Box]) -> list[list[Box]]:
    """Pieces in one column, each starting at most about a character below the previous one."""
    stacks: list[list[Box]] = []
    for b in sorted(pieces, key=lambda b: b.y0):
        for stack in stacks:
            last = stack[-1]
            char_h = min(last.x1 - last.x0, b.x1 - b.x0) + 1
            if abs(b.cx - last.cx) <= 0.6 * char_h + 2 and -0.5 * char_h <= b.y0 - last.y1 <= 1.5 * char_h:
                stack.append(b)
                break
        else:
            stacks.append([b])
    return stacks


def _nearest_anchor(box: Box, anchors) -> str:
    def cost(a) -> float:
        _, x, top, bottom = a
        dy = 0.0 if top <= box.cy <= bottom else min(abs(box.cy - top), abs(box.cy - bottom))
        dx = box.x0 - x
        return dy * 3 + (dx if dx >= -2 else 10_000)

    return min(anchors, key=cost)[0]
