"""合计 row, 价税合计 (大写 and 小写), remarks and the people named in the footer."""

from __future__ import annotations

import re
from decimal import Decimal

from fapiao.core.confidence import UNSURE
from fapiao.intake.amount_words import safe_parse_words
from fapiao.intake.extract.found import Found
from fapiao.intake.extract.geometry import Box, PageView
from fapiao.intake.extract.header import labelled_value
from fapiao.intake.extract.labels import Label
from fapiao.intake.extract.table import Table
from fapiao.intake.extract.text import is_masked, parse_money

_WORDS_CHARS = re.compile(r"[零壹贰叁肆伍陆柒捌玖拾佰仟万亿圆圓元角分整正]")
_WORDS_NOISE = re.compile(r"[ⓧ⊗⨂×\s]")


def total_fields(view: PageView, labels: list[Label], table: Table | None, stop: set[int]) -> dict[str, Found]:
    out: dict[str, Found] = {}
    for label in (lb for lb in labels if lb.kind == "total"):
        out.update(_total_row(view, label, table, stop))
        if out:
            break
    if table is not None and not {"total_amount", "total_tax"} <= out.keys():
        # no 合计 label, or only one of its two values on its line (the row shifted by half a line)
        for key, found in _unlabelled_total_row(view, labels, table).items():
            out.setdefault(key, found)
    if table is None and not {"total_amount", "total_tax"} & out.keys():
        out.update(_total_row_by_position(view, labels))
    for label in (lb for lb in labels if lb.kind == "words"):
        found = _words(view, label, stop)
        if found:
            out["amount_in_words"] = found
            break
    for label in [lb for lb in labels if lb.kind == "small"] + _small_inside(view, labels):
        found = labelled_value(view, label, stop, _money)
        if found:
            out["amount_with_tax"] = found
            break
    if "amount_with_tax" not in out and "amount_in_words" in out:
        found = _from_words(out)
        if found:
            out["amount_with_tax"] = found
    _corroborate(out)
    return out


CORROBORATED = 0.95
"""Confidence floor for totals that four independent readings confirm (see ``_corroborate``)."""


def _corroborate(out: dict[str, Found]) -> None:
    """合计金额 + 合计税额 = 价税合计 (figures) = 价税合计 (words): four readings, the words in a script OCR
    cannot confuse with digits. When all agree, a misread would need compensating misreads elsewhere, so a
    low recogniser score on these boxes (often from the label text sharing the box, "(小写)¥…") does not
    send the invoice to a person."""
    ta, tt, awt, words = (out.get(k) for k in ("total_amount", "total_tax", "amount_with_tax", "amount_in_words"))
    if not (ta and tt and awt and words) or words.boxes == awt.boxes:
        return
    value = safe_parse_words(words.value)
    if value is None or value == 0 or not (ta.value + tt.value == awt.value == value):
        return
    for found in (ta, tt, awt):
        ocr_conf = min((b.src.confidence for b in found.boxes), default=1.0)
        if found.confidence * ocr_conf < CORROBORATED:
            found.confidence = max(found.confidence, CORROBORATED / max(ocr_conf, 1e-6))


_SMALL_INSIDE = re.compile(r"[(（]小写[)）》>〉]?|(?<=[分整角正])[(（]?小?写[)）》>〉]?(?=\s*[¥￥\-\d])")
"""(小写) inside a box, or what OCR left of it right after the words ("…陆分写-135757.56")."""


def _small_inside(view: PageView, labels: list[Label]) -> list[Label]:
    """(小写) read as the end of another box ("（负数）叁拾柒万…壹分（小写）￥"): a 小写 label all the same, its
    value inline or right of the box."""
    known = {id(lb.box) for lb in labels if lb.kind == "small"}
    out = []
    for b in view.boxes:
        m = _SMALL_INSIDE.search(b.text)
        if m and m.start() > 0 and id(b) not in known:
            out.append(Label("small", b, b.text[m.end() :].strip()))
    return out


