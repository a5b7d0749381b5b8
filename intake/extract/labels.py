"""Pre-printed labels of the invoice forms, found by pattern (tolerant of spaces, full/half width and
wording variants between invoicing software versions)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fapiao.core.models import FieldSource
from fapiao.intake.extract.geometry import Box
from fapiao.intake.extract.text import compact

LABEL_PATTERNS: tuple[tuple[str, str], ...] = (
    ("invoice_code", r"(?:所属)?(?:增值税)?(?:电子)?(?:普通|专用)?发票代码:?"),
    ("invoice_number", r"(?:所属)?(?:增值税)?(?:电子)?(?:普通|专用)?发票号码:?|号码:"),
    ("issue_date", r"开票日期:?"),
    ("check_code", r"校验码:?"),
    ("machine_number", r"机器编号:?"),
    ("buyer_name", r"(?:购买方|购方)名称:?"),
    ("seller_name", r"(?:销售方|销方)名称:?"),
    ("name", r"名[一\-_.·]?称:?"),  # OCR puts a stroke of the spaced-out "名  称" between them
    ("tax_id", r"(?:统一社会信用代码/纳税人识别号|纳税人识别号|统一社会信用代码|识别号|税号):?"),
    ("address_phone", r"地址[、,]?电话:?"),
    ("bank", r"开户行及账号:?"),
    ("words", r"价税合计(?:\(大写\))?:?"),
    ("small", r"\(?小写[)》>〉]?:?|\(小[)》>〉]?(?=¥)|小(?=¥\d)"),
    ("total", r"[合含舍台]计:?|总计:?"),
    ("subtotal", r"小计:?"),
    ("remarks", r"备注:?"),
    ("drawer", r"开票人:?"),
    ("payee", r"收款人:?"),
    ("reviewer", r"复核(?:人)?:?"),
    ("seal", r"销售方:?\(章\)|\(章\)"),
    ("password", r"密码区|密码"),
    ("pages", r"共\d+页第\d+页"),
)
ANCHOR_PATTERNS: tuple[tuple[str, str], ...] = (
    ("buyer", r"(?:购买方|购方|购)(?:信息)?"),
    ("seller", r"(?:销售方|销方|销)(?:信息)?"),
)
EXACT_ONLY = frozenset({"total", "subtotal", "remarks", "password"})
"""Labels that are the whole box (合计, 备注) — as prefixes they would swallow item names."""
_COMPILED = [(kind, re.compile(f"^(?:{pat})")) for kind, pat in LABEL_PATTERNS]
_ANCHORS = [(kind, re.compile(f"^(?:{pat})$")) for kind, pat in ANCHOR_PATTERNS]
_VERTICAL_PIECES = frozenset("购买方销售信息密码区备注")


@dataclass(frozen=True)
class Label:
    kind: str
    box: Box
    inline: str
    """Text in the same box after the label ("名称:北京某某公司" → "北京某某公司"), spaces kept."""


def find_label(box: Box) -> Label | None:
    """The label ``box`` starts with; OCR boxes whose text matches none are tried with their alternative
    readings (a label character misread with a close runner-up: "舍计" / "含计")."""
    found = _find_label(box, box.flat)
    if found is None and box.src.source is FieldSource.ocr and len(box.flat) > 2 and box.flat[0] in _VERTICAL_PIECES:
        found = _after_anchor_char(box)
    if found is None and box.src.source is FieldSource.ocr:
        # the last one: "…信用代码/纳税人识别号" ends at 识别号
        m = next(reversed(list(_ID_LABEL_INSIDE.finditer(box.flat))), None)
        if m:  # "经一2会信用代码/纳税人识别号9137…", "统--社会信用代码/…": the label's head misread
            found = Label("tax_id", box, _after(box.text, m.end()).lstrip(":：∶ "))
    if found is None and box.src.source is FieldSource.ocr and _NAME_MISREAD.match(box.flat):
        found = Label("name", box, _after(box.text, 3).lstrip(":：∶ "))  # "名6:": 名称 is the one label with 名
    if found is None and box.src.alternatives and box.src.source is FieldSource.ocr:
        for alt in box.src.alternatives:
            alt_box = Box(box.src.model_copy(update={"text": alt}), alt.strip(), compact(alt))
            found = _find_label(alt_box, alt_box.flat)
            if found is not None:
                return Label(found.kind, box, found.inline)
    return found


_NAME_MISREAD = re.compile(r"^名[^称]:")
_ID_LABEL_INSIDE = re.compile(r"(?:纳税人)?识.?号:?|信用代码:?")
_PARTY_OF_CHAR = {"购": "buyer", "买": "buyer", "销": "seller", "售": "seller"}


def _after_anchor_char(box: Box) -> Label | None:
    """OCR joins a character of the vertical party anchor to the label beside it ("购名称：…", "买纳税人识别号…"):
    the label is read without it, and a party character names the party of a 名称."""
    head = box.text.lstrip()[0]
    rest = box.text.lstrip()[1:]
    found = _find_label(Box(box.src, rest.strip(), compact(rest)), compact(rest))
    if found is None:
        return None
    kind = found.kind
    if kind == "name" and head in _PARTY_OF_CHAR:
        kind = f"{_PARTY_OF_CHAR[head]}_name"
    return Label(kind, box, found.inline)


def _find_label(box: Box, flat: str) -> Label | None:
    for kind, rx in _COMPILED:
        m = rx.match(flat)
        if not m:
            continue
        rest_flat = flat[m.end() :]
        if kind in EXACT_ONLY and rest_flat and not _starts_with_value(rest_flat):
            continue
        if kind == "name" and rest_flat.startswith(("称", "方")):
            continue
        return Label(kind, box, _after(box.text, m.end()).lstrip(":：∶ "))
    return None


def find_anchor(box: Box) -> str | None:
    for kind, rx in _ANCHORS:
        if rx.match(box.flat):
            return kind
    return None


ANCHOR_WORDS = ("购买方信息", "销售方信息")
"""The vertical party anchors in full; OCR often reads them in pieces ("售方" / "信" / "息", "方信息")."""


def anchor_piece(text: str) -> bool:
    """A piece of a party anchor: two or more consecutive characters of 购买方信息 / 销售方信息."""
    return len(text) >= 2 and any(text in word for word in ANCHOR_WORDS)


def is_form_text(box: Box) -> bool:
    """Pre-printed text that must never be taken as a value (labels, party anchors, vertical pieces)."""
    return (
        find_label(box) is not None
        or find_anchor(box) is not None
        or anchor_piece(box.flat)
        or (len(box.flat) == 1 and box.flat in _VERTICAL_PIECES)
    )


def _starts_with_value(rest: str) -> bool:
    return bool(re.match(r"[¥\-\d]", rest))


def _after(text: str, n_flat: int) -> str:
    """The part of ``text`` after its first ``n_flat`` non-space characters."""
    seen = 0
    for i, ch in enumerate(text):
        if seen == n_flat:
            return text[i:]
        if not ch.isspace():
            seen += 1
    return ""


def merge_spaced_labels(boxes: list[Box]) -> list[Box]:
    """Join a label the recogniser read as two boxes because it is printed spaced out ("名" + "称：" for
    名  称：): a short box that is no label, and its neighbour on the right on the same line, when together
    they make one."""
    used: set[int] = set()
    merged: list[Box] = []
    ocr = [b for b in boxes if b.src.source is FieldSource.ocr]
    for b in ocr:
        if id(b) in used or not 1 <= len(b.flat) <= 2 or find_label(b) is not None or b.h > 1.3 * (b.x1 - b.x0):
            continue  # (a piece of a vertical anchor, 方信, is not the start of a label)
        h = max(b.h, 1.0)
        right = [
            r
            for r in ocr
            if r is not b and id(r) not in used and abs(r.cy - b.cy) < 0.5 * h and -0.6 * h <= r.x0 - b.x1 < 1.5 * h
        ]
        if not right:
            continue
        r = min(right, key=lambda r: r.x0)
        text = b.text + r.text
        joined_box = Box(
            b.src.model_copy(
                update={
                    "text": text,
                    "confidence": min(b.src.confidence, r.src.confidence),
                    "bbox": (min(b.x0, r.x0), min(b.y0, r.y0), max(b.x1, r.x1), max(b.y1, r.y1)),
                }
            ),
            text.strip(),
            compact(text),
        )
        if _find_label(joined_box, joined_box.flat) is None:  # a label from its first character on
            continue
        used.update({id(b), id(r)})
        merged.append(joined_box)
    return [b for b in boxes if id(b) not in used] + merged
