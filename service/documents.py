"""Accepting a document: the original is stored and the job row committed BEFORE the caller acknowledges,
so an accepted upload survives a crash. Accepting the same bytes twice returns the first document."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from fapiao.core.errors import UnsupportedFormat
from fapiao.core.limits import check_size
from fapiao.core.states import JobStatus
from fapiao.intake.loaders.sniff import ACCEPTED_KINDS, DocumentKind, active_content, sniff
from fapiao.service.context import ServiceContext
from fapiao.storage.db import session_scope
from fapiao.storage.service_tables import Document


@dataclass(frozen=True)
class Accepted:
    id: str
    sha256: str
    status: str
    created: bool
    """False when the same content had been accepted before (idempotent upload)."""


def accept(
    ctx: ServiceContext, data: bytes, filename: str, source: str, batch: str | None = None, *, check_type: bool = True
) -> Accepted:
    """Store ``data`` and commit its job. A file whose bytes are no accepted type (README: "Only these file types
    are accepted") is refused here, unless ``check_type`` is False: a back-fill keeps such members as failed
    jobs, so its log and reconciliation report list them as `rejected` beside the others."""
    check_size(data, filename, ctx.settings.max_upload_bytes, empty_hint="check that the upload finished")
    active = active_content(data)
    if active:  # never stored, so never served: a browser would render or run it
        raise UnsupportedFormat(
            f"{filename}: {active} content is refused; it is not an invoice",
            hint="upload the invoice itself (PDF, OFD, XML or an image)",
        )
    kind = sniff(data)
    if check_type and kind not in ACCEPTED_KINDS:  # refused now, not stored and failed later
        what = "a zip archive" if kind is DocumentKind.zip else "a file of unknown type"
        raise UnsupportedFormat(
            f"{filename}: {what}, not a PDF, image (JPEG/PNG/TIFF/BMP/WebP), OFD or invoice XML",
            hint="upload the invoice file itself"
            + ("; send archives to POST /api/v1/backfills" if kind is DocumentKind.zip else ""),
        )
    sha = ctx.blobs.put(data)
    with session_scope(ctx.sessions) as s:
        existing = s.scalar(select(Document).where(Document.sha256 == sha))
        if existing is not None:
            return Accepted(existing.id, sha, existing.status, created=False)
    try:
        with session_scope(ctx.sessions) as s:
            doc = Document(
                sha256=sha, filename=filename[:512], size=len(data), source=source, batch=batch, status=JobStatus.queued
            )
            s.add(doc)
            s.flush()
            return Accepted(doc.id, sha, doc.status, created=True)
    except IntegrityError:  # the same bytes were accepted concurrently
        with session_scope(ctx.sessions) as s:
            doc = s.scalar(select(Document).where(Document.sha256 == sha))
            return Accepted(doc.id, sha, doc.status, created=False)
