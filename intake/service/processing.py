"""Processing one document job: claim it, run the pipeline on the stored original, store the invoices and
the outcome in one transaction. Running it twice gives the same rows (idempotent), so a job interrupted by
a crash is simply run again."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket

import cv2
from sqlalchemy import delete, select, update

from intake.models import ExtractionResult
from intake.service.context import ServiceContext
from intake.storage.db import session_scope
from intake.storage.service_tables import Document, ExtractedInvoice, utcnow

log = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(ctx: ServiceContext, doc_id: str, worker: str) -> bool:
    """Move a queued document to processing; False when another worker got it first or it is not queued."""
    with session_scope(ctx.sessions) as s:
        res = s.execute(
            update(Document)
            .where(Document.id == doc_id, Document.status == "queued")
            .values(status="processing", worker=worker, attempts=Document.attempts + 1, started_at=utcnow())
        )
        return res.rowcount == 1


def next_queued(ctx: ServiceContext, limit: int = 10) -> list[str]:
    with session_scope(ctx.sessions) as s:
        return list(s.scalars(select(Document.id).where(Document.status == "queued").order_by(Document.created_at).limit(limit)))


def requeue_interrupted(ctx: ServiceContext, older_than: dt.timedelta | None = None) -> int:
    """Jobs left in `processing` by a process that died go back to the queue (all of them at a single
    process's start; with shared workers only those older than ``older_than``)."""
    with session_scope(ctx.sessions) as s:
        stmt = update(Document).where(Document.status == "processing")
        if older_than is not None:
            stmt = stmt.where(Document.started_at < utcnow() - older_than)
        return s.execute(stmt.values(status="queued", worker=None)).rowcount


def process_document(ctx: ServiceContext, doc_id: str, worker: str | None = None) -> str:
    """Claim and process ``doc_id``; returns the document's final status (or its current one if not claimed).
    A back-fill whose last open document this was is then completed (by whichever worker got here)."""
    status = _process(ctx, doc_id, worker or worker_name())
    if status in ("done", "failed"):
        from intake.service.backfills import document_finished

        try:
            document_finished(ctx, doc_id)
        except Exception:  # the document is processed; the back-fill is retried at the next start
            log.exception("completing back-fills after %s failed", doc_id)
    return status


def _process(ctx: ServiceContext, doc_id: str, worker: str) -> str:
    if not claim(ctx, doc_id, worker):
        with session_scope(ctx.sessions) as s:
            doc = s.get(Document, doc_id)
            return doc.status if doc else "missing"
    with session_scope(ctx.sessions) as s:
        doc = s.get(Document, doc_id)
        filename, sha = doc.filename, doc.sha256
    try:
        data = ctx.blobs.get(sha)
        results = ctx.pipeline.process_bytes(data, filename, seen=_seen_in_db(ctx, doc_id), keep_image=_png_store(ctx))
    except Exception as exc:  # a bug, not bad input (the pipeline turns bad input into rejections)
        log.exception("processing %s failed", doc_id)
        _finish(ctx, doc_id, [], "failed", f"internal error while processing {filename}: {exc}")
        return "failed"
    readable = [r for r in results if r.invoice is not None]
    status = "done" if readable else "failed"
    try:
        _finish(ctx, doc_id, results, status, None if readable else "; ".join(r.error or "no invoice found" for r in results))
    except Exception as exc:  # results that cannot be stored must not leave the job `processing` for ever
        log.exception("storing the results of %s failed", doc_id)
        _finish(ctx, doc_id, [], "failed", f"internal error while storing the results of {filename}: {exc}")
        return "failed"
    return status


def _png_store(ctx: ServiceContext):
    """Keeps OCR'd page images (the prepared image the boxes refer to) in the blob store, as PNG."""

    def keep(image) -> str:
        ok, png = cv2.imencode(".png", image)
        return ctx.blobs.put(png.tobytes())

    return keep


def _seen_in_db(ctx: ServiceContext, doc_id: str):
    def lookup(key: str) -> str | None:
        with session_scope(ctx.sessions) as s:
            row = s.execute(
                select(Document.filename, Document.id)
                .join(ExtractedInvoice, ExtractedInvoice.document_id == Document.id)
                .where(ExtractedInvoice.invoice_key == key, Document.id != doc_id)
                .order_by(Document.created_at)
                .limit(1)
            ).first()
            return f"{row.filename} (document {row.id})" if row else None

    return lookup


def _finish(ctx: ServiceContext, doc_id: str, results: list[ExtractionResult], status: str, error: str | None) -> None:
    with session_scope(ctx.sessions) as s:
        s.execute(delete(ExtractedInvoice).where(ExtractedInvoice.document_id == doc_id))
        for position, r in enumerate(x for x in results if x.invoice is not None):
            s.add(invoice_row(doc_id, position, r))
        doc = s.get(Document, doc_id)
        doc.status, doc.error, doc.finished_at = status, error, utcnow()


def invoice_row(doc_id: str, position: int, r: ExtractionResult) -> ExtractedInvoice:
    inv = r.invoice
    return ExtractedInvoice(
        document_id=doc_id, position=position, status=r.status.value, invoice_type=inv.invoice_type.value,
        issue_date=inv.issue_date, total_amount=inv.total_amount, total_tax=inv.total_tax,
        amount_with_tax=inv.amount_with_tax, payload=r.to_contract(),
        **clipped(invoice_key=inv.key, invoice_code=inv.invoice_code, invoice_number=inv.invoice_number,
                  seller_name=inv.seller_name, seller_tax_id=inv.seller_tax_id, buyer_name=inv.buyer_name,
                  buyer_tax_id=inv.buyer_tax_id),
    )


def clipped(**values: str | None) -> dict[str, str | None]:
    """Text for the indexed columns, cut to their lengths: a hostile file's 300-character "invoice number"
    must not make PostgreSQL refuse the row (the payload keeps every value whole, and the rules flag it)."""
    columns = ExtractedInvoice.__table__.c
    return {k: v[:columns[k].type.length] if isinstance(v, str) else v for k, v in values.items()}

