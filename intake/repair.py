"""Rule-driven repair: change a field only when the rules settle its value uniquely.

- An OCR value the QR code states identically is confirmed (confidence ``QR_CONFIRMED``).
- The QR code overrules the face (source ``qr``; a ``qr.mismatch`` finding records each override: a warning
  when the face came from a text layer or XML — a digital document that disagrees with its own QR is
  suspicious — and info when it came from OCR, which misreads).
- A total (合计金额, 合计税额, 价税合计) read by OCR is replaced when exactly one value, implied by the other
  totals, the lines, the amount in words or the QR, makes every totals rule pass (a dropped decimal point, a
  misread digit). One candidate only: with two, the field stays flagged.
- A total read by OCR that two other readings state exactly is confirmed (confidence ``CERTAIN_CONFIDENCE``).
- A total OCR left unread, the other two read, is filled when two independent readings (the other totals,
  the lines) state the same value.
- A tax ID read by OCR that fails its check: when exactly one character is illegal (I, O, S, V, Z …) its
  position is certain and the check character settles its value; otherwise a unique OCR-confusable swap
  (B/8, O/0 …) is only a guess — applied for the reviewer's convenience, but with a warning, because a wrong
  character elsewhere can produce the same picture.
Names are never repaired from the party master: a name one character away from the master's may be a
misreading or a rename the records have not caught up with, and nothing on the invoice tells which
(``fapiao.ocr.unconfirmed`` and ``party.close_name`` put the choice in front of a person).
Values from a text layer or XML are exact, so only the QR may overrule them. Every change keeps the
original in ``FieldValue.original`` and names the deciding rule in ``FieldValue.rule``.
"""

from __future__ import annotations

import itertools
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fapiao.core.labels import field_label, rule_label
from fapiao.core.models import (
    TYPE_CODES,
    FieldSource,
    FieldValue,
    Finding,
    Invoice,
    InvoiceType,
    Severity,
)
from fapiao.intake.amount_words import safe_parse_words
from fapiao.intake.extract.kind import qr_kind
from fapiao.intake.rules import TOTALS_RULES, RuleContext, run_rules
from fapiao.intake.rules.arithmetic import line_tax
from fapiao.intake.rules.base import finding, money
from fapiao.intake.rules.codes import type_from_code
from fapiao.intake.rules.qr_face import agrees, qr_amount_field, qr_values
from fapiao.intake.rules.tax_ids import USCC_ALPHABET, looks_like_resident_id, tax_id_ok

CERTAIN_CONFIDENCE = 0.95
"""A value the rules determine uniquely under the single-misread assumption."""
QR_CONFIRMED = 0.99
"""An OCR value that the decoded QR code states identically."""
GUESS_CONFIDENCE = 0.85
"""A value that is the only OCR-confusable fix but could be wrong: below the default threshold."""

TOTALS = ("total_amount", "total_tax", "amount_with_tax")
TAX_ID_FIELDS = ("buyer_tax_id", "seller_tax_id")
CONFUSABLE: dict[str, str] = {
    "0": "ODQ",
    "O": "0DQ",
    "D": "0O",
    "Q": "0O",
    "1": "ILT7J",
    "I": "1LT",
    "L": "1I",
    "T": "1I7",
    "7": "1T",
    "J": "1",
    "2": "Z",
    "Z": "2",
    "5": "S",
    "S": "5",
    "6": "G",
    "G": "6",
    "8": "B3",
    "B": "8",
    "3": "8",
    "4": "A",
    "A": "4",
    "U": "VY",
    "V": "UY",
    "Y": "VU",
}
"""Characters OCR engines mistake for one another in printed tax IDs."""
_QR_OVERRIDABLE = {FieldSource.ocr, FieldSource.text_layer, FieldSource.xml, FieldSource.corrected, None}
_FACE_IS_EXACT = {FieldSource.text_layer, FieldSource.xml, None}


@dataclass
class Repaired:
    invoice: Invoice
    fields: dict[str, FieldValue]
    findings: list[Finding] = field(default_factory=list)


