"""Ground truth: one internally consistent random invoice per call, as the pydantic ``Invoice`` the pipeline emits.

Every structural rule the verifier checks holds here (code ↔ type ↔ title region, USCC check characters,
line and total arithmetic, 大写 amount), so a generated document whose extraction fails a rule points at the
extractor, not at the generator.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from fapiao.core.models import DIGITAL_TYPES, TYPE_CODES, Invoice, InvoiceType, LineItem
from fapiao.intake.amount_words import to_words
from samples.generator import ids
from samples.generator.items import discount_line, goods_line, negate, toll_lines
from samples.generator.parties import Party, company, person, person_name, pick_region, shop
from samples.generator.vocab import REMARKS, TOLL_SELLERS, ZIHAO, Region

KINDS: tuple[InvoiceType, ...] = (
    InvoiceType.digital_normal,
    InvoiceType.digital_special,
    InvoiceType.e_normal,
    InvoiceType.e_special,
    InvoiceType.toll,
)
CODE_SUFFIX = {InvoiceType.e_normal: "11", InvoiceType.e_special: "13", InvoiceType.toll: "12"}
DATE_RANGES = {
    InvoiceType.e_normal: (dt.date(2019, 1, 2), dt.date(2025, 6, 30)),
    InvoiceType.e_special: (dt.date(2020, 12, 21), dt.date(2025, 6, 30)),
    InvoiceType.toll: (dt.date(2019, 1, 2), dt.date(2025, 6, 30)),
    InvoiceType.digital_normal: (dt.date(2022, 1, 4), dt.date(2026, 10, 30)),
    InvoiceType.digital_special: (dt.date(2022, 1, 4), dt.date(2026, 10, 30)),
}
KNOBS = frozenset(
    {
        "n_items",
        "red_letter",
        "person_buyer",
        "discount",
        "long_name",
        "region",
        "issue_date",
        "toll_items",
        "tax_free",
    }
)
"""Overrides that steer generation (everything else overrides an ``Invoice`` field after generation)."""


def random_invoice(rng: random.Random, kind: InvoiceType | str, **overrides) -> Invoice:
    """A random, internally consistent invoice of ``kind``.

    Steering overrides: ``n_items``, ``red_letter``, ``person_buyer``, ``discount`` (add a 折扣行),
    ``long_name`` (a name that wraps), ``region`` (4-digit code), ``issue_date``, ``toll_items`` (通行费 lines on
    a 数电 invoice, for the ``toll_columns`` quirk), ``tax_free`` (every line 免税/不征税 with its tax masked, for
    the ``masked_tax`` quirk). Any other keyword replaces
    the ``Invoice`` field of that name afterwards (the caller then owns its consistency).
    """
    kind = InvoiceType(kind)
    knobs = {k: overrides.pop(k) for k in list(overrides) if k in KNOBS}
    region = pick_region(rng, knobs.get("region"))
    issue = knobs.get("issue_date") or _issue_date(rng, kind)
    red = knobs.get("red_letter", rng.random() < 0.05)
    if red:
        knobs.setdefault("discount", False)
    inv = _header(rng, kind, region, issue)
    seller, buyer = _parties(rng, kind, region, issue, knobs.get("person_buyer"))
    _apply_parties(inv, seller, buyer)
    items = _items(rng, kind, region, issue, seller, knobs)
    if knobs.get("tax_free"):
        word = "不征税" if kind is InvoiceType.toll or knobs.get("toll_items") else "免税"
        items = [i.model_copy(update={"tax_rate": word, "tax": None}) for i in items]
    if red:
        items = [negate(i) for i in items]
    _apply_items(inv, items)
    inv.is_red_letter = red
    inv.remarks = _red_remark(rng, inv, region) if red else _remark(rng, region, issue)
    inv.drawer = person_name(rng)
    if kind not in DIGITAL_TYPES:
        inv.payee = person_name(rng) if rng.random() < 0.6 else None
        inv.reviewer = person_name(rng) if rng.random() < 0.5 else None
    return inv.model_copy(update=overrides) if overrides else inv


def _issue_date(rng: random.Random, kind: InvoiceType) -> dt.date:
    lo, hi = DATE_RANGES[kind]
    return lo + dt.timedelta(days=rng.randrange((hi - lo).days + 1))


def title_for(kind: InvoiceType, region: Region) -> str:
    return {
        InvoiceType.digital_normal: "电子发票（普通发票）",
        InvoiceType.digital_special: "电子发票（增值税专用发票）",
        InvoiceType.e_normal: f"{region.title}增值税电子普通发票",
        InvoiceType.e_special: f"{region.title}增值税电子专用发票",
        InvoiceType.toll: f"{region.title}通行费增值税电子普通发票",
    }[kind]


def _header(rng: random.Random, kind: InvoiceType, region: Region, issue: dt.date) -> Invoice:
    inv = Invoice(invoice_type=kind, type_code=TYPE_CODES[kind], title=title_for(kind, region), issue_date=issue)
    if kind in DIGITAL_TYPES:
        inv.invoice_number = ids.digital_number(rng, issue, region.province2)
        return inv
    min_year = 2020 if kind is InvoiceType.e_special else 2016
    inv.invoice_code = ids.invoice_code(rng, region.code4, issue, CODE_SUFFIX[kind], min_year)
    inv.invoice_number = ids.invoice_number8(rng)
    inv.check_code = ids.check_code(rng)
    inv.machine_number = ids.machine_number(rng)
    return inv


def _parties(
    rng: random.Random, kind: InvoiceType, region: Region, issue: dt.date, person_buyer: bool | None
) -> tuple[Party, Party]:
    old = kind not in DIGITAL_TYPES
    special = kind in (InvoiceType.e_special, InvoiceType.digital_special)
    if kind is InvoiceType.toll:
        seller = company(rng, region, issue.year, full=True)
        seller.name = rng.choice(TOLL_SELLERS).format(t=region.title)
        seller.small_scale = False
    elif not special and rng.random() < 0.1:
        seller = shop(rng, region, full=old)
    else:
        seller = company(rng, region, issue.year, full=old and rng.random() < 0.95)
    if person_buyer is None:
        person_buyer = not special and rng.random() < (0.3 if kind is not InvoiceType.toll else 0.4)
    if person_buyer and not special:
        buyer = person(rng)
    else:
        buyer = company(rng, pick_region(rng), issue.year, full=old and (special or rng.random() < 0.4))
    return seller, buyer


def _apply_parties(inv: Invoice, seller: Party, buyer: Party) -> None:
    inv.seller_name, inv.seller_tax_id = seller.name, seller.tax_id
    inv.seller_address_phone, inv.seller_bank_account = seller.address_phone, seller.bank_account
    inv.buyer_name, inv.buyer_tax_id = buyer.name, buyer.tax_id
    inv.buyer_address_phone, inv.buyer_bank_account = buyer.address_phone, buyer.bank_account


def _items(
    rng: random.Random, kind: InvoiceType, region: Region, issue: dt.date, seller: Party, knobs: dict
) -> list[LineItem]:
    n = knobs.get("n_items") or _item_count(rng, kind)
    if kind is InvoiceType.toll or knobs.get("toll_items"):
        return toll_lines(rng, issue, region.plate, n)
    long_at = rng.randrange(n) if knobs.get("long_name", rng.random() < 0.15) else -1
    want_discount = knobs.get("discount", rng.random() < 0.08)
    out: list[LineItem] = []
    for i in range(n):
        item = goods_line(rng, issue, seller.small_scale, long_name=(i == long_at))
        out.append(item)
        if want_discount and (i == n - 1 or rng.random() < 0.3) and not any(x.amount < 0 for x in out):
            out.append(discount_line(rng, item))
    return out


def _item_count(rng: random.Random, kind: InvoiceType) -> int:
    if rng.random() < 0.06:
        return rng.randrange(9, 21)
    weights = (40, 20, 12, 9, 7, 5, 4, 3) if kind is not InvoiceType.toll else (55, 20, 10, 7, 4, 2, 1, 1)
    return rng.choices(range(1, 9), weights=weights)[0]


def _apply_items(inv: Invoice, items: list[LineItem]) -> None:
    inv.items = items
    inv.total_amount = sum((i.amount for i in items), Decimal("0.00"))
    inv.total_tax = sum((i.tax or Decimal("0.00") for i in items), Decimal("0.00"))
    inv.amount_with_tax = inv.total_amount + inv.total_tax
    inv.amount_in_words = to_words(inv.amount_with_tax)


def _remark(rng: random.Random, region: Region, issue: dt.date) -> str | None:
    text = rng.choice(REMARKS).format(
        zihao="".join(rng.sample(ZIHAO, 2)),
        year=issue.year,
        month=issue.month,
        n4=ids.digits(rng, 4),
        n12=ids.digits(rng, 12),
        city=region.city,
    )
    return text or None


def _red_remark(rng: random.Random, inv: Invoice, region: Region) -> str:
    """The 备注 of a red-letter invoice names the blue one it cancels."""
    issue = inv.issue_date
    blue_date = issue - dt.timedelta(days=rng.randrange(1, 120))
    if inv.invoice_type in DIGITAL_TYPES:
        blue = ids.digital_number(rng, blue_date, region.province2)
        return f"被红冲蓝字数电票号码：{blue} 红字发票信息确认单编号：{ids.digits(rng, 20)}"
    code = ids.invoice_code(rng, region.code4, blue_date, CODE_SUFFIX[inv.invoice_type])
    return f"对应正数发票代码:{code}号码:{ids.invoice_number8(rng)}"
