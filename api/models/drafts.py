"""Back-entry drafts: the list view, and one draft with its payload (the invoice to enter, the rules' findings)
and its lifecycle."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from fapiao.api.models.base import Answer, CodedMessage, IsoDate, Paged, Timestamp
from fapiao.core.models import Finding, Invoice
from fapiao.core.states import DraftState


class DraftSummary(Answer):
    """A draft in a list."""

    id: int
    state: DraftState = Field(description="draft, confirmed, exported, resolved or discarded.")
    version: int = Field(description="Send it back with a change; a newer one on the server is a 409 conflict.")
    invoice_key: str
    source: str | None = Field(description="The file the invoice was read from.")
    invoice_id: int | None = Field(description="The extracted invoice it came from.")
    resolved_record_id: int | None = Field(description="The record that resolved it.")
    created_at: Timestamp
    updated_at: Timestamp | None
    invoice_number: str | None
    invoice_code: str | None
    issue_date: IsoDate | None
    seller_name: str | None
    seller_tax_id: str | None
    amount_with_tax: str | None = Field(description="Money as a string with two decimals.")


class Override(Answer):
    """Confirmed over open errors: the reason, the error codes and who (reopening clears it)."""

    reason: str
    errors: list[str]
    actor: str


class DraftPayload(Invoice):
    """Every field of the back-entry form (the extraction, completed from the party master), and the rules'
    findings on it as it now stands."""

    model_config = ConfigDict(extra="forbid", title="DraftPayload")

    findings: list[Finding] = Field(default_factory=list, description="The rules on the draft as it now stands.")
    filled_from_party_master: list[str] = Field(
        default_factory=list, description="Fields the party master completed or corrected."
    )
    seller_name_as_printed: str | None = Field(default=None, description="Where the party master renamed it.")
    buyer_name_as_printed: str | None = Field(default=None, description="Where the party master renamed it.")
    confirmed_over_errors: Override | None = None


class DraftStep(Answer):
    """One audited step of the lifecycle (an edit is draft → draft)."""

    at: Timestamp
    actor: str
    from_: DraftState | None = Field(alias="from", description="null: the draft was created.")
    to: DraftState
    note: str | None
    note_codes: list[CodedMessage] | None = Field(default=None, description="The parts of note as messages.")


class DraftDetail(DraftSummary):
    payload: DraftPayload
    history: list[DraftStep]


class DraftPage(Paged):
    drafts: list[DraftSummary]