def repair(invoice: Invoice, fields: dict[str, FieldValue], ctx: RuleContext) -> Repaired:
    """Apply every repair the rules settle; returns new objects, never touches the inputs."""
    state = Repaired(invoice=invoice, fields=dict(fields))
    _type_from_code(state)
    if ctx.qr is not None:
        _qr_override(state, ctx)
    _repair_totals(state, ctx)
    _fill_total(state, ctx)
    _confirm_totals(state, ctx)
    _repair_tax_ids(state, ctx)
    return state


# ---------------------------------------------------------------- helpers


def _set(state: Repaired, name: str, value: Any, *, source: FieldSource, confidence: float, rule: str) -> None:
    old = getattr(state.invoice, name)
    state.invoice = state.invoice.model_copy(update={name: value})
    fv = state.fields.get(name)
    original = fv.original if fv is not None and fv.original is not None else old
    if fv is None:
        state.fields[name] = FieldValue(value=value, confidence=confidence, source=source, original=original, rule=rule)
    else:
        state.fields[name] = fv.model_copy(
            update={"value": value, "confidence": confidence, "source": source, "original": original, "rule": rule}
        )


def _source(state: Repaired, name: str) -> FieldSource | None:
    fv = state.fields.get(name)
    return fv.source if fv is not None else None


def _ocr(state: Repaired, name: str) -> bool:
    return _source(state, name) is FieldSource.ocr


def _red_flag(invoice: Invoice) -> Invoice:
    red = any(v is not None and v < 0 for v in (invoice.total_amount, invoice.amount_with_tax)) or "负数" in (
        invoice.amount_in_words or ""
    )
    return invoice if red == invoice.is_red_letter else invoice.model_copy(update={"is_red_letter": red})


def _type_from_code(state: Repaired) -> None:
    """An invoice whose title was not read still has a type when its code implies one."""
    if state.invoice.invoice_type is not InvoiceType.unknown:
        return
    kind = type_from_code(state.invoice.invoice_code)
    if kind is not None:
        state.invoice = state.invoice.model_copy(update={"invoice_type": kind, "type_code": TYPE_CODES[kind]})


# ---------------------------------------------------------------- QR over face


def _qr_override(state: Repaired, ctx: RuleContext) -> None:
    qr = ctx.qr
    qr_type = qr_kind(qr.type_code, state.invoice.invoice_code)
    if qr_type is not None and qr_type is not state.invoice.invoice_type:
        old = state.invoice.invoice_type
        state.invoice = state.invoice.model_copy(update={"invoice_type": qr_type, "type_code": TYPE_CODES[qr_type]})
        if old is not InvoiceType.unknown:
            exact = _source(state, "title") in _FACE_IS_EXACT
            state.findings.append(_mismatch("invoice_type", old.value, qr_type.value, exact))
    values = qr_values(qr, state.invoice)
    if _other_invoice(state, values):
        return
    for name, value in values.items():
        face = getattr(state.invoice, name)
        if face is not None and agrees(name, face, value):
            _qr_confirms(state, name, face == value)
            continue
        source = _source(state, name)
        if source not in _QR_OVERRIDABLE:
            continue  # a reviewer's value stands; qr.disagree keeps it in front of them
        _set(state, name, value, source=FieldSource.qr, confidence=1.0, rule="qr.disagree")
        if face is not None:
            state.findings.append(_mismatch(name, face, value, source in _FACE_IS_EXACT))
    state.invoice = _red_flag(state.invoice)


_IDENTITY = ("invoice_code", "invoice_number", "issue_date")


