"""Back-entry drafts in the service: list, edit (the rules run on the edited invoice), confirm, discard,
reopen, and export in the system's own import layout. Transitions and edits are audited
(``fapiao.matching.drafts``); a stale ``version`` is a conflict, never a silent overwrite."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select

from fapiao.core.errors import Conflict, FapiaoError, InvalidEdit, NotFound
from fapiao.core.messages import Message
from fapiao.core.models import Invoice
from fapiao.core.states import DraftState
from fapiao.intake.rules import RuleContext, run_rules
from fapiao.matching.export import TAX_BUREAU_HEADERS, write_drafts_json, write_drafts_xlsx
from fapiao.service.context import ServiceContext
from fapiao.service.review import OpenErrors, check_editable, open_errors, validated_invoice
from fapiao.storage.db import page_of, session_scope
from fapiao.storage.drafts import edit, transition
from fapiao.storage.matching_tables import Draft, ImportRun
from fapiao.storage.records import last_import

DRAFT_STATES = tuple(DraftState)
EXPORT_FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


class NothingToExport(FapiaoError):
    code = "nothing_to_export"


def _load(s, draft_id: int, version: int | None) -> Draft:
    draft = s.get(Draft, draft_id)
    if draft is None:
        raise NotFound(f"no draft {draft_id}", hint="list the drafts with GET /api/v1/drafts")
    if version is not None and draft.version != version:
        raise Conflict(
            f"draft {draft_id} was changed by someone else (version {draft.version}, yours {version})",
            hint="reload the draft, then apply your change again",
        )
    return draft


def draft_findings(payload: dict[str, Any], ctx: ServiceContext) -> list[dict]:
    """The verification rules on the draft as it now stands (arithmetic, IDs, codes, amount in words)."""
    invoice = Invoice.model_validate(payload)
    opts = ctx.pipeline.options.verify
    rc = RuleContext(today=opts.today or dt.date.today(), own_tax_ids=frozenset(opts.own_tax_ids))
    return [f.model_dump(mode="json") for f in run_rules(invoice, rc)]


def list_drafts(ctx: ServiceContext, state: str | None, q: str | None, page: int, size: int) -> tuple[int, list[dict]]:
    with session_scope(ctx.sessions) as s:
        stmt = select(Draft)
        if state:
            stmt = stmt.where(Draft.state == state)
        if q:
            stmt = stmt.where(
                or_(Draft.invoice_key.contains(q, autoescape=True), Draft.source.contains(q, autoescape=True))
            )
        order = (Draft.state != DraftState.draft, Draft.state != DraftState.confirmed, Draft.id.desc())
        total, rows = page_of(s, stmt, order, page, size)
        return total, [draft_view(d) for d in rows]


def get_draft(ctx: ServiceContext, draft_id: int) -> dict:
    with session_scope(ctx.sessions) as s:
        return draft_view(_load(s, draft_id, None), history=True)


def edit_draft(ctx: ServiceContext, draft_id: int, version: int, changes: dict[str, Any], actor: str) -> dict:
    """Change fields of a draft that nobody has confirmed yet (reopen a confirmed one first)."""
    check_editable(changes)
    with session_scope(ctx.sessions) as s:
        draft = _load(s, draft_id, version)
        invoice = validated_invoice({**draft.payload, **changes})
        normalised = invoice.model_dump(mode="json")
        edits = {k: normalised[k] for k in changes}
        draft.payload = {**draft.payload, "findings": draft_findings({**draft.payload, **edits}, ctx)}
        edit(s, draft, edits, actor)  # one flush: the version moves by one
        return draft_view(draft, history=True)


OVERRIDE = "confirmed_over_errors"
"""Payload key of a draft confirmed over open errors: the reason, the error codes and who; reopening clears it."""


def move_draft(
    ctx: ServiceContext,
    draft_id: int,
    version: int,
    to_state: str,
    actor: str,
    note: str | None = None,
    override: str | None = None,
) -> dict:
    """confirm (draft → confirmed), discard, reopen (confirmed → draft); the lifecycle refuses the rest.
    Confirming a draft whose rules report errors needs ``override``, the reason (audited, and it lets the
    export take the draft as it is)."""
    notes: list[Message] = []
    with session_scope(ctx.sessions) as s:
        draft = _load(s, draft_id, version)
        if to_state == DraftState.confirmed and draft.state == DraftState.draft:
            errors = open_errors(draft.payload.get("findings") or [])
            reason = (override or "").strip()
            if errors and not reason:
                raise OpenErrors(
                    f"draft {draft_id} still has {len(errors)} error(s): {', '.join(errors)}",
                    errors,
                    hint="correct the fields, or confirm with an override and its reason (it is audited)",
                )
            if errors:
                draft.payload = {**draft.payload, OVERRIDE: {"reason": reason, "errors": errors, "actor": actor}}
                notes.append(Message.of("draft_confirmed_over_errors", errors=len(errors), reason=reason))
        elif to_state == DraftState.draft and OVERRIDE in draft.payload:
            draft.payload = {k: v for k, v in draft.payload.items() if k != OVERRIDE}
        transition(s, draft.id, to_state, actor, note=note, notes=notes)
        return draft_view(draft, history=True)


def _unexportable(drafts: list[Draft]) -> list[Draft]:
    """Drafts whose rules report errors nobody confirmed over (their error codes changed since, or none given)."""
    out = []
    for d in drafts:
        errors = open_errors(d.payload.get("findings") or [])
        allowed = set((d.payload.get(OVERRIDE) or {}).get("errors") or ())
        if errors and not set(errors) <= allowed:
            out.append(d)
    return out


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    media_type: str
    drafts: int


TAX_BUREAU = "tax_bureau"
"""The layout name of the tax bureau's own export (its headers and words), whatever was imported last."""


