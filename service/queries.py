"""Read-only questions about extracted invoices, shared by the JSON API and the reviewer UI so that both
filter, order and page the same way (one implementation of "the queue")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Text, cast, func, or_, select, union_all
from sqlalchemy.orm import Session

from fapiao.core.models import Status
from fapiao.core.states import ReviewState
from fapiao.intake.signatures.findings import BROKEN, DAMAGED, UNSUPPORTED, VALID
from fapiao.storage.db import page_of
from fapiao.storage.service_tables import AuditEntry, Document, DocumentBatch, ExtractedInvoice


@dataclass(frozen=True)
class InvoiceFilter:
    """What a reviewer narrows the queue by; ``None`` means "any"."""

    status: str | None = None
    review: str | None = None
    q: str | None = None
    """Contained in the number, code, buyer or seller name, or seller tax ID."""
    seller: str | None = None
    """Contained in the seller's name or tax ID."""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    invoice_type: str | None = None
    batch: str | None = None
    """The batch the document was uploaded with."""
    match: str | None = None
    """What the latest reconciliation said (``matched``, ``missing_in_system``, …; ``none`` for not yet)."""
    signature: str | None = None
    """The file's integrity (see ``SIGNATURE_STATES``): ``broken`` finds a signature that does not match the file
    or a damaged file."""


SIGNATURE_STATES: dict[str, tuple[str, ...]] = {
    "broken": (BROKEN, DAMAGED),
    "valid": (VALID,),
    "unsupported": (UNSUPPORTED,),
}
"""Queue filter value → the finding codes that put an invoice in it."""


def has_finding(*codes: str):
    """Invoices whose stored findings include one of ``codes`` (a finding code is quoted in the payload's JSON
    text on SQLite and PostgreSQL alike, and appears nowhere else quoted)."""
    text = cast(ExtractedInvoice.payload, Text)
    return or_(*(text.contains(f'"{code}"', autoescape=True) for code in codes))


QUEUE_ORDER = (
    ExtractedInvoice.status != Status.needs_review,
    ExtractedInvoice.created_at.desc(),
    ExtractedInvoice.id.desc(),
)
"""Needs-review first, newest first within each group."""


def _filtered(f: InvoiceFilter):
    stmt = select(ExtractedInvoice)
    if f.status:
        stmt = stmt.where(ExtractedInvoice.status == f.status)
    if f.review:
        stmt = stmt.where(ExtractedInvoice.review == f.review)
    if f.q:
        stmt = stmt.where(
            or_(
                *(
                    c.contains(f.q, autoescape=True)
                    for c in (
                        ExtractedInvoice.invoice_number,
                        ExtractedInvoice.invoice_code,
                        ExtractedInvoice.seller_name,
                        ExtractedInvoice.buyer_name,
                        ExtractedInvoice.seller_tax_id,
                        ExtractedInvoice.buyer_tax_id,
                    )
                )
            )
        )
    if f.seller:
        stmt = stmt.where(
            or_(
                ExtractedInvoice.seller_name.contains(f.seller, autoescape=True),
                ExtractedInvoice.seller_tax_id.contains(f.seller, autoescape=True),
            )
        )
    if f.invoice_type:
        stmt = stmt.where(ExtractedInvoice.invoice_type == f.invoice_type)
    if f.batch:
        stmt = stmt.where(
            ExtractedInvoice.document_id.in_(select(DocumentBatch.document_id).where(DocumentBatch.batch == f.batch))
        )
    if f.match == "none":
        stmt = stmt.where(ExtractedInvoice.match_category.is_(None))
    elif f.match:
        stmt = stmt.where(ExtractedInvoice.match_category == f.match)
    if f.signature in SIGNATURE_STATES:
        stmt = stmt.where(has_finding(*SIGNATURE_STATES[f.signature]))
    if f.date_from:
        stmt = stmt.where(ExtractedInvoice.issue_date >= f.date_from)
    if f.date_to:
        stmt = stmt.where(ExtractedInvoice.issue_date <= f.date_to)
    return stmt


