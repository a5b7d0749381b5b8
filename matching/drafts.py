"""Back-entry (补录) drafts: one per invoice missing in the system, pre-filled from the extraction and the
party master. Lifecycle, with every transition audited:

    draft → confirmed (a reviewer) → exported → resolved (automatically, when an import contains it)
    draft | confirmed → discarded;  draft | confirmed | exported → resolved
"""

from __future__ import annotations

from typing import Any

from fapiao.core.errors import FapiaoError
from fapiao.core.models import Invoice
from fapiao.core.states import DraftState
from fapiao.matching.parties import PartyMaster

TRANSITIONS: dict[DraftState, frozenset[DraftState]] = {
    DraftState.draft: frozenset({DraftState.confirmed, DraftState.discarded, DraftState.resolved}),
    DraftState.confirmed: frozenset({DraftState.exported, DraftState.discarded, DraftState.resolved, DraftState.draft}),
    DraftState.exported: frozenset({DraftState.resolved}),
    DraftState.resolved: frozenset(),
    DraftState.discarded: frozenset(),
}
OPEN_STATES = (DraftState.draft, DraftState.confirmed, DraftState.exported)


class DraftStateError(FapiaoError):
    """A transition the lifecycle does not allow (e.g. exporting a draft nobody confirmed)."""

    code = "draft_state"


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
