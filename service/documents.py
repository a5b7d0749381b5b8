"""Accepting a document: the original is stored and the job row committed BEFORE the caller acknowledges,
so an accepted upload survives a crash. Accepting the same bytes twice returns the first document."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from fapiao.core.errors import UnsupportedFormat
from fapiao.core.limits import check_size
from fapiao.core.messages import Message
from fapiao.core.states import JobStatus
from fapiao.intake.loaders.sniff import ACCEPTED_KINDS, DocumentKind, active_content, sniff
from fapiao.service.context import ServiceContext
from fapiao.storage.db import session_scope
from fapiao.storage.service_tables import Document, DocumentBatch, DocumentUploader


@dataclass(frozen=True)
class Accepted:
    id: str
    sha256: str
    status: str
    created: bool
    """False when the same content had been accepted before (idempotent upload)."""


def accept(
    ctx: ServiceContext,
    data: bytes,
    filename: str,
    source: str,
    batch: str | None = None,
    *,
    check_type: bool = True,
    uploader: int | None = None,
) -> Accepted:
    """Store ``data`` and commit its job. A file whose bytes are no accepted type (README: "Only these file types
    are accepted") is refused here, unless ``check_type`` is False: a back-fill keeps such members as failed
    jobs, so its log and reconciliation report list them as `rejected` beside the others. ``uploader`` (an API
    key id) is recorded as one of the document's uploaders, who may then read its status."""
    check_size(data, filename, ctx.settings.max_upload_bytes, empty_hint="check that the upload finished")
    active = active_content(data)
    if active:  # never stored, so never served: a browser would render or run it
        raise UnsupportedFormat(
            Message.of("file_active_content", name=filename, active=active),
            hint="upload the invoice itself (PDF, OFD, XML or an image)",
        )
    kind = sniff(data)
    if check_type and kind not in ACCEPTED_KINDS:  # refused now, not stored and failed later
        raise UnsupportedFormat(
            Message.of("file_zip" if kind is DocumentKind.zip else "file_unknown_type", name=filename),
            hint="upload the invoice file itself"
            + ("; send archives to POST /api/v1/backfills" if kind is DocumentKind.zip else ""),
        )
    sha = ctx.blobs.put(data)
    got = _existing(ctx, sha)
    if got is None:
        try:
            with session_scope(ctx.sessions) as s:
                doc = Document(
                    sha256=sha,
                    filename=filename[:512],
                    size=len(data),
                    source=source,
                    batch=batch,
                    status=JobStatus.queued,
                )
                s.add(doc)
                s.flush()
                got = Accepted(doc.id, sha, doc.status, created=True)
                if uploader is not None:
                    s.add(DocumentUploader(document_id=doc.id, key_id=uploader))
                if batch is not None:
                    s.add(DocumentBatch(document_id=doc.id, batch=batch))
                return got
        except IntegrityError:  # the same bytes were accepted concurrently
            got = _existing(ctx, sha)
    if got is None:  # pragma: no cover - a row that was there a moment ago
        raise RuntimeError(f"{filename}: its document vanished while it was being accepted")
    if uploader is not None:
        _link(ctx, DocumentUploader, document_id=got.id, key_id=uploader)
    if batch is not None:  # sent again under another batch: it belongs to that one too
        _link(ctx, DocumentBatch, document_id=got.id, batch=batch)
    return got


def _existing(ctx: ServiceContext, sha: str) -> Accepted | None:
    with session_scope(ctx.sessions) as s:
        doc = s.scalar(select(Document).where(Document.sha256 == sha))
        return None if doc is None else Accepted(doc.id, sha, doc.status, created=False)


def _link(ctx: ServiceContext, table, **key) -> None:
    """Add the row ``key`` to ``table`` (an uploader or a batch of a document) unless it is there."""
    try:
        with session_scope(ctx.sessions) as s:
            if s.get(table, tuple(key.values())) is None:
                s.add(table(**key))
    except IntegrityError:  # added at the same moment by another request
        pass


def owned_by(key_id: int):
    """A WHERE clause: the documents ``key_id`` uploaded."""
    return Document.id.in_(select(DocumentUploader.document_id).where(DocumentUploader.key_id == key_id))
