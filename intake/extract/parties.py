"""Buyer and seller blocks: which 名称 / 纳税人识别号 belongs to whom is decided by geometry.

The party anchor (购买方 / 销售方, often printed vertically; see ``merge_vertical_words``) sits left of its block:
a label belongs to the anchor left of it with the least vertical distance to the anchor's span. Without
anchors, side-by-side labels are buyer (left) then seller (right); stacked ones buyer (top) then seller.
"""

from __future__ import annotations

import re

from fapiao.core.models import FieldSource
from fapiao.intake.extract.found import Found
from fapiao.intake.extract.geometry import Box, PageView, joined
from fapiao.intake.extract.header import debris, labelled_value
from fapiao.intake.extract.labels import Label, anchor_piece, find_anchor
from fapiao.intake.extract.text import compact, find_tax_id
from fapiao.intake.rules.tax_ids import USCC_ALPHABET, tax_id_ok, uscc_check_char

PARTY_FIELDS = {"name": "name", "tax_id": "tax_id", "address_phone": "address_phone", "bank": "bank_account"}


_LEADING_DEBRIS = "，,.。、;；:：·'\"|"
"""Punctuation OCR reads in front of a name (the colon's tail, a speck of the form): no name starts with it."""
_LABEL_REMNANT = re.compile(r"^\s*(?:名\s*)?称\s*[:：∶]\s*")
"""What is left of a "名    称：" label in front of a name when OCR cut the label apart (the lone 名 lost, or read
as a box of its own): a company or person's name never starts with "称："."""


def _name(text: str):
    s = _LABEL_REMNANT.sub("", text).strip().strip(":").strip().lstrip(_LEADING_DEBRIS).strip()
    flat = compact(s)
    if not flat or re.fullmatch(r"[\d\-*/<>+]+", flat):
        return None
    if re.fullmatch(r"[0-9A-Z]{15,20}", flat.upper()):
        return None  # a tax ID (the next line's value, reached through a print offset) is never a name
    glued = _GLUED_ID.match(s) or _GLUED_ID_AFTER.search(s)
    if glued:  # a tax ID run into the name ("91420106MAA5001C4Y湖北联合…"): the name is the rest
        rest = (s[glued.end() :] if glued.start() == 0 else s[: glued.start()]).strip()
        return (rest, s) if compact(rest) else None
    return s, s