def search_invoices(s: Session, f: InvoiceFilter, page: int, size: int) -> tuple[int, list[ExtractedInvoice]]:
    """One page of the queue and the total number of matching invoices."""
    return page_of(s, _filtered(f), QUEUE_ORDER, page, size)


def status_counts(s: Session) -> dict[str, int]:
    """Invoices per pipeline status, and how many still wait for a reviewer (key ``pending``)."""
    counts = {
        status: n
        for status, n in s.execute(select(ExtractedInvoice.status, func.count()).group_by(ExtractedInvoice.status))
    }
    counts["pending"] = s.scalar(select(func.count()).where(ExtractedInvoice.review == ReviewState.pending)) or 0
    return counts


def next_pending(s: Session, after_id: int | None = None) -> int | None:
    """The invoice a reviewer should look at next: the first pending one in queue order, other than ``after_id``."""
    stmt = select(ExtractedInvoice.id).where(ExtractedInvoice.review == ReviewState.pending)
    if after_id is not None:
        stmt = stmt.where(ExtractedInvoice.id != after_id)
    return s.scalar(stmt.order_by(*QUEUE_ORDER).limit(1))


def in_batch(batch: str):
    """A WHERE clause over Document: the documents uploaded under ``batch``, first (``Document.batch``) or again
    (``document_batches``)."""
    return or_(
        Document.batch == batch,
        Document.id.in_(select(DocumentBatch.document_id).where(DocumentBatch.batch == batch)),
    )


def known_batches(s: Session, limit: int = 500) -> list[str]:
    """Batch names documents were uploaded with, most recently used first (for the UI's batch pickers)."""
    used = union_all(
        select(Document.batch.label("batch"), Document.created_at.label("at")).where(Document.batch.is_not(None)),
        select(DocumentBatch.batch.label("batch"), DocumentBatch.at.label("at")),
    ).subquery()
    stmt = select(used.c.batch).group_by(used.c.batch).order_by(func.max(used.c.at).desc(), used.c.batch)
    return [b for (b,) in s.execute(stmt.limit(limit))]


def batch_progress(s: Session, batch: str) -> dict[str, int]:
    """Documents of one batch per job status (queued, processing, done, failed)."""
    stmt = select(Document.status, func.count()).where(in_batch(batch)).group_by(Document.status)
    return {status: n for status, n in s.execute(stmt)}


def history(s: Session, invoice_id: int) -> list[dict]:
    """The invoice's audit trail, oldest first."""
    rows = s.scalars(
        select(AuditEntry).where(AuditEntry.invoice_id == invoice_id).order_by(AuditEntry.at, AuditEntry.id)
    ).all()
    return [
        {
            "at": h.at.isoformat(),
            "actor": h.actor,
            "action": h.action,
            "field": h.field,
            "old": h.old,
            "new": h.new,
            "note": (h.detail or {}).get("note"),
            "override": (h.detail or {}).get("override"),
        }
        for h in rows
    ]


def summary(r: ExtractedInvoice) -> dict:
    """The list view of one invoice (no payload)."""
    return {
        "id": r.id,
        "document_id": r.document_id,
        "status": r.status,
        "review": r.review,
        "version": r.version,
        "invoice_type": r.invoice_type,
        "invoice_code": r.invoice_code,
        "invoice_number": r.invoice_number,
        "issue_date": r.issue_date.isoformat() if r.issue_date else None,
        "seller_name": r.seller_name,
        "seller_tax_id": r.seller_tax_id,
        "buyer_name": r.buyer_name,
        "amount_with_tax": None if r.amount_with_tax is None else f"{r.amount_with_tax:.2f}",
        "match_category": r.match_category,
        "match_record_key": r.match_record_key,
    }
