"""数电 XML (root ``EInvoice``) as the national platform issues it, so the XML reader has ground truth too.

Element names follow the published structure: Header/EIid, EInvoiceData/{SellerInformation, BuyerInformation,
BasicInformation, IssuItemInformation*, AdditionalInformation}, TaxSupervisionInfo. Tax rates are decimals
(0.06); 免税 / 不征税 lines carry the word in TaxRate and ***, like the platform's exports.
"""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from decimal import Decimal

from fapiao.core.models import DIGITAL_TYPES, Invoice
from samples.generator import fmt, ids
from samples.generator.vocab import REGIONS

BUREAU = {
    r.province2: "国家税务总局"
    + (r.city.removesuffix("市") if r.province2 in ("11", "12", "31", "50") else r.title + "省")
    + "税务局"
    for r in REGIONS
    if r.code4.endswith("00")
}


def render_xml(invoice: Invoice, rng: random.Random | None = None) -> bytes:
    """The 数电 XML for a digital (31/32) invoice."""
    if invoice.invoice_type not in DIGITAL_TYPES:
        raise ValueError("数电 XML exists only for digital (31/32) invoices")
    rng = rng or random.Random(invoice.invoice_number)
    root = ET.Element("EInvoice")
    _header(root, invoice)
    data = ET.SubElement(root, "EInvoiceData")
    _party(data, "Seller", invoice.seller_tax_id, invoice.seller_name)
    _party(data, "Buyer", invoice.buyer_tax_id, invoice.buyer_name)
    _basic(data, invoice, rng)
    for it in invoice.items:
        _item(data, it)
    extra = ET.SubElement(data, "AdditionalInformation")
    _sub(extra, "Remark", invoice.remarks)
    _supervision(root, invoice, rng)
    if rng.random() < 0.5:  # the platform's files come both pretty-printed and on one line
        ET.indent(root, space="  ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, tag)
    if text not in (None, ""):
        el.text = text
    return el


def _header(root: ET.Element, inv: Invoice) -> None:
    head = ET.SubElement(root, "Header")
    _sub(head, "EIid", inv.invoice_number)
    _sub(head, "EInvoiceTag", "SWEI" + inv.invoice_number[2:4] + "00")
    _sub(head, "Version", "0.1")
    label = ET.SubElement(ET.SubElement(head, "InherentLabel"), "EInvoiceType")
    _sub(label, "LabelCode", inv.type_code)
    _sub(label, "LabelName", "增值税专用发票" if inv.type_code == "31" else "普通发票")


def _party(data: ET.Element, side: str, tax_id: str | None, name: str | None) -> None:
    el = ET.SubElement(data, f"{side}Information")
    _sub(el, f"{side}IdNum", tax_id)
    _sub(el, f"{side}Name", name)


def _basic(data: ET.Element, inv: Invoice, rng: random.Random) -> None:
    el = ET.SubElement(data, "BasicInformation")
    _sub(el, "TotalAmWithoutTax", fmt.money(inv.total_amount))
    _sub(el, "TotalTaxAm", fmt.money(inv.total_tax))
    _sub(el, "TotalTax-includedAmount", fmt.money(inv.amount_with_tax))
    _sub(el, "TotalTax-includedAmountInChinese", inv.amount_in_words)
    _sub(el, "Drawer", inv.drawer)
    _sub(el, "RequestTime", _time(inv, rng))


def _rate(rate: str | None) -> str | None:
    if rate and rate.endswith("%"):
        return format(Decimal(rate[:-1]) / 100, "f").rstrip("0").rstrip(".") or "0"
    return rate


def _item(data: ET.Element, it) -> None:
    el = ET.SubElement(data, "IssuItemInformation")
    _sub(el, "ItemName", it.name)
    _sub(el, "SpecMod", it.spec)
    _sub(el, "MeaUnits", it.unit)
    _sub(el, "Quantity", fmt.number(it.quantity, _Plain))
    _sub(el, "UnPrice", fmt.number(it.unit_price, _Plain))
    _sub(el, "Amount", fmt.money(it.amount))
    _sub(el, "TaxRate", _rate(it.tax_rate))
    _sub(el, "ComTaxAm", fmt.tax(it.tax, it.tax_rate))
    total = it.amount + (it.tax or 0)
    _sub(el, "TotaltaxIncludedAmount", fmt.money(total))


def _time(inv: Invoice, rng: random.Random) -> str:
    r = random.Random(inv.invoice_number)  # same time in BasicInformation and TaxSupervisionInfo
    return f"{inv.issue_date.isoformat()} {r.randrange(8, 21):02d}:{r.randrange(60):02d}:{r.randrange(60):02d}"


def _supervision(root: ET.Element, inv: Invoice, rng: random.Random) -> None:
    el = ET.SubElement(root, "TaxSupervisionInfo")
    _sub(el, "InvoiceNumber", inv.invoice_number)
    _sub(el, "IssueTime", _time(inv, rng))
    province = inv.invoice_number[2:4]
    _sub(el, "TaxBureauCode", f"1{province}00000000")
    _sub(el, "TaxBureauName", BUREAU.get(province, "国家税务总局税务局"))
    _sub(el, "SignatureValue", ids.digits(rng, 64))


class _Plain:
    pad_prices = False