_GLUED_ID = re.compile(r"\s*[0-9A-Z]{15,20}(?=[\u4e00-\u9fff(（])")
_GLUED_ID_AFTER = re.compile(r"(?<=[\u4e00-\u9fff)）])\s*[0-9A-Z]{15,20}\s*$")
GLUED_DOUBT = 0.6
"""Confidence factor of a name that had a tax ID glued to it: split by shape, so a person confirms it."""


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
    block: dict[str, list[tuple[Label, str]]] = {"buyer": [], "seller": []}
    """Each party's labels with the field they name, for the pairing by rows (``_pair_rows``)."""
    for kind, party in (("buyer_name", "buyer"), ("seller_name", "seller")):
        for label in (lb for lb in labels if lb.kind == kind):
            block[party].append((label, "name"))
    party_labels = [lb for lb in labels if lb.kind in PARSERS]
    anchors = _anchors(view)
    owners = _assign(view, party_labels, anchors)
    for label in party_labels:
        party = owners.get(id(label))
        if party is not None:
            block[party].append((label, label.kind))
    found_by_label: dict[int, Found] = {}
    for members in block.values():
        for label, kind in members:
            found = labelled_value(view, label, stop, PARSERS[kind])
            if found:
                found_by_label[id(label)] = found
        if any(b.src.source is FieldSource.ocr for b in view.boxes):
            _pair_rows(view, members, stop, found_by_label)
    for party, members in block.items():
        for label, _kind in members:
            found = found_by_label.get(id(label))
            if found is not None and _across_other_anchor(view, label, found, party, anchors):
                del found_by_label[id(label)]
    unlabelled: set[int] = set()
    if any(b.src.source is FieldSource.ocr for b in view.boxes) and {"buyer", "seller"} <= {a[0] for a in anchors}:
        taken = {id(b) for f in found_by_label.values() for b in f.boxes}
        for party, members in block.items():
            if any(kind == "tax_id" and id(lb) in found_by_label for lb, kind in members):
                continue
            got = _unlabelled_tax_id(view, party, anchors, taken)
            if got is not None:
                members.append((got[0], "tax_id"))
                found_by_label[id(got[0])] = got[1]
                unlabelled.add(id(got[0]))
    for party, members in block.items():
        if any(b.src.source is FieldSource.ocr for b in view.boxes) and not any(
            kind == "name" and id(lb) in found_by_label for lb, kind in members
        ):
            _name_above_id(view, party, members, stop, found_by_label, out, anchors)
    for party, members in block.items():
        # the party-specific labels (购买方名称) first, as before; then the block's labels top to bottom
        for label, kind in members:
            found = found_by_label.get(id(label))
            key = f"{party}_{PARTY_FIELDS[kind]}"
            if found is None or key in out:
                continue
            if id(label) in unlabelled:
                found.confidence = UNLABELLED_ID
            elif kind == "tax_id":
                found.confidence *= _tax_id_doubt(found)
                _checksum_corroborates(found)
            elif kind == "name" and found.value != found.raw.strip().strip(":").strip():
                found.confidence *= GLUED_DOUBT
            if kind == "name" and any(b.src.source is FieldSource.ocr for b in found.boxes):
                found.value = full_width_brackets(found.value)
            out[key] = found
    if "buyer_name" in out:
        out["buyer_name"].confidence *= _private_buyer_doubt(out["buyer_name"])
    return out


def full_width_brackets(name: str) -> str:
    """Brackets in a Chinese name as registered, full width: "广德月满庭酒店（个体工商户）". The recogniser picks
    the width of each bracket by eye and often mixes them ("（个体工商户)"); a name read off a picture gets
    the registered form (a text layer's name is kept exactly as printed)."""
    if not re.search(r"[\u4e00-\u9fff]", name):
        return name
    return name.replace("(", "（").replace(")", "）")


_VALUE_REACH = 12
"""Line heights between a label's end and the start of its value, at most (stacked layouts align values)."""
PAIRED_DISAGREES = 0.85
"""Confidence of a value paired by rows where the nearest-line reading said something else."""


