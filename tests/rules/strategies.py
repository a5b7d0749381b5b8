"""Hypothesis strategies: valid, consistent invoices of every type (with their provenance, words, an
optional QR and an optional party master), and single corruptions of a key field as OCR would make them.

All tax IDs here are synthetic: random bodies with correct check characters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from fapiao.core.models import (
    DIGITAL_TYPES,
    KEY_FIELDS,
    TYPE_CODES,
    ExtractionResult,
    FieldSource,
    FieldValue,
    Invoice,
    InvoiceType,
    LineItem,
    QrPayload,
)
from fapiao.intake.amount_words import to_words
from fapiao.intake.qr_payload import parse_qr_payload
from fapiao.intake.rules.check_code import HAS_CHECK_CODE
from fapiao.intake.rules.context import KnownNames
from fapiao.intake.rules.rates import rate_in_force
from fapiao.intake.rules.regions import INVOICE_REGIONS, PROVINCES
from fapiao.intake.rules.required import required_fields
from fapiao.intake.rules.tax_ids import USCC_ALPHABET, org_code_check_char, resident_check_char, uscc_check_char
from fapiao.intake.verify import VerifyOptions

TODAY = dt.date(2025, 7, 1)
CENT = Decimal("0.01")
ILLEGAL_USCC = "IOSVZ"
QR_TYPES = {
    InvoiceType.special,
    InvoiceType.normal,
    InvoiceType.e_special,
    InvoiceType.e_normal,
    InvoiceType.roll,
    InvoiceType.toll,
    InvoiceType.digital_special,
    InvoiceType.digital_normal,
}
TITLES = {
    InvoiceType.special: "{r}增值税专用发票",
    InvoiceType.normal: "{r}增值税普通发票",
    InvoiceType.e_special: "{r}增值税电子专用发票",
    InvoiceType.e_normal: "{r}增值税电子普通发票",
    InvoiceType.roll: "{r}增值税普通发票（卷票）",
    InvoiceType.toll: "{r}增值税电子普通发票（通行费）",
    InvoiceType.digital_special: "电子发票（增值税专用发票）",
    InvoiceType.digital_normal: "电子发票（普通发票）",
    InvoiceType.motor_vehicle: "机动车销售统一发票",
    InvoiceType.used_car: "二手车销售统一发票",
}
SUFFIX_12 = {
    InvoiceType.normal: ("04", "05"),
    InvoiceType.e_special: ("13",),
    InvoiceType.e_normal: ("11",),
    InvoiceType.roll: ("06", "07"),
    InvoiceType.toll: ("12",),
    InvoiceType.used_car: ("17",),
}
NAME_CHARS = "上海北京深圳广州某信息科技贸易餐饮管理有限公司集团股份实业发展服务中心"
"""Characters a misread company name is made of (OCR confuses a character with another real one)."""
RATES = ("13%", "9%", "6%", "3%", "1%", "0%", "5%", "1.5%", "免税", "不征税")


def digits(n: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=n, max_size=n)


# ---------------------------------------------------------------- tax IDs


@st.composite
def usccs(draw) -> str:
    head = draw(st.sampled_from(["91", "92", "93", "12", "52", "11", "51", "Y1", "N2", "31"]))
    region = draw(st.sampled_from(sorted(PROVINCES))) + draw(digits(4))
    body = draw(st.text(USCC_ALPHABET, min_size=8, max_size=8))
    first17 = head + region + body + org_code_check_char(body)
    return first17 + uscc_check_char(first17)


@st.composite
def resident_ids(draw) -> str:
    region = draw(st.sampled_from(sorted(PROVINCES))) + draw(digits(4))
    born = draw(st.dates(dt.date(1940, 1, 1), dt.date(2005, 12, 31)))
    first17 = region + born.strftime("%Y%m%d") + draw(digits(3))
    return first17 + resident_check_char(first17)


# ---------------------------------------------------------------- invoices


def company_names() -> st.SearchStrategy[str]:
    return st.builds(
        lambda city, body, form: city + body + form,
        st.sampled_from(["上海", "北京", "深圳", "广州", ""]),
        st.text(NAME_CHARS[10:26], min_size=2, max_size=8),
        st.sampled_from(["有限公司", "股份有限公司", "集团有限公司", "服务中心"]),
    )


@dataclass(frozen=True)
class Case:
    """A generated invoice as the verifier receives it, with the options to verify it under."""

    result: ExtractionResult
    options: VerifyOptions
    known: frozenset[str] = frozenset()
    """The tax IDs whose printed name the party master confirms (known, and no other name close to it)."""

    @property
    def invoice(self) -> Invoice:
        assert self.result.invoice is not None
        return self.result.invoice


def cents(v: Decimal) -> Decimal:
    return v.quantize(CENT, rounding=ROUND_HALF_UP)


def _rate_value(rate: str) -> Decimal | None:
    return None if rate in ("免税", "不征税") else Decimal(rate.rstrip("%")) / 100


@st.composite
def line_items(draw, red: bool, issue: dt.date) -> list[LineItem]:
    items: list[LineItem] = []
    for _ in range(draw(st.integers(1, 4))):
        rate = draw(
            st.sampled_from([r for r in RATES if _rate_value(r) is None or rate_in_force(_rate_value(r), issue)])
        )
        amount = Decimal(draw(st.integers(1, 9_999_999))) / 100
        items.append(_line(draw, amount, rate))
        if not red and amount > 1 and draw(st.integers(0, 5)) == 0:  # a discount line (折扣行)
            items.append(_line(draw, -Decimal(draw(st.integers(1, int(amount * 100)))) / 100, rate, name="折扣"))
    if red:
        items = [
            it.model_copy(
                update={
                    "amount": -it.amount,
                    "tax": None if it.tax is None else -it.tax,
                    "quantity": None if it.quantity is None else -it.quantity,
                }
            )
            for it in items
        ]
    return items


def _line(draw, amount: Decimal, rate: str, name: str = "") -> LineItem:
    value = _rate_value(rate)
    if value is None:
        tax = None
    elif value == Decimal("0.015") and draw(st.booleans()):
        tax = cents(amount / Decimal("1.035") * value)
    else:
        tax = cents(amount * value)
    quantity = price = None
    if amount > 0 and draw(st.booleans()):
        quantity = Decimal(draw(st.integers(1, 200)))
        price = (amount / quantity).quantize(Decimal("0.00000001"))
    return LineItem(
        name=name or draw(st.sampled_from(["*信息技术服务*软件服务费", "*餐饮服务*餐费", "*办公用品*纸", "通行费"])),
        quantity=quantity,
        unit_price=price,
        amount=amount,
        tax_rate=rate,
        tax=tax,
    )


def _code(draw, kind: InvoiceType, region: str, issue: dt.date) -> str | None:
    if kind in DIGITAL_TYPES:
        return None
    yy = f"{draw(st.integers(min(12, issue.year % 100), issue.year % 100)):02d}"
    if kind is InvoiceType.special or (kind is InvoiceType.normal and draw(st.booleans())):
        kind_digit = draw(st.sampled_from("15" if kind is InvoiceType.special else "36"))
        return region + yy + draw(digits(1)) + kind_digit + draw(digits(2))
    if kind is InvoiceType.motor_vehicle:
        return draw(st.sampled_from("123456789")) + region + yy + "2" + draw(digits(4))
    return "0" + region + yy + draw(digits(3)) + draw(st.sampled_from(SUFFIX_12[kind]))


def _number(draw, kind: InvoiceType, issue: dt.date) -> str:
    if kind in DIGITAL_TYPES:
        return f"{issue.year % 100:02d}" + draw(st.sampled_from(sorted(PROVINCES))) + draw(digits(1)) + draw(digits(15))
    number = draw(digits(8))
    return "00000001" if number == "00000000" else number


def _qr(invoice: Invoice, short_amount: bool) -> QrPayload:
    qr_type = "20" if invoice.invoice_type is InvoiceType.e_special else invoice.type_code
    amount = invoice.amount_with_tax if invoice.invoice_type in DIGITAL_TYPES else invoice.total_amount
    text = f"{amount:.2f}"
    if short_amount and "." in text:
        text = text.rstrip("0").rstrip(".")
    parts = [
        "01",
        qr_type,
        invoice.invoice_code or "",
        invoice.invoice_number,
        text,
        invoice.issue_date.strftime("%Y%m%d"),
        invoice.check_code or "",
        "1DD6",
    ]
    payload = parse_qr_payload(",".join(parts) + ("," if short_amount else ""))
    assert payload is not None
    return payload


@st.composite
def cases(draw, kinds: tuple[InvoiceType, ...] = tuple(TITLES), with_qr: bool | None = None) -> Case:
    kind = draw(st.sampled_from(kinds))
    issue = draw(st.dates(dt.date(2019, 4, 1), TODAY))
    region = draw(st.sampled_from(sorted(INVOICE_REGIONS)))
    red = draw(st.integers(0, 7)) == 0
    items = draw(line_items(red, issue))
    total_amount = sum((i.amount for i in items), Decimal(0))
    total_tax = sum((i.tax or Decimal(0) for i in items), Decimal(0))
    code = _code(draw, kind, region, issue)
    person_buyer = kind not in {InvoiceType.special, InvoiceType.e_special, InvoiceType.digital_special} and draw(
        st.booleans()
    )
    buyer_id = None if person_buyer else draw(usccs())
    seller_id = draw(st.one_of(usccs(), resident_ids()))
    assume(seller_id != buyer_id)
    title = TITLES[kind].format(r=INVOICE_REGIONS[region]) if draw(st.booleans()) else None
    invoice = Invoice(
        invoice_type=kind,
        type_code=TYPE_CODES[kind],
        title=title,
        invoice_code=code,
        invoice_number=_number(draw, kind, issue),
        issue_date=issue,
        check_code=draw(digits(20)) if kind in HAS_CHECK_CODE else None,
        buyer_name="个人" if person_buyer else draw(company_names()),
        buyer_tax_id=buyer_id,
        seller_name=draw(company_names()),
        seller_tax_id=seller_id,
        total_amount=total_amount,
        total_tax=total_tax,
        amount_with_tax=total_amount + total_tax,
        amount_in_words=to_words(total_amount + total_tax),
        items=items,
        remarks="对应正数发票代码:011001900111号码:12345678" if red else None,
        is_red_letter=red,
    )
    qr_wanted = draw(st.booleans()) if with_qr is None else with_qr
    qr = _qr(invoice, draw(st.booleans())) if qr_wanted and kind in QR_TYPES else None
    source = draw(st.sampled_from([FieldSource.ocr, FieldSource.text_layer]))
    fields = {
        name: FieldValue(value=getattr(invoice, name), confidence=0.99, source=source)
        for name in (*KEY_FIELDS, "amount_in_words", "title")
        if getattr(invoice, name) is not None
    }
    own = frozenset({buyer_id}) if buyer_id and draw(st.booleans()) else frozenset()
    result = ExtractionResult(source="generated", page=1, invoice=invoice, fields=fields, qr=qr)
    master, known = draw(party_masters(invoice))
    parties = KnownNames(master) if master or draw(st.booleans()) else None
    return Case(result, VerifyOptions(own_tax_ids=own, today=TODAY, parties=parties), known)


@st.composite
def party_masters(draw, invoice: Invoice) -> tuple[dict[str, list[str]], frozenset[str]]:
    """What the company's records may know of this invoice's parties — nothing, the name as printed, other
    names of the same ID (a variant, a branch, another company's), a name one character away — and which IDs
    that confirms: the printed name known, and no other known name a misreading (two characters) away."""
    master: dict[str, list[str]] = {}
    confirmed: set[str] = set()
    for tid, name in ((invoice.seller_tax_id, invoice.seller_name), (invoice.buyer_tax_id, invoice.buyer_name)):
        if not tid or draw(st.integers(0, 3)) == 0:
            continue
        names = [name] if draw(st.integers(0, 4)) else []
        close = False
        if draw(st.integers(0, 3)) == 0:
            other = draw(
                st.sampled_from(["某某控股集团有限公司", name + "第一分公司", name.replace("有限公司", "股份有限公司")])
            )
            names.append(other)
            close = other != name and other.replace("股份", "", 1) == name  # two characters inserted
        if draw(st.integers(0, 5)) == 0:
            names.append(_substitute(draw, name, NAME_CHARS))
            close = True
        master[tid] = names
        if name in names and not close:
            confirmed.add(tid)
    return master, frozenset(confirmed)


# ---------------------------------------------------------------- corruptions


@dataclass(frozen=True)
class Corruption:
    field: str
    how: str
    value: Any


def corruptible_fields(case: Case) -> list[str]:
    """OCR misreads any key field. A text layer is the document itself (it is not misread), so there only
    the fields with redundancy are damaged, as a forged or badly generated file would be."""
    if case.result.fields["invoice_number"].source is FieldSource.ocr:
        return [n for n in required_fields(case.invoice) if getattr(case.invoice, n) not in (None, "")]
    return checkable_fields(case)


def checkable_fields(case: Case) -> list[str]:
    """Key fields with redundancy (a check character, the arithmetic and words, or the QR)."""
    inv = case.invoice
    out = ["total_amount", "total_tax", "amount_with_tax"]
    out += [n for n in ("buyer_tax_id", "seller_tax_id") if getattr(inv, n) and len(getattr(inv, n)) == 18]
    qr = case.result.qr
    if qr is not None:
        out += [
            n
            for n in ("invoice_code", "invoice_number", "issue_date", "check_code")
            if getattr(qr, n) and getattr(inv, n)
        ]
    return out


def _substitute(draw, text: str, alphabet: str) -> str:
    i = draw(st.integers(0, len(text) - 1))
    c = draw(st.sampled_from(sorted(set(alphabet) - {text[i]})))
    return text[:i] + c + text[i + 1 :]


def _swap(draw, text: str) -> str | None:
    spots = [i for i in range(len(text) - 1) if text[i] != text[i + 1] and text[i].isalnum() and text[i + 1].isalnum()]
    if not spots:
        return None
    i = draw(st.sampled_from(spots))
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


@st.composite
def corruptions(draw, case: Case, only: tuple[str, ...] | None = None) -> Corruption | None:
    """One misreading of one key field (of ``only``'s fields, when given: None if the case has none)."""
    names = [n for n in corruptible_fields(case) if only is None or n in only]
    if not names:
        return None
    name = draw(st.sampled_from(names))
    value = getattr(case.invoice, name)
    how = draw(
        st.sampled_from(["substitute", "swap", "drop_point"] if isinstance(value, Decimal) else ["substitute", "swap"])
    )
    if isinstance(value, Decimal):
        text = f"{value:.2f}"
        if how == "drop_point":
            new_text = text.replace(".", "")
        elif how == "swap":
            new_text = _swap(draw, text)
        else:
            sign = "-" if text.startswith("-") else ""
            new_text = sign + _substitute(draw, text.lstrip("-").replace(".", ""), "0123456789")
            new_text = new_text[:-2] + "." + new_text[-2:]
        if new_text is None:
            return None
        new: Any = Decimal(new_text)
    elif isinstance(value, dt.date):
        text = value.strftime("%Y%m%d")
        new_text = _substitute(draw, text, "0123456789") if how == "substitute" else _swap(draw, text)
        try:
            new = dt.datetime.strptime(new_text or "", "%Y%m%d").date()
        except ValueError:
            return None
    elif name.endswith("_name"):
        new = _substitute(draw, value, NAME_CHARS) if how == "substitute" else _swap(draw, value)
    else:
        alphabet = USCC_ALPHABET + ILLEGAL_USCC if name.endswith("tax_id") else "0123456789"
        new = _substitute(draw, value, alphabet) if how == "substitute" else _swap(draw, value)
    if new is None or new == value:
        return None
    return Corruption(name, how, new)


def corrupt(case: Case, c: Corruption) -> Case:
    invoice = case.invoice.model_copy(update={c.field: c.value})
    fields = dict(case.result.fields)
    fields[c.field] = fields[c.field].model_copy(update={"value": c.value})
    return Case(case.result.model_copy(update={"invoice": invoice, "fields": fields}), case.options, case.known)
