"""Search in the service: one in-memory ``SearchIndex`` per process, filled from the database at first use
and brought up to date before each search (only rows inserted or changed since are read, so a million
records are loaded once, not per query). Shared by the API, the CLI and the UI."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fapiao.matching.search_index import Hit, Query, SearchIndex
from fapiao.service.context import ServiceContext
from fapiao.storage.db import session_scope
from fapiao.storage.matching_tables import Draft, SystemRecord
from fapiao.storage.service_tables import Document, ExtractedInvoice

_CHUNK = 50_000


@dataclass
class _Marks:
    records: dt.datetime | None = None
    record_id: int = 0
    invoices: dt.datetime | None = None
    invoice_id: int = 0
    drafts: dt.datetime | None = None
    draft_id: int = 0
    invoice_count: int = 0
    documents: dt.datetime | None = None
    document_count: int = 0


class Searcher:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.index = SearchIndex()
        self._marks = _Marks()
        self._lock = threading.Lock()

    def search(self, query: Query, limit: int = 50) -> dict:
        """``{"total": rows matching, "hits": the best ``limit`` of them}``."""
        with self._lock:
            self._refresh()  # a few indexed max()/count() queries when nothing changed: a search sees every edit
            found = self.index.search(query, limit)
        return {"total": found.total, "hits": [hit_view(h) for h in found.hits]}

    def refresh(self) -> None:
        with self._lock:
            self._refresh()

    def _refresh(self) -> None:
        with session_scope(self.ctx.sessions) as s:
            self._records(s)
            self._invoices(s)
            self._drafts(s)
            self._documents(s)

    def _records(self, s: Session) -> None:
        m = self._marks
        t = SystemRecord
        stmt = select(
            t.id,
            t.invoice_code,
            t.invoice_number,
            t.seller_tax_id,
            t.buyer_tax_id,
            t.seller_name,
            t.buyer_name,
            t.issue_date,
            t.total_amount,
            t.amount_with_tax,
            t.invoice_key,
            t.changed_at,
        )
        newest = s.scalar(select(func.max(t.changed_at)))
        top = s.scalar(select(func.max(t.id))) or 0
        if top <= m.record_id and (newest is None or (m.records is not None and newest <= m.records)):
            return
        cond = t.id > m.record_id
        if m.records is not None:
            cond = cond | (t.changed_at > m.records)
        for row in _chunked(s, stmt.where(cond)):
            self.index.add(
                "record",
                str(row.id),
                code=row.invoice_code,
                number=row.invoice_number,
                seller_tax_id=row.seller_tax_id,
                buyer_tax_id=row.buyer_tax_id,
                seller_name=row.seller_name,
                buyer_name=row.buyer_name,
                issue_date=row.issue_date,
                total_amount=row.total_amount,
                amount_with_tax=row.amount_with_tax,
                label=row.invoice_key,
            )
        m.record_id, m.records = max(m.record_id, top), newest

    def _invoices(self, s: Session) -> None:
        m = self._marks
        t = ExtractedInvoice
        count = s.scalar(select(func.count()).select_from(t)) or 0
        newest = s.scalar(select(func.max(t.updated_at)))
        top = s.scalar(select(func.max(t.id))) or 0
        if count != m.invoice_count:  # a document processed again replaces its invoices: retire the old rows
            live = {str(i) for i in s.scalars(select(t.id))}
            for ref in self.index.refs("invoice") - live:
                self.index.retire("invoice", ref)
        if top <= m.invoice_id and (newest is None or (m.invoices is not None and newest <= m.invoices)):
            m.invoice_count = count
            return
        cond = t.id > m.invoice_id
        if m.invoices is not None:
            cond = cond | (t.updated_at > m.invoices)
        stmt = (
            select(
                t.id,
                t.invoice_code,
                t.invoice_number,
                t.seller_tax_id,
                t.buyer_tax_id,
                t.seller_name,
                t.buyer_name,
                t.issue_date,
                t.total_amount,
                t.amount_with_tax,
                Document.filename,
            )
            .join(Document, Document.id == t.document_id)
            .where(cond)
        )
        for row in _chunked(s, stmt):
            self.index.add(
                "invoice",
                str(row.id),
                code=row.invoice_code,
                number=row.invoice_number,
                seller_tax_id=row.seller_tax_id,
                buyer_tax_id=row.buyer_tax_id,
                seller_name=row.seller_name,
                buyer_name=row.buyer_name,
                issue_date=row.issue_date,
                total_amount=row.total_amount,
                amount_with_tax=row.amount_with_tax,
                label=row.filename,
            )
        m.invoice_id, m.invoices, m.invoice_count = max(m.invoice_id, top), newest, count

    def _drafts(self, s: Session) -> None:
        m = self._marks
        newest = s.scalar(select(func.max(Draft.updated_at)))
        top = s.scalar(select(func.max(Draft.id))) or 0
        if top <= m.draft_id and (newest is None or (m.drafts is not None and newest <= m.drafts)):
            return
        cond = Draft.id > m.draft_id
        if m.drafts is not None:
            cond = cond | (Draft.updated_at > m.drafts)
        for d in s.scalars(select(Draft).where(cond)):
            p = d.payload
            self.index.add(
                "draft",
                str(d.id),
                code=p.get("invoice_code"),
                number=p.get("invoice_number"),
                seller_tax_id=p.get("seller_tax_id"),
                buyer_tax_id=p.get("buyer_tax_id"),
                seller_name=p.get("seller_name"),
                buyer_name=p.get("buyer_name"),
                issue_date=_date(p.get("issue_date")),
                total_amount=_money(p.get("total_amount")),
                amount_with_tax=_money(p.get("amount_with_tax")),
                label=f"{d.state} · {d.source or ''}",
            )
        m.draft_id, m.drafts = max(m.draft_id, top), newest

    def _documents(self, s: Session) -> None:
        """Every accepted document, by its file name and job status — also those that gave no invoice (queued,
        failed, not an invoice), which no other kind of row shows. Ids are not ordered: a document is read
        again when it was created, started or finished since the last look."""
        m = self._marks
        t = Document
        # one query before every search: how many, and the newest time any of them was created, started or ended
        count, *stamps = s.execute(
            select(func.count(), func.max(t.created_at), func.max(t.started_at), func.max(t.finished_at)).select_from(t)
        ).one()
        newest = max((x for x in stamps if x is not None), default=None)
        if count == m.document_count and (newest is None or (m.documents is not None and newest <= m.documents)):
            return
        stmt = select(t.id, t.filename, t.status)
        if m.documents is not None and count >= m.document_count:
            stmt = stmt.where(
                (t.created_at > m.documents) | (t.started_at > m.documents) | (t.finished_at > m.documents)
            )
        for row in _chunked(s, stmt):
            self.index.add("document", row.id, label=f"{row.filename} · {row.status}")
        m.documents, m.document_count = newest, count


def _chunked(s: Session, stmt):
    """Stream rows without holding a million ORM objects."""
    yield from s.execute(stmt.execution_options(yield_per=_CHUNK))


def _date(v: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(v) if v else None
    except ValueError:
        return None


def _money(v: str | None) -> Decimal | None:
    try:
        return Decimal(v) if v not in (None, "") else None
    except InvalidOperation:
        return None


LINKS = {
    "record": ("/api/v1/records?q={label}", None),
    "invoice": ("/api/v1/invoices/{ref}", "/ui/invoices/{ref}"),
    "draft": ("/api/v1/drafts/{ref}", "/ui/drafts/{ref}"),
    "document": ("/api/v1/documents/{ref}", None),
}


def hit_view(h: Hit) -> dict:
    api, ui = LINKS[h.kind]
    out = asdict(h)
    out["reasons"] = [r.text for r in h.reasons]
    out["reason_codes"] = [r.as_json() for r in h.reasons]
    out["api_url"] = api.format(ref=h.ref, label=h.label or h.number)
    out["ui_url"] = ui.format(ref=h.ref) if ui else None
    return out


_searcher_lock = threading.Lock()


def searcher(ctx: ServiceContext) -> Searcher:
    """The context's searcher, made at first use (the index lives as long as the context)."""
    with _searcher_lock:
        found = getattr(ctx, "_searcher", None)
        if found is None:
            found = Searcher(ctx)
            ctx._searcher = found  # type: ignore[attr-defined]
        return found
