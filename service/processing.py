"""Processing one document job: claim it, run the pipeline on the stored original, store the invoices and
the outcome in one transaction. Running it twice gives the same rows (idempotent), so a job interrupted by
a crash is simply run again."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from pathlib import Path

import cv2
from sqlalchemy import and_, delete, or_, select, update

from fapiao.core.messages import Message
from fapiao.core.models import ExtractionResult
from fapiao.core.states import JobStatus
from fapiao.service.context import ServiceContext
from fapiao.storage.db import session_scope
from fapiao.storage.service_tables import Document, ExtractedInvoice, utcnow

log = logging.getLogger(__name__)


def _pid_namespace() -> str:
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        return "-"


PID_NAMESPACE = _pid_namespace()
"""With the host name, says whether a worker's process id can be checked from here (containers sharing a
host name have their own pid namespaces)."""


def worker_name() -> str:
    """``host:pid:pid-namespace``; the in-process executor adds ``:thread``."""
    return f"{socket.gethostname()}:{os.getpid()}:{PID_NAMESPACE}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed child its parent has not reaped yet is a zombie: dead all the same
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def died_here(worker: str | None) -> bool:
    """True when ``worker`` names a process on this machine (same host and pid namespace) that no longer
    exists: its job was cut off (kill -9, the OOM killer) and nobody else will finish it."""
    parts = (worker or "").split(":")
    if len(parts) < 3 or parts[0] != socket.gethostname() or parts[2] != PID_NAMESPACE or not parts[1].isdigit():
        return False
    return not _alive(int(parts[1]))


def claim(ctx: ServiceContext, doc_id: str, worker: str) -> bool:
    """Move a queued document to processing; False when another worker got it first or it is not queued.
    A document left `processing` by a process of this machine that died is taken over (the broker
    redelivers the task of a worker killed mid-job)."""
    with session_scope(ctx.sessions) as s:
        res = s.execute(
            update(Document)
            .where(Document.id == doc_id, Document.status == JobStatus.queued)
            .values(status=JobStatus.processing, worker=worker, attempts=Document.attempts + 1, started_at=utcnow())
        )
        if res.rowcount == 1:
            return True
        doc = s.get(Document, doc_id)
        if doc is None or doc.status != JobStatus.processing or not died_here(doc.worker):
            return False
        return (
            s.execute(
                update(Document)
                .where(Document.id == doc_id, Document.status == JobStatus.processing, Document.worker == doc.worker)
                .values(worker=worker, attempts=Document.attempts + 1, started_at=utcnow())
            ).rowcount
            == 1
        )


def next_queued(ctx: ServiceContext, limit: int = 10) -> list[str]:
    with session_scope(ctx.sessions) as s:
        return list(
            s.scalars(
                select(Document.id)
                .where(Document.status == JobStatus.queued)
                .order_by(Document.created_at)
                .limit(limit)
            )
        )


def requeue_abandoned(ctx: ServiceContext, older_than: dt.timedelta) -> list[str]:
    """Jobs `processing` by a process of this machine that died, or for longer than ``older_than``, back to
    the queue (each with a conditional update, so a job finished meanwhile stays finished); their ids."""
    with session_scope(ctx.sessions) as s:
        rows = s.execute(
            select(Document.id, Document.worker, Document.started_at).where(Document.status == JobStatus.processing)
        ).all()
    limit = utcnow() - older_than
    stale = [r for r in rows if died_here(r.worker) or (r.started_at is not None and _aware(r.started_at) < limit)]
    out = []
    for r in stale:
        with session_scope(ctx.sessions) as s:
            if s.execute(
                update(Document)
                .where(Document.id == r.id, Document.status == JobStatus.processing, Document.worker == r.worker)
                .values(status=JobStatus.queued, worker=None)
            ).rowcount:
                out.append(r.id)
    return out


def _aware(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)  # SQLite gives naive UTC times back


def requeue_interrupted(ctx: ServiceContext, older_than: dt.timedelta | None = None) -> int:
    """Jobs left in `processing` by a process that died go back to the queue (all of them at a single
    process's start; with shared workers only those older than ``older_than``)."""
    with session_scope(ctx.sessions) as s:
        stmt = update(Document).where(Document.status == JobStatus.processing)
        if older_than is not None:
            stmt = stmt.where(Document.started_at < utcnow() - older_than)
        return s.execute(stmt.values(status=JobStatus.queued, worker=None)).rowcount


def process_document(ctx: ServiceContext, doc_id: str, worker: str | None = None) -> str:
    """Claim and process ``doc_id``; returns the document's final status (or its current one if not claimed).
    Then the context's ``document_finished`` hooks run (a back-fill whose last open document this was is
    completed, by whichever worker got here)."""
    status = _process(ctx, doc_id, worker or worker_name())
    if status in (JobStatus.done, JobStatus.failed):
        for hook in ctx.document_finished:
            try:
                hook(ctx, doc_id)
            except Exception:  # the document is processed; a listener catches up at the next start
                log.exception("document-finished hook %s after %s failed", getattr(hook, "__name__", hook), doc_id)
    return status


def _process(ctx: ServiceContext, doc_id: str, worker: str) -> str:
    if not claim(ctx, doc_id, worker):
        with session_scope(ctx.sessions) as s:
            doc = s.get(Document, doc_id)
            return doc.status if doc else "missing"
    with session_scope(ctx.sessions) as s:
        doc = s.get_one(Document, doc_id)  # just claimed, so it exists
        filename, sha = doc.filename, doc.sha256
    try:
        data = ctx.blobs.get(sha)
        results = ctx.pipeline.process_bytes(data, filename, seen=seen_in_db(ctx, doc_id), keep_image=_png_store(ctx))
    except Exception as exc:  # a bug, not bad input (the pipeline turns bad input into rejections)
        log.exception("processing %s failed", doc_id)
        why = Message.of("processing_failed", name=filename, error=exc)
        _finish(ctx, doc_id, [], JobStatus.failed, why.text, why)
        return JobStatus.failed
    readable = [r for r in results if r.invoice is not None]
    status = JobStatus.done if readable else JobStatus.failed
    error, error_message = (None, None) if readable else _why_failed(results)
    try:
        _finish(ctx, doc_id, results, status, error, error_message)
    except Exception as exc:  # results that cannot be stored must not leave the job `processing` for ever
        log.exception("storing the results of %s failed", doc_id)
        why = Message.of("storing_failed", name=filename, error=exc)
        _finish(ctx, doc_id, [], JobStatus.failed, why.text, why)
        return JobStatus.failed
    return status


def _why_failed(results: list[ExtractionResult]) -> tuple[str, Message | None]:
    """Why no invoice was read from a document: every rejection's text (in English), and the message when
    there is one rejection and it has one."""
    nothing = Message.of("no_invoice_found")
    texts = [r.error or nothing.text for r in results]
    messages = [r.error_message if r.error else nothing for r in results]
    return "; ".join(texts), messages[0] if len(messages) == 1 else None


def _png_store(ctx: ServiceContext):
    """Keeps OCR'd page images (the prepared image the boxes refer to) in the blob store, as PNG."""

    def keep(image) -> str:
        ok, png = cv2.imencode(".png", image)
        return ctx.blobs.put(png.tobytes())

    return keep


def seen_in_db(ctx: ServiceContext, doc_id: str, before: dt.datetime | None = None):
    """Invoice key → the earliest other document holding that invoice. ``before`` (the document's own upload
    time) limits it to documents uploaded earlier: when the rules run again after an edit, the first copy of an
    invoice stays the original and every later copy stays flagged as a duplicate."""

    def lookup(key: str) -> str | None:
        with session_scope(ctx.sessions) as s:
            stmt = (
                select(Document.filename, Document.created_at)
                .join(ExtractedInvoice, ExtractedInvoice.document_id == Document.id)
                .where(ExtractedInvoice.invoice_key == key, Document.id != doc_id)
                .order_by(Document.created_at)
                .limit(1)
            )
            if before is not None:  # uploaded at the same moment: the smaller id counts as the earlier
                stmt = stmt.where(
                    or_(Document.created_at < before, and_(Document.created_at == before, Document.id < doc_id))
                )
            row = s.execute(stmt).first()
            return f"{row.filename} ({_aware(row.created_at):%Y-%m-%d %H:%M} UTC)" if row else None

    return lookup


def _finish(
    ctx: ServiceContext,
    doc_id: str,
    results: list[ExtractionResult],
    status: str,
    error: str | None,
    why: Message | None = None,
) -> None:
    """Store the invoices read and the job's outcome; ``why`` is ``error`` as a coded message, when it is one."""
    with session_scope(ctx.sessions) as s:
        s.execute(delete(ExtractedInvoice).where(ExtractedInvoice.document_id == doc_id))
        for position, r in enumerate(x for x in results if x.invoice is not None):
            s.add(invoice_row(doc_id, position, r))
        doc = s.get_one(Document, doc_id)
        doc.status, doc.error, doc.finished_at = status, error, utcnow()
        doc.error_code = why.code if why else None
        doc.error_params = dict(why.params) if why else None


def invoice_row(doc_id: str, position: int, r: ExtractionResult) -> ExtractedInvoice:
    inv = r.invoice
    if inv is None:
        raise ValueError(f"{r.source}: a result without an invoice has no row (it is stored as the document's error)")
    return ExtractedInvoice(
        document_id=doc_id,
        position=position,
        status=r.status.value,
        invoice_type=inv.invoice_type.value,
        issue_date=inv.issue_date,
        total_amount=inv.total_amount,
        total_tax=inv.total_tax,
        amount_with_tax=inv.amount_with_tax,
        payload=r.to_contract(),
        **clipped(
            invoice_key=inv.key,
            invoice_code=inv.invoice_code,
            invoice_number=inv.invoice_number,
            seller_name=inv.seller_name,
            seller_tax_id=inv.seller_tax_id,
            buyer_name=inv.buyer_name,
            buyer_tax_id=inv.buyer_tax_id,
        ),
    )


def clipped(**values: str | None) -> dict[str, str | None]:
    """Text for the indexed columns, cut to their lengths: a hostile file's 300-character "invoice number"
    must not make PostgreSQL refuse the row (the payload keeps every value whole, and the rules flag it)."""
    columns = ExtractedInvoice.__table__.c
    return {k: v[: columns[k].type.length] if isinstance(v, str) else v for k, v in values.items()}
