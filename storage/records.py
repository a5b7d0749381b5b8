"""Keeping records, parties and header mappings in the database. An import is a sync: upsert by invoice
key, remember when each record was first and last seen, keep its status; drafts whose invoice now appears
are resolved in the same transaction (``fapiao.storage.drafts.resolve_imported``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from fapiao.core.messages import coded
from fapiao.matching.normalize import company_key, tax_id
from fapiao.matching.parties import PartyMaster
from fapiao.matching.records import Record
from fapiao.matching.records_import import ParsedExport
from fapiao.storage.drafts import resolve_imported
from fapiao.storage.matching_tables import HeaderMapping, ImportRowError, ImportRun, Party, PartyName, SystemRecord

RECORD_FIELDS = (
    "invoice_code",
    "invoice_number",
    "issue_date",
    "seller_tax_id",
    "seller_name",
    "buyer_tax_id",
    "buyer_name",
    "total_amount",
    "total_tax",
    "amount_with_tax",
    "status",
    "invoice_kind",
)
_CHUNK = 500


def sync_records(
    session: Session,
    parsed: ParsedExport,
    now: dt.datetime | None = None,
    *,
    source_sha256: str | None = None,
    actor: str | None = None,
) -> ImportRun:
    """Store one parsed export as an import run: new records inserted, known ones updated (status included)
    and marked seen, row errors kept, parties learned, matching drafts resolved."""

    now = now or dt.datetime.now(dt.UTC)
    run = ImportRun(
        source_name=parsed.source,
        started_at=now,
        header_row=parsed.header_row,
        mapping=parsed.header_map.as_saved(),
        headers=list(parsed.header_map.headers),
        vocabulary={"status_words": parsed.status_words, "unmapped_statuses": parsed.unmapped_statuses},
        rows_read=parsed.rows_read,
        source_sha256=source_sha256,
        actor=actor,
    )
    run.errors = [
        ImportRowError(row=e.row, column=e.column, reason=e.reason, **coded("reason", e.why)) for e in parsed.errors
    ]
    session.add(run)
    session.flush()
    by_key = {r.key: r for r in parsed.records}
    existing: dict[str, SystemRecord] = {}
    keys = list(by_key)
    for i in range(0, len(keys), _CHUNK):
        rows = session.scalars(select(SystemRecord).where(SystemRecord.invoice_key.in_(keys[i : i + _CHUNK])))
        existing.update({row.invoice_key: row for row in rows})
    for key, rec in by_key.items():
        row = existing.get(key)
        if row is None:
            session.add(
                SystemRecord(
                    invoice_key=key,
                    first_seen=now,
                    last_seen=now,
                    changed_at=now,
                    first_import_id=run.id,
                    last_import_id=run.id,
                    **{f: getattr(rec, f) for f in RECORD_FIELDS},
                )
            )
            run.inserted += 1
            continue
        changed = False
        for f in RECORD_FIELDS:
            new = getattr(rec, f)
            if new is not None and getattr(row, f) != new:
                setattr(row, f, new)
                changed = True
        row.last_seen, row.last_import_id = now, run.id
        if changed:
            row.changed_at = now
        run.updated += changed
        run.unchanged += not changed
    session.flush()
    learn_parties(session, ((r.seller_name, r.seller_tax_id) for r in parsed.records))
    learn_parties(session, ((r.buyer_name, r.buyer_tax_id) for r in parsed.records))
    run.drafts_resolved = resolve_imported(session, keys, actor=f"import #{run.id}")
    run.finished_at = dt.datetime.now(dt.UTC)
    session.flush()
    return run


def load_records(session: Session, date_from: dt.date | None = None, date_to: dt.date | None = None) -> list[Record]:
    return [rec for _, rec in load_records_with_ids(session, date_from, date_to)]


def load_records_with_ids(
    session: Session, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> list[tuple[int, Record]]:
    """Records (optionally by issue date) with their row ids, read column-wise without ORM objects."""
    cols = [getattr(SystemRecord, f) for f in RECORD_FIELDS]
    stmt = select(SystemRecord.id, *cols).order_by(SystemRecord.id)
    if date_from:
        stmt = stmt.where(SystemRecord.issue_date >= date_from)
    if date_to:
        stmt = stmt.where(SystemRecord.issue_date <= date_to)
    return [(row[0], Record(**dict(zip(RECORD_FIELDS, row[1:], strict=False)))) for row in session.execute(stmt)]


def last_import(session: Session) -> ImportRun | None:
    """The newest import that loaded (its header row is the layout drafts are exported in)."""
    return session.scalar(select(ImportRun).where(ImportRun.error.is_(None)).order_by(ImportRun.id.desc()).limit(1))


def learn_parties(session: Session, pairs: Iterable[tuple[str | None, str | None]], origin: str = "records") -> None:
    """Count each (name, tax ID) pair on its party; the canonical name follows the most frequent name. Run it
    inside ``retry_on_conflict``: a party another transaction inserted first is an IntegrityError to retry."""
    master = PartyMaster()
    for name, tid in pairs:
        master.add(name, tid)
    if not master.by_id:
        return
    ids = sorted(master.by_id)
    known: dict[str, Party] = {}
    for i in range(0, len(ids), _CHUNK):
        # Locked (in tax-ID order, so two imports cannot deadlock on them) and read afresh: the counts below
        # are read-modify-write, and a concurrent import must not add to a count we are about to overwrite.
        stmt = (
            select(Party)
            .where(Party.tax_id.in_(ids[i : i + _CHUNK]))
            .order_by(Party.tax_id)
            .with_for_update()
            .options(selectinload(Party.names))
            .execution_options(populate_existing=True)
        )
        known.update({p.tax_id: p for p in session.scalars(stmt)})
    for tid, seen in master.by_id.items():
        party = known.get(tid)
        if party is None:
            party = Party(tax_id=tid, canonical_name=seen.canonical_name)
            session.add(party)
        names = {n.name: n for n in party.names}
        for name, count in seen.names.items():
            if name in names:
                names[name].seen += count
            else:
                party.names.append(PartyName(name=name, name_key=company_key(name), seen=count, origin=origin))
        party.canonical_name = max(party.names, key=lambda n: (n.seen, -(n.id or 0))).name
    session.flush()


def load_master(session: Session) -> PartyMaster:
    master = PartyMaster()
    for party in session.scalars(select(Party).options(selectinload(Party.names))):
        for n in party.names:
            master.add(n.name, party.tax_id, n.seen)
    return master


def known_names(session: Session, tid: str) -> list[str]:
    """The names the party master knows this tax ID by (the verification stage's ``PartyLookup``)."""
    key = tax_id(tid)
    if not key:
        return []
    return list(
        session.scalars(select(PartyName.name).join(Party, PartyName.party_id == Party.id).where(Party.tax_id == key))
    )


def save_mapping(session: Session, name: str, mapping: dict[str, str]) -> HeaderMapping:
    """Save (or replace) an explicit header mapping under ``name``."""
    row = session.scalar(select(HeaderMapping).where(HeaderMapping.name == name))
    if row is None:
        row = HeaderMapping(name=name, mapping=dict(mapping))
        session.add(row)
    else:
        row.mapping = dict(mapping)
    session.flush()
    return row


def load_mapping(session: Session, name: str) -> dict[str, str | None] | None:
    row = session.scalar(select(HeaderMapping).where(HeaderMapping.name == name))
    return None if row is None else dict(row.mapping)