def _from_words(out: dict[str, Found]) -> Found | None:
    """价税合计 is printed twice, in words and in figures. When the figures were not read (a seal over the
    (小写) box, a box the detector dropped) the words give the value — trusted only when 合计金额 + 合计税额
    as read say the same, otherwise left to a person (low confidence)."""
    words = out["amount_in_words"]
    value = safe_parse_words(words.value)
    if value is None:
        return None
    ta, tt = out.get("total_amount"), out.get("total_tax")
    agrees = (
        ta is not None
        and tt is not None
        and ta.value is not None
        and tt.value is not None
        and ta.value + tt.value == value
    )
    return Found(value, words.boxes, words.raw, 1.0 if agrees else 0.6)


def _money(text: str):
    value = parse_money(text)
    return (value, text) if value is not None else None


def _total_row(view: PageView, label: Label, table: Table | None, stop: set[int]) -> dict[str, Found]:
    run = [
        b
        for b in view.right_of(label.box, stop, max_gap=view.width)
        if (parse_money(b.text) is not None and "%" not in b.text) or is_masked(b.text)
    ]
    if label.inline and parse_money(label.inline) is not None:
        run = [label.box] + run
    values: dict[str, Found] = {}
    if table is not None:
        for b in run:
            col = table.money_column_of(b)
            if col is not None:
                key = "total_amount" if col.kind == "amount" else "total_tax"
                values.setdefault(key, _money_found(b))
    if not values:
        numeric = [b for b in run if b is not label.box]
        for key, b in zip(("total_amount", "total_tax"), numeric, strict=False):
            values[key] = _money_found(b)
    elif "total_amount" in values and "total_tax" not in values and table is not None and table.find("tax") is None:
        # no 税额 header read: the tax is the figure right of the amount on the 合计 row
        amount = values["total_amount"].boxes[0]
        right = [b for b in run if b.x0 > amount.x1]
        if right:
            values["total_tax"] = _money_found(right[0])
    return values


def _unlabelled_total_row(view: PageView, labels: list[Label], table: Table) -> dict[str, Found]:
    """The 合计 label was not read (a seal, a misread character): the totals row is then the one line
    below the table of ¥-prefixed amounts in the 金额 / 税额 columns, above the 价税合计 line — item rows
    never carry ¥ — and a masked tax "***" beside its ¥ amount is 0.00. A positional reading, so it gets a
    lower confidence than a label-anchored one."""
    ends = [lb.box.y0 for lb in labels if lb.kind in {"words", "small"} and lb.box.y0 > table.top]
    bottom = min(ends) if ends else view.height
    small = {id(lb.box) for lb in labels if lb.kind == "small"}
    cands = [
        b
        for b in view.boxes
        if id(b) not in small
        and table.top < b.cy < bottom
        and ((b.flat.startswith("¥") and parse_money(b.text) is not None) or is_masked(b.text))
    ]
    values: dict[str, Found] = {}
    for b in sorted(cands, key=lambda b: -b.cy):  # nearest to 价税合计 first
        col = table.money_column_of(b)
        if col is not None:
            key = "total_amount" if col.kind == "amount" else "total_tax"
            if is_masked(b.text) and (key == "total_amount" or not _beside_total(b, cands, table)):
                continue  # a masked item tax; only the 合计 row's masked tax, beside its ¥ amount, is the total
            if key not in values:
                found = _money_found(b)
                found.confidence = 0.95
                values[key] = found
    return values


