"""A key field read by OCR is only as good as the recogniser, unless something else on the invoice or in the
company's records says the same. This rule names the OCR'd key fields that nothing confirms, as a warning, so
that they go to a person however confident the recogniser was.

What confirms an OCR value (under the assumption that at most one field is misread):
- the three totals: each other (金额 + 税额 = 价税合计 exactly; the arithmetic rules report any disagreement);
- an 18-character tax ID: its check character (GB 32100 / GB 11643 catch every single wrong character and
  every swap of two neighbours);
- code, number, date and check code: the QR code stating the same value (a check code's tail is not enough);
- a name, and a tax ID without a check character: the party master knowing that ID under that name, and
  under no other name so close that a misreading could have turned one into the other.
Values from a text layer, XML or the QR are the document's own, values a rule settled (`corrected`) and a
person's (`reviewer`) are not OCR readings, so they need nothing more.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from rapidfuzz.distance import Levenshtein

from fapiao.core.labels import field_label
from fapiao.core.models import FieldSource, Finding, Invoice
from fapiao.intake.rules.base import WARNING, finding
from fapiao.intake.rules.context import RuleContext
from fapiao.intake.rules.qr_face import agrees, qr_values
from fapiao.intake.rules.required import required_fields
from fapiao.intake.rules.tax_ids import tax_id_ok

TOTALS = frozenset({"total_amount", "total_tax", "amount_with_tax"})
NAME_OF_ID = {"buyer_tax_id": "buyer_name", "seller_tax_id": "seller_name"}
ID_OF_NAME = {v: k for k, v in NAME_OF_ID.items()}


def name_key(name: str | None) -> str:
    """Names compared as printed: full/half width and spacing do not count, every character does."""
    return "".join(unicodedata.normalize("NFKC", name or "").split())


def name_edits_allowed(length: int) -> int:
    """How many wrong characters a misread company name may have and still be recognised (as in search)."""
    return 2 if length >= 6 else 1 if length >= 4 else 0


def near_names(keys: Iterable[str], key: str) -> list[str]:
    """The name keys within a misreading of ``key`` (``key`` itself included when present)."""
    limit = name_edits_allowed(len(key))
    return [k for k in keys if Levenshtein.distance(k, key, score_cutoff=limit + 1) <= limit]


def party_knows(ctx: RuleContext, tax_id: str | None, name: str | None) -> bool:
    """The party master has this tax ID under this name, and under no other name a misreading away from it."""
    if ctx.parties is None or not tax_id or not name:
        return False
    key = name_key(name)
    return near_names({name_key(n) for n in ctx.parties(tax_id)}, key) == [key]


def _qr_states(name: str, value: object, invoice: Invoice, ctx: RuleContext) -> bool:
    if ctx.qr is None:
        return False
    stated = qr_values(ctx.qr, invoice)
    if name not in stated:
        return False
    whole = name != "check_code" or len(str(stated[name])) == len(str(value))
    return whole and agrees(name, value, stated[name])


def confirmed(name: str, invoice: Invoice, ctx: RuleContext) -> bool:
    """Whether something besides the recogniser vouches for this key field's value."""
    value = getattr(invoice, name)
    if name in TOTALS:
        return all(getattr(invoice, t) is not None for t in TOTALS)
    if name in NAME_OF_ID:
        if len(value) == 18 and tax_id_ok(value):
            return True
        return party_knows(ctx, value, getattr(invoice, NAME_OF_ID[name]))
    if name in ID_OF_NAME:
        return party_knows(ctx, getattr(invoice, ID_OF_NAME[name]), value)
    return _qr_states(name, value, invoice, ctx)


def unconfirmed_ocr_fields(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    names = []
    for name in required_fields(invoice):
        fv = ctx.source_of(name)
        if getattr(invoice, name) in (None, "") or fv is None or fv.source is not FieldSource.ocr:
            continue
        if not confirmed(name, invoice, ctx):
            names.append(name)
    if not names:
        return []
    shown_en = ", ".join(field_label(n, "en") for n in names)
    shown_zh = "、".join(field_label(n, "zh") for n in names)
    return [
        finding(
            "ocr.unconfirmed",
            WARNING,
            tuple(names),
            f"Read by OCR with nothing on the invoice or in the records to confirm it ({shown_en}): no QR code "
            "states it, it has no check character, or the party master does not know it; compare it with the image",
            f"以下字段由 OCR 识别，票面与台账均无可核对的依据（{shown_zh}）：二维码未包含、无校验位或往来单位库中没有，"
            "请对照原件确认",
        )
    ]


def close_known_names(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    """An OCR'd name the party master does not know, for an ID it knows under a name a misreading away: show
    that name. Not applied: the records may be the ones out of date (a rename), and only the image can tell."""
    if ctx.parties is None:
        return []
    out = []
    for id_field, name_field in NAME_OF_ID.items():
        tid, read = getattr(invoice, id_field), getattr(invoice, name_field)
        fv = ctx.source_of(name_field)
        if not tid or not read or fv is None or fv.source is not FieldSource.ocr:
            continue
        known = {name_key(n): n for n in ctx.parties(tid)}
        key = name_key(read)
        close = [known[k] for k in near_names(known, key) if k != key]
        if key in known or not close:
            continue
        shown = "、".join(sorted(close))
        out.append(
            finding(
                "party.close_name",
                WARNING,
                (name_field,),
                f"{field_label(name_field, 'en')} was read as {read}; the records know {tid} as {shown}. "
                "If the image shows "
                "that name, correct the field; if the company has been renamed, keep the reading",
                f"{field_label(name_field, 'zh')}识别为 {read}；台账中 {tid} 的名称为 {shown}。如票面即为该名称请更正；"
                "如单位已更名请保留识别结果",
            )
        )
    return out


RULES = (unconfirmed_ocr_fields, close_known_names)
CODES = ("ocr.unconfirmed", "party.close_name")