def _other_invoice(state: Repaired, values: dict[str, Any]) -> bool:
    """A QR that names another invoice — two or more of code, number and date differ from exact text (a
    sample document carrying a real invoice's QR, a QR pasted from elsewhere) — is not a reading of this
    one: nothing is taken from it, and the document goes to a person."""
    differing = [
        name
        for name in _IDENTITY
        if name in values
        and getattr(state.invoice, name) is not None
        and _source(state, name) in _FACE_IS_EXACT
        and not agrees(name, getattr(state.invoice, name), values[name])
    ]
    if len(differing) < 2:
        return False
    pairs = [(n, _show(getattr(state.invoice, n)), _show(values[n])) for n in differing]
    shown_en = ", ".join(f"{field_label(n, 'en')} {a} / {b}" for n, a, b in pairs)
    shown_zh = "，".join(f"{field_label(n, 'zh')} {a} / {b}" for n, a, b in pairs)
    state.findings.append(
        finding(
            "qr.other_invoice",
            Severity.error,
            tuple(differing),
            f"The QR code names another invoice ({shown_en}: document text / QR); nothing was taken from it — "
            "check that this is the original document",
            f"二维码对应另一张发票（{shown_zh}：文档文字 / 二维码），未采用二维码内容，请核实是否为原始文件",
        )
    )
    return True


def _qr_confirms(state: Repaired, name: str, whole: bool) -> None:
    """An OCR value the QR code states too is read twice, by independent means: the recogniser's doubt about
    one of its characters no longer matters. (A check code the QR gives only the tail of is not confirmed.)"""
    fv = state.fields.get(name)
    if whole and fv is not None and fv.source is FieldSource.ocr and fv.confidence < QR_CONFIRMED:
        state.fields[name] = fv.model_copy(update={"confidence": QR_CONFIRMED})


def _mismatch(name: str, face: Any, qr_value: Any, exact: bool) -> Finding:
    face_s, qr_s = _show(face), _show(qr_value)
    en, zh = field_label(name, "en"), field_label(name, "zh")
    if exact:
        return finding(
            "qr.mismatch",
            Severity.warning,
            (name,),
            f"{en}: the document's own text says {face_s} but its QR code says {qr_s}; the QR value is "
            "used — a digital invoice that disagrees with its QR may have been altered, check it",
            f"{zh}：文档文字为 {face_s}，其二维码为 {qr_s}；已采用二维码值。"
            "电子发票与自身二维码不符，可能被篡改，请核查",
        )
    return finding(
        "qr.mismatch",
        Severity.info,
        (name,),
        f"{en}: OCR read {face_s}, the QR code says {qr_s}; the QR value is used",
        f"{zh}：识别结果为 {face_s}，二维码为 {qr_s}；已采用二维码值",
    )


def _show(v: Any) -> str:
    if isinstance(v, Decimal):
        return money(v)
    return v.isoformat() if hasattr(v, "isoformat") else str(v)


# ---------------------------------------------------------------- totals


