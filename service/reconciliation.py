"""Reconciliation runs in the service: the invoices read from documents in a scope (a batch, an issue-date
range, or all) against every record the system has, through the same ``fapiao.matching.reconcile`` as
`fapiao reconcile`. A run keeps each report line, creates back-entry drafts for the missing invoices and
notes on each invoice what the run found, so the queue can show it."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fapiao.core.messages import Message, stored
from fapiao.core.models import ExtractionResult, Status
from fapiao.core.states import JobStatus, ReviewState
from fapiao.matching.drafts import OPEN_STATES
from fapiao.matching.export import no_document_line
from fapiao.matching.reconcile import Category, ReconcileReport, reconcile
from fapiao.service.context import ServiceContext
from fapiao.service.queries import in_batch
from fapiao.storage.backfill_tables import BackfillDocument
from fapiao.storage.db import page_of, serialize, session_scope
from fapiao.storage.drafts import create_drafts
from fapiao.storage.matching_tables import Draft, ReconciliationItem, ReconciliationRun
from fapiao.storage.records import load_master, load_records_with_ids
from fapiao.storage.service_tables import Document, ExtractedInvoice


@dataclass(frozen=True)
class Scope:
    """Which documents a run covers. Records without a document are looked for within the date range when one
    is given, else within the issue dates the documents span (see ``_no_document_range``)."""

    batch: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    backfill: str | None = None
    """The documents of one back-fill (``fapiao.service.backfills``), which may be shared with other batches."""


@dataclass
class _Doc:
    result: ExtractionResult
    invoice_id: int | None
    document_id: str
    created_at: dt.datetime


def _documents(s: Session, scope: Scope) -> list[_Doc]:
    stmt = (
        select(ExtractedInvoice, Document.created_at)
        .join(Document)
        .order_by(Document.created_at, ExtractedInvoice.position)
    )
    stmt = _in_scope(stmt, scope)
    if scope.date_from is not None:
        stmt = stmt.where(ExtractedInvoice.issue_date >= scope.date_from)
    if scope.date_to is not None:
        stmt = stmt.where(ExtractedInvoice.issue_date <= scope.date_to)
    out = []
    for row, created_at in s.execute(stmt):
        result = ExtractionResult.model_validate(row.payload)
        if row.review == ReviewState.rejected:  # a reviewer said it is not a valid invoice: never booked or drafted
            said = Message.of("rejected_by_reviewer", name=result.source)
            result = result.model_copy(update={"status": Status.rejected, "error": said.text, "error_message": said})
        out.append(_Doc(result, row.id, row.document_id, created_at))
    if scope.date_from is None and scope.date_to is None:  # documents that gave no invoice at all
        failed = _in_scope(
            select(Document).where(Document.status == JobStatus.failed).order_by(Document.created_at), scope
        )
        for doc in s.scalars(failed):
            out.append(
                _Doc(
                    ExtractionResult(
                        source=doc.filename,
                        status=Status.rejected,
                        error=doc.error,
                        error_message=stored(doc.error_code, doc.error_params),
                    ),
                    None,
                    doc.id,
                    doc.created_at,
                )
            )
    return out


def _described(docs: list[_Doc]) -> list[str]:
    """How findings name each document: its file and when it came (``a.pdf (2024-03-08 10:00 UTC)``), as the
    duplicate rule does, so two copies under one file name are told apart."""
    return [f"{d.result.source} ({_utc(d.created_at):%Y-%m-%d %H:%M} UTC)" for d in docs]


def _utc(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)  # SQLite gives naive UTC times back


def _in_scope(stmt, scope: Scope):
    """``stmt`` (over Document) narrowed to the scope's batch or back-fill."""
    if scope.batch is not None:
        stmt = stmt.where(in_batch(scope.batch))
    if scope.backfill is not None:
        stmt = stmt.where(
            Document.id.in_(select(BackfillDocument.document_id).where(BackfillDocument.backfill_id == scope.backfill))
        )
    return stmt


def _no_document_range(scope: Scope, docs: list[_Doc]) -> tuple[dt.date | None, dt.date | None]:
    """The issue dates in which a record without a document is reported: the scope's own range where given,
    else the span of the documents' issue dates (documents from March say nothing about January's records,
    and a year of records must not all be reported because one batch arrived)."""
    if scope == Scope():  # all documents against all records, as `fapiao reconcile` does: every record is reported
        return None, None
    dates = [d.result.invoice.issue_date for d in docs if d.result.invoice and d.result.invoice.issue_date]
    lo = scope.date_from or (min(dates) if dates else None)
    hi = scope.date_to or (max(dates) if dates else None)
    if lo is None and hi is None:
        return dt.date.max, dt.date.max  # nothing dated in scope: no record is expected of it
    return lo, hi


