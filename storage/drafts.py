"""The database side of back-entry drafts: creating them from a reconciliation, moving them along the
lifecycle in ``fapiao.matching.drafts`` (every step audited), and resolving them when an import contains them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fapiao.core.messages import Message, joined
from fapiao.core.states import DraftState
from fapiao.matching.drafts import OPEN_STATES, TRANSITIONS, DraftStateError, draft_payload
from fapiao.matching.parties import PartyMaster
from fapiao.matching.reconcile import Category, ReconcileReport
from fapiao.storage.matching_tables import Draft, DraftTransition, SystemRecord
from fapiao.storage.service_tables import AuditEntry


def create_drafts(
    session: Session,
    report: ReconcileReport,
    master: PartyMaster | None = None,
    actor: str = "reconcile",
    invoice_ids: list[int | None] | None = None,
) -> list[Draft]:
    """A draft per document missing in the system, unless an open draft for that invoice already exists.
    ``invoice_ids`` (parallel to ``report.documents``) links each draft to the extracted invoice it came from."""
    created: list[Draft] = []
    for i, outcome in enumerate(report.documents):
        inv = outcome.invoice
        if outcome.category is not Category.missing_in_system or inv is None or not inv.key:
            continue
        open_one = session.scalar(select(Draft.id).where(Draft.invoice_key == inv.key, Draft.state.in_(OPEN_STATES)))
        if open_one is not None:
            continue
        draft = Draft(
            invoice_key=inv.key,
            state=DraftState.draft,
            source=outcome.result.source,
            extracted_invoice_id=invoice_ids[i] if invoice_ids else None,
            payload={
                **draft_payload(inv, master),
                "findings": [f.model_dump(mode="json") for f in [*outcome.result.findings, *outcome.findings]],
            },
        )
        draft.transitions.append(_step(actor, None, DraftState.draft, [Message.of("draft_missing")]))
        session.add(draft)
        created.append(draft)
    session.flush()
    return created


def transition(
    session: Session,
    draft_id: int,
    to_state: str,
    actor: str,
    note: str | None = None,
    edits: dict[str, Any] | None = None,
    notes: Sequence[Message] = (),
) -> Draft:
    """Move a draft along its lifecycle (``edits`` replace payload fields, e.g. a reviewer's corrections). The
    step's note is what a person typed (``note``), then what the system says of it (``notes``), then the fields
    edited."""
    draft = session.get(Draft, draft_id)
    if draft is None:
        raise DraftStateError(f"draft {draft_id} does not exist", hint="list the drafts to find its id")
    allowed_next = TRANSITIONS[DraftState(draft.state)]
    if to_state not in allowed_next:
        allowed = ", ".join(sorted(allowed_next)) or "none (final state)"
        raise DraftStateError(
            f"draft {draft_id} is {draft.state}; it cannot become {to_state}",
            hint=f"allowed from {draft.state}: {allowed}",
        )
    parts = [Message.of("note", text=note)] if note else []
    parts += notes
    if edits:
        draft.payload = {**draft.payload, **edits}
        parts.append(_edited(edits))
    draft.transitions.append(_step(actor, draft.state, to_state, parts))
    draft.state = to_state
    session.flush()
    return draft


def edit(session: Session, draft: Draft, edits: dict[str, Any], actor: str) -> Draft:
    """Replace payload fields of an unconfirmed draft; audited as a draft → draft step naming the fields, and
    per changed field in the audit log (who, when, old, new), as invoice edits are."""
    if draft.state != DraftState.draft:
        raise DraftStateError(
            f"draft {draft.id} is {draft.state}; only an unconfirmed draft can be edited",
            hint="reopen it first, then edit and confirm again",
        )
    before = draft.payload
    for name in sorted(edits):
        if before.get(name) != edits[name]:
            session.add(
                AuditEntry(
                    actor=actor,
                    action="draft_edit",
                    draft_id=draft.id,
                    field=name,
                    old=_text(before.get(name)),
                    new=_text(edits[name]),
                )
            )
    draft.payload = {**draft.payload, **edits}
    draft.transitions.append(_step(actor, DraftState.draft, DraftState.draft, [_edited(edits)]))
    session.flush()
    return draft


def _edited(edits: dict[str, Any]) -> Message:
    return Message.of("draft_edited", fields=", ".join(sorted(edits)))


def _step(actor: str, from_state: str | None, to_state: str, notes: Sequence[Message]) -> DraftTransition:
    """A history step whose note is ``notes``: in English, and as codes a UI words in its language."""
    return DraftTransition(
        actor=actor,
        from_state=from_state,
        to_state=to_state,
        note=joined(notes),
        note_codes=[m.as_json() for m in notes] or None,
    )


def _text(v: Any) -> str | None:
    return None if v is None else str(v)


def mark_exported(session: Session, drafts: Iterable[Draft], actor: str) -> None:
    for d in drafts:
        transition(session, d.id, DraftState.exported, actor)


def resolve_imported(session: Session, keys: list[str], actor: str) -> int:
    """Resolve open drafts whose invoice the records now contain; returns how many were resolved."""
    resolved = 0
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        drafts = session.scalars(select(Draft).where(Draft.invoice_key.in_(chunk), Draft.state.in_(OPEN_STATES)))
        for draft in list(drafts):
            record_id = session.scalar(select(SystemRecord.id).where(SystemRecord.invoice_key == draft.invoice_key))
            draft.resolved_record_id = record_id
            transition(session, draft.id, "resolved", actor, notes=[Message.of("draft_resolved")])
            resolved += 1
    return resolved
