"""Tables of service back-fills: one row per back-fill (a zip or a server-side folder of invoices, optionally
with a records export), and which documents it holds. A document accepted before (same content) is shared,
not copied, so membership is its own table rather than the document's batch."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fapiao.core.states import BackfillStatus
from fapiao.storage.db import Base
from fapiao.storage.service_tables import utcnow


def _uuid() -> str:
    return str(uuid.uuid4())


class Backfill(Base):
    """ingesting (files being accepted) → processing (jobs running) → reconciling → done | failed."""

    __tablename__ = "backfills"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default=BackfillStatus.ingesting, index=True)
    """A ``BackfillStatus``."""
    source_kind: Mapped[str] = mapped_column(String(8))
    """zip | folder"""
    source_name: Mapped[str] = mapped_column(String(1024))
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    """The uploaded zip, in the blob store."""
    records_import_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id", ondelete="SET NULL"))
    total: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    refusals: Mapped[list] = mapped_column(JSON, default=list)
    """Files refused before reading: [{"name", "error"}]."""
    reconciliation_run_id: Mapped[int | None] = mapped_column(ForeignKey("reconciliation_runs.id", ondelete="SET NULL"))
    outputs: Mapped[dict] = mapped_column(JSON, default=dict)
    """Output file name → sha256 in the blob store."""
    error: Mapped[str | None] = mapped_column(Text)


class BackfillDocument(Base):
    """Document ``document_id`` is file ``position`` (``name``) of back-fill ``backfill_id``."""

    __tablename__ = "backfill_documents"
    __table_args__ = (UniqueConstraint("backfill_id", "position", name="uq_backfill_documents_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    backfill_id: Mapped[str] = mapped_column(ForeignKey("backfills.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(1024))
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
