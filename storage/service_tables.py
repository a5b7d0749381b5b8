"""Tables of the running service: uploaded documents (each one a job), the invoices read from them, API keys
and the audit log. Money is Numeric(18, 2) → Decimal."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, Numeric, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fapiao.core.states import JobStatus, ReviewState
from fapiao.storage.db import Base


def _uuid() -> str:
    return str(uuid.uuid4())


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Document(Base):
    """An accepted file: its original is in the blob store under ``sha256`` before this row is committed, and
    the row is the job record (queued → processing → done | failed)."""

    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    sha256: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    filename: Mapped[str] = mapped_column(String(512))
    size: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16))
    """api | drop_folder | cli | bulk"""
    batch: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True, default=JobStatus.queued)
    """A ``JobStatus``."""
    error: Mapped[str | None] = mapped_column(Text)
    """Why the job failed, in English; ``error_code`` and ``error_params`` are the same message for a UI to word
    (``core.messages``; None when the error is not one coded message, or in rows older than the codes)."""
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_params: Mapped[dict | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, server_default=func.now())
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    invoices: Mapped[list[ExtractedInvoice]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="ExtractedInvoice.position"
    )


class ExtractedInvoice(Base):
    """One invoice read from a document: indexed columns for lists and filters, the full contract JSON as read
    (``payload``), and the reviewer's state. ``version`` gives optimistic locking for concurrent reviewers."""

    __tablename__ = "extracted_invoices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    """verified | needs_review | rejected (as decided by the pipeline)"""
    review: Mapped[str] = mapped_column(String(16), default=ReviewState.pending, index=True)
    """A ``ReviewState``: pending | confirmed | rejected (by a reviewer)"""
    invoice_type: Mapped[str | None] = mapped_column(String(24))
    invoice_key: Mapped[str | None] = mapped_column(String(48), index=True)
    invoice_code: Mapped[str | None] = mapped_column(String(16))
    invoice_number: Mapped[str | None] = mapped_column(String(24), index=True)
    issue_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    seller_name: Mapped[str | None] = mapped_column(String(256))
    seller_tax_id: Mapped[str | None] = mapped_column(String(24), index=True)
    buyer_name: Mapped[str | None] = mapped_column(String(256))
    buyer_tax_id: Mapped[str | None] = mapped_column(String(24))
    total_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    total_tax: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    amount_with_tax: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    payload: Mapped[dict] = mapped_column(JSON)
    match_category: Mapped[str | None] = mapped_column(String(32), index=True)
    """What the latest reconciliation said about this invoice (matched, missing_in_system, …); None before any."""
    match_record_key: Mapped[str | None] = mapped_column(String(48))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    document: Mapped[Document] = relationship(back_populates="invoices")
    __mapper_args__ = {"version_id_col": version}


class ApiKey(Base):
    """An API key: only its SHA-256 is stored; ``prefix`` lets people tell keys apart in lists."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, server_default=func.now())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """Who changed what, when: every field edit (of an invoice or a draft), confirmation and rejection."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, server_default=func.now())
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("extracted_invoices.id", ondelete="SET NULL"), index=True)
    document_id: Mapped[str | None] = mapped_column(String(36), index=True)
    draft_id: Mapped[int | None] = mapped_column(Integer, index=True)
    """The back-entry draft whose field was edited (``action`` "draft_edit"); None for invoice entries."""
    field: Mapped[str | None] = mapped_column(String(64))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict | None] = mapped_column(JSON)


class AlertNotification(Base):
    """An alert that was posted to the webhook (so it is posted once, not at every check)."""

    __tablename__ = "alert_notifications"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    posted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DocumentUploader(Base):
    """Which API keys uploaded a document (the same bytes sent by two uploaders are one document, owned by
    both): an uploader sees only the documents it sent."""

    __tablename__ = "document_uploaders"

    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"), primary_key=True, index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RevokedSession(Base):
    """A UI session cookie ended by logging out, kept until it would have expired anyway."""

    __tablename__ = "revoked_sessions"

    cookie_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class DocumentBatch(Base):
    """Every batch a document was uploaded under (``Document.batch`` keeps the first): the same bytes sent again
    with another batch belong to both."""

    __tablename__ = "document_batches"

    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    batch: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