def _total_row_by_position(view: PageView, labels: list[Label]) -> dict[str, Found]:
    """No table header read (a 130 dpi photo: 半位, 个额, 统车) and no 合计 label: the 合计 row is still the
    line right above 价税合计 holding ¥ figures (item rows never carry ¥), and every layout prints 合计金额
    left of 合计税额. Taken only as two figures, the tax the smaller (no rate exceeds 17 %), for a person
    to confirm (``UNSURE``) — unless 价税合计 confirms them (``_corroborate``)."""
    words = [lb.box for lb in labels if lb.kind in {"words", "small"}]
    if not words:
        return {}
    bottom = min(b.y0 for b in words)
    small = {id(lb.box) for lb in labels if lb.kind == "small"}
    figures = [
        b
        for b in view.boxes
        if id(b) not in small
        and bottom - 4 * view.line_h < b.cy < bottom
        and b.flat.startswith("¥")
        and parse_money(b.text) is not None
    ]
    if not figures:
        return {}
    lowest = max(figures, key=lambda b: b.cy)
    row = sorted((b for b in figures if view.same_line(b, lowest)), key=lambda b: b.x0)
    if len(row) != 2:
        return {}
    amount, tax = (_money_found(b) for b in row)
    if abs(tax.value) > abs(amount.value):
        return {}
    amount.confidence = tax.confidence = UNSURE
    return {"total_amount": amount, "total_tax": tax}


def _beside_total(b: Box, cands: list[Box], table: Table) -> bool:
    """A ¥ amount in the 金额 column on the same line as ``b``."""
    for o in cands:
        if o is b or not o.flat.startswith("¥") or abs(o.cy - b.cy) >= max(b.h, o.h) * 0.6:
            continue
        col = table.money_column_of(o)
        if col is not None and col.kind == "amount":
            return True
    return False


def _money_found(b: Box) -> Found:
    if is_masked(b.text):
        return Found(Decimal("0.00"), [b], b.text, UNSURE)
    return Found(parse_money(b.text), [b], b.text)


def _words(view: PageView, label: Label, stop: set[int]) -> Found | None:
    candidates = ([label.box] if label.inline else []) + view.right_of(label.box, stop, max_gap=view.width * 0.3)
    for b in candidates:
        raw = label.inline if b is label.box else b.src.text
        if len(_WORDS_CHARS.findall(raw)) >= 2:
            raw = _SMALL_INSIDE.split(raw)[0]  # the (小写) figures read into the same box
            words = _WORDS_NOISE.sub("", raw)
            value = safe_parse_words(words)
            return Found(words, [b], raw, 1.0 if value is not None else 0.6)
    return None


def footer_fields(view: PageView, labels: list[Label], stop: set[int]) -> dict[str, Found]:
    out: dict[str, Found] = {}
    for kind in ("drawer", "payee", "reviewer"):
        for label in (lb for lb in labels if lb.kind == kind):
            found = labelled_value(view, label, stop, _person)
            if found:
                out.setdefault(kind, found)
    for label in (lb for lb in labels if lb.kind == "remarks"):
        found = _remarks(view, label, stop)
        if found:
            out["remarks"] = found
            break
    return out


_PERSON_END = re.compile(r"[;；]|收款人|复核人?|开票人")


def _person(text: str) -> tuple[str, str] | None:
    """A name after 开票人 / 收款人 / 复核: not the colon printed as a box of its own, and only up to a ';'
    or the next such label when the 备注 lists them all in one line ("李某;    复核人:周某;")."""
    value = _PERSON_END.split(text.strip().lstrip(":：∶ "))[0].strip()
    return (value, value) if value else None


def _remarks(view: PageView, label: Label, stop: set[int]) -> Found | None:
    top = label.box.y0 - view.line_h
    bottom = label.box.y1 + view.line_h
    boxes = [b for b in view.boxes if id(b) not in stop and b.x0 >= label.box.x1 - 1 and top <= b.cy <= bottom]
    parts = [label.inline] if label.inline else []
    lines = view.lines(boxes)
    parts += ["".join(b.src.text.strip() for b in line) for line in lines]
    text = "".join(p for p in parts if p).strip()
    if not text:
        return None
    return Found(text, [b for line in lines for b in line] or [label.box], text, UNSURE)