def export_drafts(
    ctx: ServiceContext,
    fmt: str,
    actor: str,
    ids: list[int] | None = None,
    include_exported: bool = False,
    layout: str | None = None,
) -> ExportFile:
    """Confirmed drafts (all, or those in ``ids``), marked exported in the same transaction; ``include_exported``
    adds drafts exported before (a lost file), which keep their state. ``layout`` says whose layout the workbook
    takes: ``tax_bureau``, or a records source by name (its headers and its own words, e.g. posted for 正常);
    None: the newest records import's."""
    if fmt not in EXPORT_FORMATS:
        raise InvalidEdit(f"unknown export format {fmt!r}", hint="use xlsx or json")
    states = (DraftState.confirmed, DraftState.exported) if include_exported else (DraftState.confirmed,)
    with session_scope(ctx.sessions) as s:
        stmt = select(Draft).where(Draft.state.in_(states)).order_by(Draft.id)
        if ids:
            stmt = stmt.where(Draft.id.in_(ids))
        drafts = list(s.scalars(stmt))
        if not drafts:
            raise NothingToExport(
                "no confirmed draft to export" + (" among the ids given" if ids else ""),
                hint="confirm drafts first (POST /api/v1/drafts/{id}/confirm)",
            )
        refused = _unexportable(drafts)
        if refused:
            raise OpenErrors(
                f"{len(refused)} draft(s) still have errors and were not confirmed over them: "
                + ", ".join(f"#{d.id} ({d.invoice_key})" for d in refused[:20]),
                [c for d in refused for c in open_errors(d.payload.get("findings") or [])],
                hint="reopen and correct them, or confirm them again with an override and its reason",
                subjects=[d.id for d in refused],
            )
        source = _layout_source(s, layout)
        headers, mapping, words, places = (
            (
                tuple(source.headers),
                dict(source.mapping or {}),
                (source.vocabulary or {}).get("status_words"),
                8 if tuple(source.headers) == tuple(TAX_BUREAU_HEADERS) else 2,
            )
            if source is not None and source.headers
            else (TAX_BUREAU_HEADERS, None, None, 8)
        )
        payloads = [d.payload for d in drafts]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"drafts.{fmt}"
            if fmt == "xlsx":
                write_drafts_xlsx(
                    payloads, path, headers=headers, mapping=mapping, status_words=words, unit_price_places=places
                )
            else:
                write_drafts_json(payloads, path)
            content = path.read_bytes()
        for d in drafts:
            if d.state == DraftState.confirmed:
                transition(s, d.id, DraftState.exported, actor, notes=[Message.of("draft_exported", format=fmt)])
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        return ExportFile(content, f"drafts-{stamp}.{fmt}", EXPORT_FORMATS[fmt], len(drafts))


def _layout_source(s, layout: str | None) -> ImportRun | None:
    """The import whose layout the export takes (None: the tax bureau's)."""
    if layout == TAX_BUREAU:
        return None
    if layout is None:
        return last_import(s)
    run = s.scalar(
        select(ImportRun)
        .where(ImportRun.source_name == layout, ImportRun.error.is_(None))
        .order_by(ImportRun.id.desc())
        .limit(1)
    )
    if run is None:
        raise InvalidEdit(
            f"no records source {layout!r} to take the layout from",
            hint=f"use {TAX_BUREAU} or the name of an imported records file",
        )
    return run


def layouts(ctx: ServiceContext) -> list[str]:
    """The records sources a drafts export can take the layout of, newest first."""
    with session_scope(ctx.sessions) as s:
        names = s.execute(
            select(ImportRun.source_name, ImportRun.id).where(ImportRun.error.is_(None)).order_by(ImportRun.id.desc())
        ).all()
    return list(dict.fromkeys(n for n, _ in names))


def draft_view(d: Draft, history: bool = False) -> dict:
    p = d.payload
    out = {
        "id": d.id,
        "state": d.state,
        "version": d.version,
        "invoice_key": d.invoice_key,
        "source": d.source,
        "invoice_id": d.extracted_invoice_id,
        "resolved_record_id": d.resolved_record_id,
        "created_at": d.created_at.isoformat(),
        "updated_at": d.updated_at.isoformat() if d.updated_at else None,
        "invoice_number": p.get("invoice_number"),
        "invoice_code": p.get("invoice_code"),
        "issue_date": p.get("issue_date"),
        "seller_name": p.get("seller_name"),
        "seller_tax_id": p.get("seller_tax_id"),
        "amount_with_tax": p.get("amount_with_tax"),
    }
    if history:
        out["payload"] = p
        out["history"] = [
            {
                "at": t.at.isoformat(),
                "actor": t.actor,
                "from": t.from_state,
                "to": t.to_state,
                "note": t.note,
                "note_codes": t.note_codes,
            }
            for t in d.transitions
        ]
    return out
