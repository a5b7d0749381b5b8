"""Tables of reconciliation: the system's invoice records (synced by each import), import runs with their
row errors, the party master (tax ID ↔ canonical name, with the name variants seen), saved header mappings
and back-entry drafts with the audit of their transitions. Money is Numeric(18, 2) → Decimal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fapiao.core.states import DraftState
from fapiao.storage.db import Base
from fapiao.storage.service_tables import utcnow

Money = Numeric(18, 2)


class ImportRun(Base):
    """One import of a records export (a sync): what was read, how columns were mapped, what changed."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_name: Mapped[str] = mapped_column(String(512))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    header_row: Mapped[int] = mapped_column(Integer, default=1)
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    """Our field → the header it was read from."""
    headers: Mapped[list | None] = mapped_column(JSON)
    """The header row as it was, in order: back-entry drafts are exported in this layout."""
    vocabulary: Mapped[dict | None] = mapped_column(JSON)
    """``status_words`` (our status → the file's word, e.g. normal → posted: drafts are exported in it) and
    ``unmapped_statuses`` (a status value no alias knows → its rows, which were kept as normal)."""
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    """The file itself, kept in the blob store, so the last import can be run again."""
    actor: Mapped[str | None] = mapped_column(String(128))
    error: Mapped[str | None] = mapped_column(Text)
    """Why the file as a whole could not be imported (then nothing was loaded)."""
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    drafts_resolved: Mapped[int] = mapped_column(Integer, default=0)

    errors: Mapped[list[ImportRowError]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="ImportRowError.row"
    )


class ImportRowError(Base):
    """A row that was not loaded, by its row number in the file (1-based, as a spreadsheet shows it)."""

    __tablename__ = "import_row_errors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("import_runs.id", ondelete="CASCADE"), index=True)
    row: Mapped[int] = mapped_column(Integer)
    column: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text)
    """In English; ``reason_code`` and ``reason_params`` are the same message for a UI to word (``core.messages``;
    None in rows older than the codes)."""
    reason_code: Mapped[str | None] = mapped_column(String(64))
    reason_params: Mapped[dict | None] = mapped_column(JSON)

    run: Mapped[ImportRun] = relationship(back_populates="errors")


class SystemRecord(Base):
    """One invoice as the company's system (tax bureau export or ERP ledger) knows it, keyed like
    ``Invoice.key`` (code:number, or the 20-digit 数电 number)."""

    __tablename__ = "system_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    invoice_key: Mapped[str] = mapped_column(String(48), unique=True, index=True)
    invoice_code: Mapped[str | None] = mapped_column(String(16))
    invoice_number: Mapped[str] = mapped_column(String(24), index=True)
    issue_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    seller_tax_id: Mapped[str | None] = mapped_column(String(24), index=True)
    seller_name: Mapped[str | None] = mapped_column(String(256))
    buyer_tax_id: Mapped[str | None] = mapped_column(String(24))
    buyer_name: Mapped[str | None] = mapped_column(String(256))
    total_amount: Mapped[Decimal | None] = mapped_column(Money)
    total_tax: Mapped[Decimal | None] = mapped_column(Money)
    amount_with_tax: Mapped[Decimal | None] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(16), default="normal", index=True)
    """normal (正常) | voided (作废) | red_letter (红冲)"""
    invoice_kind: Mapped[str | None] = mapped_column(String(64))
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    first_import_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id", ondelete="SET NULL"))
    last_import_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id", ondelete="SET NULL"), index=True)
    changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    """When an import last inserted or changed this record (not merely saw it): what search refreshes by."""


class Party(Base):
    """A counterparty: one tax ID, its canonical name (the one seen most often) and the variants seen."""

    __tablename__ = "parties"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tax_id: Mapped[str] = mapped_column(String(24), unique=True, index=True)
    canonical_name: Mapped[str] = mapped_column(String(256))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    names: Mapped[list[PartyName]] = relationship(
        back_populates="party", cascade="all, delete-orphan", order_by="PartyName.id"
    )


class PartyName(Base):
    """A name written for a party, how often, and where it was seen (records | confirmed | reviewer)."""

    __tablename__ = "party_names"
    __table_args__ = (UniqueConstraint("party_id", "name", name="uq_party_names_party_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(256))
    name_key: Mapped[str] = mapped_column(String(256), index=True)
    seen: Mapped[int] = mapped_column(Integer, default=1)
    origin: Mapped[str] = mapped_column(String(16), default="records")

    party: Mapped[Party] = relationship(back_populates="names")


class HeaderMapping(Base):
    """A saved explicit mapping (our field → header) for an export layout that automatic mapping gets wrong."""

    __tablename__ = "header_mappings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    mapping: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Draft(Base):
    """A back-entry (补录) draft for an invoice missing in the system: draft → confirmed → exported →
    resolved (when a later import contains it), or discarded. ``payload`` is the invoice as in the CLI
    contract, completed from the party master; reviewers edit it before confirming."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    invoice_key: Mapped[str] = mapped_column(String(48), index=True)
    state: Mapped[str] = mapped_column(String(16), default=DraftState.draft, index=True)
    """A ``DraftState``."""
    source: Mapped[str | None] = mapped_column(String(512))
    extracted_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("extracted_invoices.id", ondelete="SET NULL"))
    payload: Mapped[dict] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    resolved_record_id: Mapped[int | None] = mapped_column(ForeignKey("system_records.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    transitions: Mapped[list[DraftTransition]] = relationship(
        back_populates="draft", cascade="all, delete-orphan", order_by="DraftTransition.id"
    )
    __mapper_args__ = {"version_id_col": version}


class DraftTransition(Base):
    """Audit of a draft's life: who moved it from which state to which, when, and why."""

    __tablename__ = "draft_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(128))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    """In English, its parts joined by "; "; ``note_codes`` lists the same parts as messages (``{code, params}``,
    ``core.messages``) for a UI to word (None in rows older than the codes)."""
    note_codes: Mapped[list | None] = mapped_column(JSON)

    draft: Mapped[Draft] = relationship(back_populates="transitions")


class ReconciliationRun(Base):
    """One reconciliation of the documents in a scope (a batch, an issue-date range, or everything) with the
    records known at that moment; its items keep each line of the report."""

    __tablename__ = "reconciliation_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(128))
    batch: Mapped[str | None] = mapped_column(String(64))
    date_from: Mapped[dt.date | None] = mapped_column(Date)
    date_to: Mapped[dt.date | None] = mapped_column(Date)
    records: Mapped[int] = mapped_column(Integer, default=0)
    """Records in the system when the run was made."""
    documents: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    """Category → number of lines."""
    drafts_created: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)

    items: Mapped[list[ReconciliationItem]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="ReconciliationItem.id"
    )


class ReconciliationItem(Base):
    """One line of a reconciliation report: a document's category, or a record without a document. ``line``
    is the line exactly as `fapiao reconcile --json` prints it."""

    __tablename__ = "reconciliation_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("reconciliation_runs.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(32), index=True)
    extracted_invoice_id: Mapped[int | None] = mapped_column(
        ForeignKey("extracted_invoices.id", ondelete="SET NULL"), index=True
    )
    document_id: Mapped[str | None] = mapped_column(String(36))
    system_record_id: Mapped[int | None] = mapped_column(ForeignKey("system_records.id", ondelete="SET NULL"))
    invoice_key: Mapped[str | None] = mapped_column(String(48), index=True)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id", ondelete="SET NULL"))
    line: Mapped[dict] = mapped_column(JSON)

    run: Mapped[ReconciliationRun] = relationship(back_populates="items")
