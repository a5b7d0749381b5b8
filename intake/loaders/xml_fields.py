"""Map structured invoice XML (数电 XML, the original_invoice.xml inside older OFDs) to invoice fields.

Element names differ between issuers and versions, so fields are found by local tag name from a table of
aliases, wherever they sit in the tree. Parsing goes through defusedxml: no external entities, no entity
expansion.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from fapiao.core.errors import CorruptDocument
from fapiao.core.messages import Message
from fapiao.core.models import FieldSource, FieldValue

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "invoice_code": ("InvoiceCode", "FpDm", "Fpdm"),
    "invoice_number": ("EIid", "InvoiceNumber", "InvoiceNo", "FpHm", "Fphm"),
    "issue_date": ("IssueTime", "IssueDate", "RequestTime", "Kprq", "IssuTime"),
    "check_code": ("InvoiceCheckCode", "CheckCode", "Jym"),
    "machine_number": ("MachineNo", "MachineNumber", "Jqbh"),
    "buyer_name": ("BuyerName", "GmfMc"),
    "buyer_tax_id": ("BuyerIdNum", "BuyerTaxID", "BuyerTaxId", "GmfNsrsbh"),
    "seller_name": ("SellerName", "XsfMc"),
    "seller_tax_id": ("SellerIdNum", "SellerTaxID", "SellerTaxId", "XsfNsrsbh"),
    "total_amount": ("TotalAmWithoutTax", "TaxExclusiveTotalAmount", "Hjje"),
    "total_tax": ("TotalTaxAm", "TaxTotalAmount", "Hjse"),
    "amount_with_tax": ("TotalTax-includedAmount", "TaxInclusiveTotalAmount", "Jshj"),
    "amount_in_words": ("TotalTax-includedAmountInChinese", "TaxInclusiveTotalAmountInChinese", "JshjDx"),
    "remarks": ("Remark", "Remarks", "Note", "Bz"),
    "drawer": ("Drawer", "InvoiceClerk", "Kpr"),
}
ITEM_CONTAINERS = ("IssuItemInformation", "GoodsInfo", "InvoiceLine", "Item")
ITEM_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("ItemName", "Item", "Name", "Spmc"),
    "spec": ("SpecMod", "Specification", "Ggxh"),
    "unit": ("MeaUnits", "MeasurementDimension", "Unit", "Dw"),
    "quantity": ("Quantity", "Sl"),
    "unit_price": ("UnPrice", "Price", "Dj"),
    "amount": ("Amount", "Je"),
    "tax_rate": ("TaxRate", "TaxScheme", "Slv"),
    "tax": ("ComTaxAm", "TaxAmount", "Se"),
}
MONEY_FIELDS = frozenset({"total_amount", "total_tax", "amount_with_tax"})
MAX_DIGITS = 16
"""Amounts, quantities and prices of 10¹⁶ or more are refused as unreadable (money is Numeric(18, 2))."""


def parse_xml(data: bytes, name: str) -> Element:
    try:
        return SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise CorruptDocument(
            Message.of("xml_entities", name=name, error=type(exc).__name__),
            hint="export the invoice XML again from the tax platform",
        ) from exc
    except (SafeET.ParseError, LookupError, ValueError) as exc:  # LookupError: an unknown declared encoding
        raise CorruptDocument(
            Message.of("xml_malformed", name=name, error=exc), hint="check that the file is complete"
        ) from exc


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def structured_fields(root: Element) -> tuple[dict[str, FieldValue], list[dict]]:
    """Fields and item rows found in ``root``; values are parsed (Decimal, date) where they must be."""
    index = _index(root)
    fields: dict[str, FieldValue] = {}
    for field, aliases in FIELD_ALIASES.items():
        raw = _first(index, aliases)
        if raw is None:
            continue
        value = convert_field(field, raw)
        if value is not None:
            fields[field] = FieldValue(value=value, confidence=1.0, source=FieldSource.xml, raw=raw)
    items = [_item(el) for el in root.iter() if local(el.tag) in ITEM_CONTAINERS and len(el)]
    return fields, [i for i in items if i.get("name") or i.get("amount") is not None]


def full_text(root: Element) -> str:
    return " ".join(t.strip() for t in root.itertext() if t.strip())


def _index(root: Element) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for el in root.iter():
        if el.text and el.text.strip() and not len(el):
            out.setdefault(local(el.tag).lower(), []).append(el.text.strip())
    return out


def _first(index: dict[str, list[str]], aliases: tuple[str, ...]) -> str | None:
    for alias in aliases:
        values = index.get(alias.lower())
        if values:
            return values[0]
    return None


def _item(el: Element) -> dict:
    children = {local(c.tag).lower(): (c.text or "").strip() for c in el.iter() if c is not el and not len(c)}
    row: dict = {}
    for field, aliases in ITEM_ALIASES.items():
        raw = next((children[a.lower()] for a in aliases if children.get(a.lower())), None)
        if raw is None:
            continue
        if field in {"quantity", "unit_price", "amount", "tax"}:
            row[field] = to_decimal(raw)
        elif field == "tax_rate":
            row[field] = rate_text(raw)
        else:
            row[field] = raw
    return row


def convert_field(field: str, raw: str):
    """A field's raw text as its value: Decimal for money, a date for the issue date, the text otherwise."""
    if field == "total_tax" and re.fullmatch(r"\s*\*+\s*", raw):
        return Decimal("0.00")  # 免税 / 不征税: the tax is printed masked, and it is nil
    if field in MONEY_FIELDS:
        return to_decimal(raw)
    if field == "issue_date":
        return to_date(raw)
    return raw


def to_decimal(raw: str) -> Decimal | None:
    cleaned = re.sub(r"[¥￥,\s]", "", raw)
    if cleaned in {"", "***", "*"}:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    # NaN, Infinity and "1E+999999" are no amounts (and would break every later sum and rendering)
    return value if value.is_finite() and (value.is_zero() or value.adjusted() < MAX_DIGITS) else None


def to_date(raw: str) -> dt.date | None:
    digits = re.findall(r"\d+", raw)
    try:
        if len(digits) >= 3:
            return dt.date(int(digits[0]), int(digits[1]), int(digits[2]))
        if digits and len(digits[0]) >= 8:
            d = digits[0]
            return dt.date(int(d[:4]), int(d[4:6]), int(d[6:8]))
    except ValueError:
        return None
    return None


def rate_text(raw: str) -> str:
    """0.06 → '6%', '6%' stays, 免税 / 不征税 stay."""
    s = raw.strip()
    if not s or s.endswith("%") or not re.fullmatch(r"-?\d+(\.\d+)?", s):
        return s
    value = Decimal(s)
    if value < 1:
        value *= 100
    text = format(value.normalize(), "f")
    return f"{text}%"
