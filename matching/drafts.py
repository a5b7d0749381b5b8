"""Back-entry (补录) drafts: one per invoice missing in the system, pre-filled from the extraction and the
party master. Lifecycle, with every transition audited:

    draft → confirmed (a reviewer) → exported → resolved (automatically, when an import contains it)
    draft | confirmed → discarded;  draft | confirmed | exported → resolved
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.errors import FapiaoError
from intake.models import Invoice
from intake.storage.matching_tables import Draft, DraftTransition, SystemRecord
from intake.storage.service_tables import AuditEntry
from matching.parties import PartyMaster
from matching.reconcile import Category, ReconcileReport

TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"confirmed", "discarded", "resolved"}),
    "confirmed": frozenset({"exported", "discarded", "resolved", "draft"}),
    "exported": frozenset({"resolved"}),
    "resolved": frozenset(),
    "discarded": frozenset(),
}
OPEN_STATES = ("draft", "confirmed", "exported")


class DraftStateError(FapiaoError):
    """A transition the lifecycle does not allow (e.g. exporting a draft nobody confirmed)."""

    code = "draft_state"
    http_status = 409


def draft_payload(invoice: Invoice, master: PartyMaster | None = None) -> dict[str, Any]:
    """Every field the back-entry form needs, as JSON (amounts as strings): the extraction, with the seller's
    and buyer's tax IDs and canonical names completed from the party master where it is sure."""
    data = invoice.model_dump(mode="json")
    filled: list[str] = []
    if master is not None:
        for role in ("seller", "buyer"):
            if role == "buyer" and invoice.buyer_is_person:
                continue
            check = master.check(data.get(f"{role}_name"), data.get(f"{role}_tax_id"), role)
            if check.findings or check.party is None:
                continue
            if not data.get(f"{role}_tax_id") and check.tax_id:
                data[f"{role}_tax_id"] = check.tax_id
                filled.append(f"{role}_tax_id")
            if check.canonical_name and data.get(f"{role}_name") != check.canonical_name:
                data[f"{role}_name_as_printed"] = data.get(f"{role}_name")
                data[f"{role}_name"] = check.canonical_name
                filled.append(f"{role}_name")
    data["filled_from_party_master"] = filled
    return data


def create_drafts(session: Session, report: ReconcileReport, master: PartyMaster | None = None,
                  actor: str = "reconcile", invoice_ids: list[int | None] | None = None) -> list[Draft]:
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
        draft = Draft(invoice_key=inv.key, state="draft", source=outcome.result.source,
                      extracted_invoice_id=invoice_ids[i] if invoice_ids else None,
                      payload={**draft_payload(inv, master), "findings": [
                          f.model_dump(mode="json") for f in [*outcome.result.findings, *outcome.findings]]})
        draft.transitions.append(DraftTransition(actor=actor, from_state=None, to_state="draft",
                                                 note="missing in the system"))
        session.add(draft)
        created.append(draft)
    session.flush()
    return created


def transition(session: Session, draft_id: int, to_state: str, actor: str, note: str | None = None,
               edits: dict[str, Any] | None = None) -> Draft:
    """Move a draft along its lifecycle (``edits`` replace payload fields, e.g. a reviewer's corrections)."""
    draft = session.get(Draft, draft_id)
    if draft is None:
        raise DraftStateError(f"draft {draft_id} does not exist", hint="list the drafts to find its id")
    if to_state not in TRANSITIONS.get(draft.state, frozenset()):
        allowed = ", ".join(sorted(TRANSITIONS[draft.state])) or "none (final state)"
        raise DraftStateError(f"draft {draft_id} is {draft.state}; it cannot become {to_state}",
                              hint=f"allowed from {draft.state}: {allowed}")
    if edits:
        draft.payload = {**draft.payload, **edits}
        note = (note + "; " if note else "") + "edited " + ", ".join(sorted(edits))
    draft.transitions.append(DraftTransition(actor=actor, from_state=draft.state, to_state=to_state, note=note))
    draft.state = to_state
    session.flush()
    return draft


def edit(session: Session, draft: Draft, edits: dict[str, Any], actor: str) -> Draft:
    """Replace payload fields of an unconfirmed draft; audited as a draft → draft step naming the fields, and
    per changed field in the audit log (who, when, old, new), as invoice edits are."""
    if draft.state != "draft":
        raise DraftStateError(f"draft {draft.id} is {draft.state}; only an unconfirmed draft can be edited",
                              hint="reopen it first, then edit and confirm again")
    before = draft.payload
    for name in sorted(edits):
        if before.get(name) != edits[name]:
            session.add(AuditEntry(actor=actor, action="draft_edit", draft_id=draft.id, field=name,
                                   old=_text(before.get(name)), new=_text(edits[name])))
    draft.payload = {**draft.payload, **edits}
    draft.transitions.append(DraftTransition(actor=actor, from_state="draft", to_state="draft",
                                             note="edited " + ", ".join(sorted(edits))))
    session.flush()
    return draft


def _text(v: Any) -> str | None:
    return None if v is None else str(v)


def mark_exported(session: Session, drafts: Iterable[Draft], actor: str) -> None:
    for d in drafts:
        transition(session, d.id, "exported", actor)


def resolve_imported(session: Session, keys: list[str], actor: str) -> int:
    """Resolve open drafts whose invoice the records now contain; returns how many were resolved."""
    resolved = 0
    for i in range(0, len(keys), 500):
        chunk = keys[i:i + 500]
        drafts = session.scalars(select(Draft).where(Draft.invoice_key.in_(chunk), Draft.state.in_(OPEN_STATES)))
        for draft in list(drafts):
            record_id = session.scalar(select(SystemRecord.id).where(SystemRecord.invoice_key == draft.invoice_key))
            draft.resolved_record_id = record_id
            transition(session, draft.id, "resolved", actor, note="the records import contains this invoice")
            resolved += 1
    return resolved