def run_reconciliation(ctx: ServiceContext, scope: Scope, actor: str) -> dict:
    """One run, in one transaction: report lines stored, drafts created, invoices marked."""
    start = time.perf_counter()
    with session_scope(ctx.sessions) as s:
        serialize(s, "reconciliation")  # a second run at the same moment waits, then sees this one's drafts
        docs = _documents(s, scope)
        with_ids = load_records_with_ids(s)
        record_ids = [i for i, _ in with_ids]
        records = [r for _, r in with_ids]
        master = load_master(s)
        lo, hi = _no_document_range(scope, docs)
        report = reconcile(
            [d.result for d in docs], records, master=master, date_from=lo, date_to=hi, described=_described(docs)
        )
        created = create_drafts(s, report, master, actor=actor, invoice_ids=[d.invoice_id for d in docs])
        open_drafts = _open_drafts(s, [o.invoice.key for o in report.documents if o.invoice and o.invoice.key])
        run = ReconciliationRun(
            actor=actor,
            batch=scope.batch or (f"backfill:{scope.backfill}" if scope.backfill else None),
            date_from=scope.date_from,
            date_to=scope.date_to,
            records=records_in_scope(report),
            documents=len(docs),
            counts=report.counts(),
            drafts_created=len(created),
        )
        s.add(run)
        s.flush()
        id_of_record = {id(r): rid for rid, r in zip(record_ids, records, strict=False)}
        for doc, outcome in zip(docs, report.documents, strict=False):
            key = outcome.invoice.key if outcome.invoice else None
            line = outcome.to_contract()
            s.add(
                ReconciliationItem(
                    run_id=run.id,
                    category=outcome.category.value,
                    extracted_invoice_id=doc.invoice_id,
                    document_id=doc.document_id,
                    invoice_key=key,
                    line=line,
                    system_record_id=id_of_record.get(id(outcome.record)) if outcome.record else None,
                    draft_id=open_drafts.get(key) if outcome.category is Category.missing_in_system else None,
                )
            )
            if doc.invoice_id is not None:
                s.execute(
                    update(ExtractedInvoice)
                    .where(ExtractedInvoice.id == doc.invoice_id)
                    .values(match_category=outcome.category.value, match_record_key=line["record_key"])
                    .execution_options(synchronize_session=False)
                )
        for rec in report.no_document:
            s.add(
                ReconciliationItem(
                    run_id=run.id,
                    category=Category.no_document.value,
                    invoice_key=rec.key,
                    system_record_id=id_of_record.get(id(rec)),
                    line=no_document_line(rec),
                )
            )
        run.seconds = round(time.perf_counter() - start, 3)
        s.flush()
        return run_view(run)


def records_in_scope(report: ReconcileReport) -> int:
    """The records the run accounts for: each either with the document that matched it (matched, with
    differences, voided) or listed without a document — so the header's count is the sum of those categories."""
    held = {id(o.record) for o in report.documents if o.record is not None and o.category in RECORD_CATEGORIES}
    return len(held) + len(report.no_document)


RECORD_CATEGORIES = (Category.matched, Category.matched_with_differences, Category.voided)


def _open_drafts(s: Session, keys: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i in range(0, len(keys), 500):
        rows = s.execute(
            select(Draft.invoice_key, Draft.id).where(
                Draft.invoice_key.in_(keys[i : i + 500]), Draft.state.in_(OPEN_STATES)
            )
        )
        out.update({k: v for k, v in rows})
    return out


def run_view(run: ReconciliationRun) -> dict:
    counts = {c.value: int((run.counts or {}).get(c.value, 0)) for c in Category}
    return {
        "id": run.id,
        "created_at": run.created_at.isoformat(),
        "actor": run.actor,
        "batch": run.batch,
        "date_from": run.date_from.isoformat() if run.date_from else None,
        "date_to": run.date_to.isoformat() if run.date_to else None,
        "records": run.records,
        "documents": run.documents,
        "counts": counts,
        "drafts_created": run.drafts_created,
        "seconds": float(run.seconds or 0),
    }


def list_runs(s: Session, page: int, size: int) -> tuple[int, list[dict]]:
    total, rows = page_of(s, select(ReconciliationRun), (ReconciliationRun.id.desc(),), page, size)
    return total, [run_view(r) for r in rows]


def run_items(s: Session, run_id: int, category: str | None, page: int, size: int) -> tuple[int, list[dict]]:
    stmt = select(ReconciliationItem).where(ReconciliationItem.run_id == run_id)
    if category:
        stmt = stmt.where(ReconciliationItem.category == category)
    total, rows = page_of(s, stmt, (ReconciliationItem.id,), page, size)
    return total, [item_view(i) for i in rows]


def item_view(item: ReconciliationItem) -> dict:
    return dict(
        item.line,
        id=item.id,
        invoice_id=item.extracted_invoice_id,
        document_id=item.document_id,
        draft_id=item.draft_id,
    )


def run_lines(s: Session, run_id: int) -> list[dict]:
    """Every line of a run in report order (documents first, then records without a document)."""
    return [
        row
        for (row,) in s.execute(
            select(ReconciliationItem.line).where(ReconciliationItem.run_id == run_id).order_by(ReconciliationItem.id)
        )
    ]