def _totals_errors(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    return [
        f for f in run_rules(invoice, ctx, TOTALS_RULES) if f.severity is Severity.error and set(f.fields) & set(TOTALS)
    ]


def _other_readings(invoice: Invoice, name: str, ctx: RuleContext) -> list[Decimal | None]:
    """What the other totals, the lines, the words and the QR say one total is (None: not read)."""
    ta, tt, awt = invoice.total_amount, invoice.total_tax, invoice.amount_with_tax
    items = invoice.items if invoice.items and all(i.amount is not None for i in invoice.items) else []
    # the lines' sum alone (the other two totals unread) is no evidence: OCR'd lines may have lost or gained
    # a row (the 合计 row read as an item doubled one invoice's amount)
    if name == "total_amount":
        out = [
            awt - tt if awt is not None and tt is not None else None,
            sum((i.amount for i in items), Decimal(0)) if items and awt is not None and tt is not None else None,
        ]
    elif name == "total_tax":
        out = [
            awt - ta if awt is not None and ta is not None else None,
            sum((line_tax(i) for i in items), Decimal(0)) if items and awt is not None and ta is not None else None,
        ]
    else:
        out = [ta + tt if ta is not None and tt is not None else None, safe_parse_words(invoice.amount_in_words)]
    if ctx.qr is not None and ctx.qr.amount is not None and qr_amount_field(ctx.qr, invoice) == name:
        out.append(ctx.qr.amount)
    return out


def _implied(invoice: Invoice, name: str, ctx: RuleContext) -> set[Decimal]:
    """Values for one total, other than its own, that the other readings imply."""
    current = getattr(invoice, name)
    return {v for v in _other_readings(invoice, name, ctx) if v is not None and v != current}


def _witnesses(invoice: Invoice, name: str, ctx: RuleContext) -> int:
    """How many independent readings state this total's value."""
    current = getattr(invoice, name)
    return sum(v is not None and v == current for v in _other_readings(invoice, name, ctx))


def _confirm_totals(state: Repaired, ctx: RuleContext) -> None:
    """An OCR total that two other readings state exactly (金额 + 税额 = 价税合计 and the lines, the words or
    the QR) is read three times by independent means: the recogniser's doubt about a digit no longer matters,
    as with a value the QR states (``QR_CONFIRMED``). Nothing changes while any totals rule fails."""
    if _totals_errors(state.invoice, ctx) or any(getattr(state.invoice, t) is None for t in TOTALS):
        return
    for name in TOTALS:
        fv = state.fields.get(name)
        if (
            fv is not None
            and fv.source is FieldSource.ocr
            and fv.confidence < CERTAIN_CONFIDENCE
            and _witnesses(state.invoice, name, ctx) >= 2
        ):
            state.fields[name] = fv.model_copy(update={"confidence": CERTAIN_CONFIDENCE})


def _repair_totals(state: Repaired, ctx: RuleContext) -> None:
    errors = _totals_errors(state.invoice, ctx)
    if not errors:
        return
    passing: list[tuple[str, Decimal]] = []
    for name in TOTALS:
        if getattr(state.invoice, name) is None or not _ocr(state, name):
            continue
        for value in _implied(state.invoice, name, ctx):
            trial = _red_flag(state.invoice.model_copy(update={name: value}))
            if not _totals_errors(trial, ctx):
                passing.append((name, value))
    if len(passing) != 1:
        return
    name, value = passing[0]
    rule = next(f.code for f in errors if name in f.fields) if any(name in f.fields for f in errors) else errors[0].code
    old = getattr(state.invoice, name)
    said = finding(
        "repair.applied",
        Severity.info,
        (name,),
        f"{field_label(name, 'en')} was read as {money(old)}; the other totals settle it as {money(value)} "
        f"(rule: {rule_label(rule, 'en')})",
        f"{field_label(name, 'zh')}识别为 {money(old)}，按其他合计金额唯一确定为 {money(value)}"
        f"（依据：{rule_label(rule, 'zh')}）",
    )
    _settle_total(state, name, value, rule, said)


def _settle_total(state: Repaired, name: str, value: Decimal, rule: str, said: Finding) -> None:
    """Set a total the rules settled (``CERTAIN_CONFIDENCE``, the deciding ``rule``), re-derive the red-letter
    flag from the totals, and add the ``repair.applied`` finding that says so."""
    _set(state, name, value, source=FieldSource.corrected, confidence=CERTAIN_CONFIDENCE, rule=rule)
    state.invoice = _red_flag(state.invoice)
    state.findings.append(said)


def _fill_total(state: Repaired, ctx: RuleContext) -> None:
    """One total left unread by OCR (合计税额's small *** or ¥ figure not detected on a 150 dpi page) while
    the other two were read: filled when two independent readings state the same value — 价税合计 − 合计金额
    and the lines' taxes for 合计税额, 价税合计 − 合计税额 and the lines' amounts for 合计金额 — and every
    totals rule then passes. Two agreeing readings settle it as a repair does (``CERTAIN_CONFIDENCE``); one
    alone does not."""
    missing = [name for name in TOTALS if getattr(state.invoice, name) is None]
    if len(missing) != 1 or not any(_ocr(state, name) for name in TOTALS if name not in missing):
        return
    name = missing[0]
    readings = [v for v in _other_readings(state.invoice, name, ctx) if v is not None]
    if len(readings) < 2 or len(set(readings)) != 1:
        return
    value = readings[0]
    if _totals_errors(_red_flag(state.invoice.model_copy(update={name: value})), ctx):
        return
    said = finding(
        "repair.applied",
        Severity.info,
        (name,),
        f"{field_label(name, 'en')} was not read; the other totals and the lines settle it as {money(value)}",
        f"{field_label(name, 'zh')}未识别；按其他合计金额及明细唯一确定为 {money(value)}",
    )
    _settle_total(state, name, value, "totals.filled", said)


# ---------------------------------------------------------------- tax IDs


def _normalise_id(value: str) -> str:
    return unicodedata.normalize("NFKC", value).replace(" ", "").replace("-", "").upper()


def _single_swaps(value: str) -> set[str]:
    out = set()
    for i, c in enumerate(value):
        for r in CONFUSABLE.get(c, ""):
            out.add(value[:i] + r + value[i + 1 :])
    return out


def _passing_ids(candidates: set[str]) -> list[str]:
    return sorted(c for c in candidates if tax_id_ok(c))


def _repair_tax_ids(state: Repaired, ctx: RuleContext) -> None:
    own = {_normalise_id(v) for v in ctx.own_tax_ids if v}
    for name in TAX_ID_FIELDS:
        value = getattr(state.invoice, name)
        if not value or not _ocr(state, name) or tax_id_ok(value):
            continue
        norm = _normalise_id(value)
        if norm != value and tax_id_ok(norm):
            _apply_id(state, name, value, norm, certain=True, rule="tax_id.format")
            continue
        if len(norm) != 18:
            continue
        illegal = [i for i, c in enumerate(norm) if c not in USCC_ALPHABET]
        if len(illegal) == 1:
            i = illegal[0]
            found = _passing_ids({norm[:i] + c + norm[i + 1 :] for c in USCC_ALPHABET})
            if len(found) == 1:
                _apply_id(state, name, value, found[0], certain=True, rule="tax_id.format")
            continue
        if illegal:
            options = [CONFUSABLE.get(c, "") if i in illegal else c for i, c in enumerate(norm)]
            found = _passing_ids({"".join(p) for p in itertools.product(*options)}) if all(options) else []
        else:
            found = _passing_ids(_single_swaps(norm))
        mine = [c for c in found if name == "buyer_tax_id" and c in own]
        if len(mine) == 1:
            _apply_id(state, name, value, mine[0], certain=True, rule="parties.buyer_not_own")
        elif len(found) == 1:
            _apply_id(
                state,
                name,
                value,
                found[0],
                certain=False,
                rule="resident_id.checksum" if looks_like_resident_id(found[0]) else "uscc.checksum",
            )


def _apply_id(state: Repaired, name: str, old: str, new: str, *, certain: bool, rule: str) -> None:
    _set(
        state,
        name,
        new,
        source=FieldSource.corrected,
        confidence=CERTAIN_CONFIDENCE if certain else GUESS_CONFIDENCE,
        rule=rule,
    )
    if certain:
        state.findings.append(
            finding(
                "repair.applied",
                Severity.info,
                (name,),
                f"{field_label(name, 'en')} was read as {old}; its check character settles it as {new} "
                f"(rule: {rule_label(rule, 'en')})",
                f"{field_label(name, 'zh')}识别为 {old}，按校验位唯一确定为 {new}（依据：{rule_label(rule, 'zh')}）",
            )
        )
    else:
        state.findings.append(
            finding(
                "repair.guess",
                Severity.warning,
                (name,),
                f"{field_label(name, 'en')} was read as {old}, which fails its check; {new} is the only "
                "one-character OCR confusion that passes and has been filled in — confirm it against the document",
                f"{field_label(name, 'zh')}识别为 {old}，未通过校验；{new} 是唯一通过校验的易混字符更正，已填入，"
                "请对照票面确认",
            )
        )


REPAIR_CODES = frozenset({"qr.mismatch", "repair.applied", "repair.guess"})
