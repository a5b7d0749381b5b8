"""Positioned text → invoices: read each page, group pages into invoices, merge their fields.

One extractor serves PDF text layers, OFD text and OCR output, because all arrive as TextBoxes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fapiao.core.models import TICKET_FIELDS, TYPE_CODES, FieldValue, Finding, Invoice, LineItem
from fapiao.intake.extract.found import Found
from fapiao.intake.extract.geometry import Box, PageView, merge_vertical_words, union_bbox
from fapiao.intake.extract.header import header_fields
from fapiao.intake.extract.items import read_items
from fapiao.intake.extract.kind import classify
from fapiao.intake.extract.labels import Label, find_label, is_form_text, merge_spaced_labels
from fapiao.intake.extract.offset import data_offset
from fapiao.intake.extract.parties import party_fields
from fapiao.intake.extract.spaced import glue_currency, join_spaced_words
from fapiao.intake.extract.table import Table, column_kind, find_table, is_section_header, section_top
from fapiao.intake.extract.tickets import BUYER_FIELDS, ticket_fields, ticket_kind
from fapiao.intake.extract.totals import footer_fields, total_fields
from fapiao.intake.loaders.base import LoadedPage

INVOICE_FIELDS = (
    "invoice_code",
    "invoice_number",
    "issue_date",
    "check_code",
    "machine_number",
    "title",
    "buyer_name",
    "buyer_tax_id",
    "buyer_address_phone",
    "buyer_bank_account",
    "seller_name",
    "seller_tax_id",
    "seller_address_phone",
    "seller_bank_account",
    "total_amount",
    "total_tax",
    "amount_with_tax",
    "amount_in_words",
    "remarks",
    "drawer",
    "payee",
    "reviewer",
)


@dataclass
class PageRead:
    page: LoadedPage
    view: PageView
    labels: list[Label]
    stop: set[int]
    table: Table | None
    found: dict[str, Found] = field(default_factory=dict)
    items: list[LineItem] = field(default_factory=list)
    item_rows: list = field(default_factory=list)
    refers_to_list: bool = False

    @property
    def number(self) -> str | None:
        f = self.found.get("invoice_number")
        return f.value if f else None

    @property
    def is_continuation(self) -> bool:
        title = self.found.get("title")
        return bool(title and "清单" in title.value) or any("清单" in b.flat for b in self.view.boxes[:8])


@dataclass
class Extracted:
    """One invoice's fields as read from its pages (before QR, XML merge and verification)."""

    invoice: Invoice
    fields: dict[str, FieldValue]
    pages: list[int]
    findings: list[Finding] = field(default_factory=list)
    page_refs: dict[int, str] = field(default_factory=dict)
    """Page number → stored image reference, for OCR'd pages (see ``Pipeline.process_bytes``)."""


def read_page(page: LoadedPage) -> PageRead:
    boxes = merge_spaced_labels(merge_vertical_words([Box.of(tb) for tb in page.boxes]))
    boxes = glue_currency(join_spaced_words(boxes))
    view = PageView(page.number, page.width, page.height, boxes)
    labels = [lb for b in view.boxes if (lb := find_label(b))]
    stop = {id(b) for b in view.boxes if is_form_text(b) or column_kind(b) or is_section_header(b)}
    view.data_dy = data_offset(view, labels, stop)
    table = find_table(view)
    read = PageRead(page, view, labels, stop, table)
    read.found.update(header_fields(view, labels, stop))
    read.found.update(party_fields(view, labels, stop))
    read.found.update(total_fields(view, labels, table, stop))
    read.found.update(footer_fields(view, labels, stop))
    if table is not None:
        result = read_items(view, table, _table_bottom(view, labels, table), stop)
        read.items, read.item_rows, read.refers_to_list = result.items, result.rows, result.refers_to_list
    ticket = ticket_kind(view)
    if ticket is not None:
        _read_ticket(read, ticket)
    return read


def _read_ticket(read: PageRead, kind: str) -> None:
    """A passenger ticket has no 合计金额/合计税额 and no items table: what the invoice reader took for them
    (the fare, the itinerary's 合计 or its fare table) is dropped, and the ticket's own fields are read."""
    for name in ("total_amount", "total_tax", "amount_with_tax"):
        read.found.pop(name, None)
    read.items, read.item_rows, read.refers_to_list = [], [], False
    for name, found in ticket_fields(read.view, kind).items():
        if name in BUYER_FIELDS:
            read.found.setdefault(name, found)
        else:
            read.found[name] = found


def _table_bottom(view: PageView, labels: list[Label], table: Table) -> float:
    ends = [
        lb.box.y0
        for lb in labels
        if lb.kind in {"total", "subtotal", "words", "small", "remarks"} and lb.box.y0 > table.top
    ]
    section = section_top(view, table.top)  # a 特定业务 table (旅客运输 …) under the items
    if section is not None:
        ends.append(section)
    return min(ends) if ends else view.height


def group_pages(reads: list[PageRead]) -> list[list[PageRead]]:
    """A page with a new invoice number starts an invoice; pages without one, or with the same number
    (销货清单, 数电 continuation pages), belong to the invoice before them."""
    groups: list[list[PageRead]] = []
    for read in reads:
        number = read.number
        current = groups[-1] if groups else None
        current_number = next((r.number for r in current if r.number), None) if current else None
        if current is None or (number and number != current_number and not read.is_continuation):
            groups.append([read])
        else:
            current.append(read)
    return groups


def assemble(group: list[PageRead]) -> Extracted:
    chosen: dict[str, tuple[Found, int]] = {}
    for read in group:
        for name, found in read.found.items():
            chosen.setdefault(name, (found, read.page.number))
    items: list[LineItem] = []
    item_fields: dict[str, FieldValue] = {}
    for read in group:
        for item, row in zip(read.items, read.item_rows, strict=False):
            boxes = [b for cell in row.cells.values() for b in cell]
            item_fields[f"items[{len(items)}]"] = FieldValue(
                value=item.name,
                source=boxes[0].src.source,
                page=read.page.number,
                bbox=union_bbox(boxes),
                confidence=min(b.src.confidence for b in boxes),
            )
            items.append(item)
    values = {name: found.value for name, (found, _) in chosen.items()}
    fields = {name: found.field(page) for name, (found, page) in chosen.items()}
    fields.update(item_fields)
    invoice = Invoice(
        **{k: values.get(k) for k in (*INVOICE_FIELDS, *TICKET_FIELDS)},
        items=items,
    )
    return Extracted(invoice=finish(invoice), fields=fields, pages=[r.page.number for r in group])


def finish(invoice: Invoice, qr_type: str | None = None) -> Invoice:
    """Derive type, type code and red-letter flag from what was read."""
    kind = classify(invoice.title, invoice.invoice_code, invoice.invoice_number, qr_type)
    red = any(v is not None and v < 0 for v in (invoice.total_amount, invoice.amount_with_tax)) or "负数" in (
        invoice.amount_in_words or ""
    )
    return invoice.model_copy(update={"invoice_type": kind, "type_code": TYPE_CODES.get(kind), "is_red_letter": red})