def _pair_rows(view: PageView, members: list[tuple[Label, str]], stop: set[int], found: dict[int, Found]) -> None:
    """Pair a party block's labels and value lines by order, top to bottom.

    On a printed invoice the values may sit between the label rows (套打 offset, a larger data font whose
    lines drift against the form's) so that the nearest line is the wrong one — the name label reaches the
    tax ID, the ID label the address. But the block's value lines come in the labels' order. When the
    block has exactly as many value lines as labels without an inline value, and every line has the shape
    its label asks for, the rows pair one to one; where that contradicts the nearest-line reading, the
    paired value is taken with a confidence below the review threshold."""
    rows = sorted(((lb, kind) for lb, kind in members if not lb.inline.strip()), key=lambda m: m[0].box.cy)
    if len(rows) < 2:
        return
    left = max(lb.box.x1 for lb, _ in rows)
    first = min(lb.box.x1 for lb, _ in rows)
    cys = [lb.box.cy for lb, _ in rows]
    pitch = sorted(b - a for a, b in zip(cys, cys[1:], strict=False))[(len(cys) - 2) // 2]
    top, bottom = cys[0] - 0.9 * pitch, cys[-1] + 0.9 * pitch
    # the block ends at the next pre-printed text to the right (密码区, the other party's anchor or labels)
    right = min(
        (
            b.x0
            for b in view.boxes
            if id(b) in stop and b.x0 > left + view.line_h and rows[0][0].box.cy <= b.cy <= rows[-1][0].box.cy
        ),
        default=view.width,
    )
    mine = {id(lb.box) for lb, _ in members}
    others = [b for b in view.boxes if id(b) in stop and id(b) not in mine]
    values = [
        b
        for b in view.boxes
        if id(b) not in stop
        and not debris(b)
        and first - view.line_h <= b.x0 < right
        and b.cx > first
        and top <= b.cy <= bottom
        # not the value of another label (开票人：… on the footer line just below the block)
        and not any(view.same_line(o, b) and -0.5 * view.line_h <= b.x0 - o.x1 < 2 * view.line_h for o in others)
    ]
    lines = [_leading_run(line, view.line_h) for line in view.lines(values)]
    if len(lines) != len(rows):
        return
    paired = []
    for (label, kind), line in zip(rows, lines, strict=False):
        if line[0].x0 - label.box.x1 > _VALUE_REACH * view.line_h:
            return  # a line far right of its label (remarks beside the block), not its value
        text = joined(line)
        got = PARSERS[kind](text)
        if not got:
            return  # a line that does not have its label's shape: the pairing is not certain
        paired.append((label, Found(got[0], line, text)))
    for label, value in paired:
        current = found.get(id(label))
        if current is None:
            found[id(label)] = value
        elif current.value != value.value:
            value.confidence = PAIRED_DISAGREES
            found[id(label)] = value


UNLABELLED_ID = 0.8
"""Confidence of a tax ID taken from its party's block without a readable label (``_unlabelled_tax_id``)."""
_WHOLE_ID = re.compile(r"(?:^|[:：])([0-9A-Z]{15}|[0-9A-Z]{18})$")
"""An ID that is the whole box, or all of it after a colon (the unreadable label's end)."""


def _unlabelled_tax_id(view: PageView, party: str, anchors, taken: set[int]) -> tuple[Label, Found] | None:
    """The party's 纳税人识别号 label unreadable (on a 150 dpi photo "一业会信闻代码/纳亿人初别号："): an ID read
    in the party's block — right of its anchor, within the anchor's rows, nearer it than the other party's —
    is the party's, when it is a whole box (or the whole end of one after a colon), not another label's
    value, and its check character holds (a bank account of 15 or 18 digits fails it 30 times in 31, or 10
    in 11). A person confirms it (``UNLABELLED_ID``). The label stands in for the row's first box in the
    block, so the name above it is read as for a labelled ID (``_name_above_id``)."""
    mine = [a for a in anchors if a[0] == party]
    for b in sorted(view.boxes, key=lambda b: (b.cy, b.x0)):
        if b.src.source is not FieldSource.ocr or id(b) in taken:
            continue
        m = _WHOLE_ID.search(b.flat.upper())
        if m is None or not tax_id_ok(m.group(1)) or _nearest_anchor(b, anchors) != party:
            continue
        if not any(x <= b.x0 and top - view.line_h <= b.cy <= bottom + view.line_h for _, x, top, bottom in mine):
            continue
        x = max(a[1] for a in mine if a[1] <= b.x0)
        row = [o for o in view.boxes if view.same_line(o, b) and x < o.x0 <= b.x0 and o.cy < b.y1]
        start = min(row, key=lambda o: o.x0, default=b)
        return Label("tax_id", start, ""), Found(m.group(1), [b], b.text)
    return None


UNLABELLED_NAME = 0.8
"""Confidence of a name read from the line above its party's tax ID because its 名称 label was not read."""


def _name_above_id(
    view: PageView,
    party: str,
    members,
    stop: set[int],
    found: dict[int, Found],
    out: dict[str, Found],
    anchors=(),
) -> None:
    """The 名称 label unreadable (a seal, "86:" for 名称:): every layout prints the name on the row right above
    the party's 纳税人识别号, within the party's block — so that line, when it reads as a name (not an
    address or a bank), is taken, for a person to confirm. The row above is at most about two lines up,
    or, when the party's anchor is read, anywhere in the anchor's rows (数电 blocks leave a blank line
    between the name and the ID)."""
    ids = [(lb, found.get(id(lb))) for lb, kind in members if kind == "tax_id"]
    ids = [(lb, f) for lb, f in ids if f is not None]
    if not ids:
        return
    label, tax = ids[0]
    right = min(
        (
            b.x0
            for b in view.boxes
            if id(b) in stop and b.x0 > max(b2.x1 for b2 in tax.boxes) and abs(b.cy - label.box.cy) < 2 * view.line_h
        ),
        default=view.width,
    )
    row = min(label.box.cy, tax.boxes[0].cy)
    reach = row - 2.2 * view.line_h
    for kind, x, top, bottom in anchors:
        if kind == party and x <= label.box.x0 and top - view.line_h <= row <= bottom + view.line_h:
            reach = min(reach, max(top - 0.5 * view.line_h, row - 5 * view.line_h))
    above = [
        b
        for b in view.boxes
        if id(b) not in stop
        and not debris(b)
        and b.cy < row - 0.5 * view.line_h
        and b.cy > reach
        and label.box.x0 - view.line_h <= b.x0 < right
        and len(b.flat) >= 2
        and not (len(b.flat) <= 4 and b.flat.endswith(":"))
    ]  # the label itself ("86:")
    if not above:
        return
    nearest = max(above, key=lambda b: b.cy)
    line = _leading_run(sorted([b for b in above if view.same_line(b, nearest)], key=lambda b: b.x0), view.line_h)
    text = joined(line)
    got = _name(text)
    if got and not _looks_like_address(got[0]):
        out.setdefault(f"{party}_name", Found(got[0], line, text, UNLABELLED_NAME))


def _looks_like_address(text: str) -> bool:
    return bool(re.search(r"\d{3,}[-\s]?\d{4,}|路\d|号", text)) or bool(re.search(r"银行|支行|分行", text))


def _leading_run(line: list[Box], line_h: float) -> list[Box]:
    """A value line's boxes from the left up to the first wide gap (the 备注 or 密码区 text further right on the
    same line is not part of it)."""
    out = [line[0]]
    for b in line[1:]:
        if b.x0 - out[-1].x1 > 4 * line_h:
            break
        out.append(b)
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


def _across_other_anchor(view: PageView, label: Label, found: Found, party: str, anchors) -> bool:
    """The value lies beyond the other party's anchor, which stands between it and the label: it is in the
    other party's block. (数电 blocks side by side, on a 150 dpi photo: the buyer's ID label was read, the
    seller's was not, and the run right of the buyer's label reached past 销售方信息 to the seller's ID.)"""
    start = min(b.x0 for b in found.boxes)
    cy = found.boxes[0].cy
    return any(
        kind != party
        and label.box.x1 <= x + view.line_h
        and start >= x
        and top - view.line_h <= cy <= bottom + view.line_h
        for kind, x, top, bottom in anchors
    )


def _assign(view: PageView, labels: list[Label], anchors) -> dict[int, str]:
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
        if lb.box.x1 <= ax and top - view.line_h <= lb.box.cy <= bottom + view.line_h:
            out[id(lb)] = other  # an anchor is printed left of its block: a label left of it is the other's
        elif top - view.line_h <= lb.box.cy <= bottom + view.line_h:
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
_PARTY_HEAD = {"购": "buyer", "销": "seller"}


def _vertical_anchor(b: Box) -> str | None:
    """A vertical box of three or more characters starting with 购 / 销 is that party's anchor whatever OCR
    made of the rest ("购买方花", "购医方信息" for 购买方信息)."""
    if b.h < 1.5 * (b.x1 - b.x0) or len(b.flat) < 3:
        return None
    return _PARTY_HEAD.get(b.flat[0])


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
