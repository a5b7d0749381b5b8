"""Invoices: the stored `fapiao extract --json` line (``ContractLine``) with its id, review state and version;
the list view; the audit trail."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from fapiao.api.models.base import Answer, IsoDate, Paged, Timestamp
from fapiao.core.contract import ContractLine
from fapiao.core.models import InvoiceType, Status
from fapiao.core.states import ReviewState
from fapiao.matching.reconcile import Category


class StoredLine(ContractLine):
    """An invoice as the service keeps it: the CLI's line plus what review adds."""

    model_config = ConfigDict(title="StoredLine")

    id: int = Field(description="The invoice id (GET /api/v1/invoices/{id}).")
    review: ReviewState = Field(description="A reviewer's decision: pending, confirmed or rejected.")
    version: int = Field(description="Send it back with a change; a newer one on the server is a 409 conflict.")


class InvoiceView(StoredLine):
    """One invoice, as a change or a decision leaves it."""

    model_config = ConfigDict(title="InvoiceView")

    document_id: str = Field(description="The document it was read from.")


class HistoryEntry(Answer):
    """One audited change: an edit, a decision, a re-verification."""

    at: Timestamp
    actor: str
    action: str = Field(description="edit, confirmed, rejected, reopened, reverified, …")
    field: str | None
    old: str | None
    new: str | None
    note: str | None
    override: str | None = Field(description="The reason given for confirming over open errors.")


class InvoiceDetail(InvoiceView):
    """One invoice with its audit trail, oldest first."""

    model_config = ConfigDict(title="InvoiceDetail")

    history: list[HistoryEntry]


class InvoiceSummary(Answer):
    """An invoice in a list (no fields, findings or boxes)."""

    id: int
    document_id: str
    status: Status
    review: ReviewState
    version: int
    invoice_type: InvoiceType | None
    invoice_code: str | None
    invoice_number: str | None
    issue_date: IsoDate | None
    seller_name: str | None
    seller_tax_id: str | None
    buyer_name: str | None
    amount_with_tax: str | None = Field(description="Money as a string with two decimals.")
    match_category: Category | None = Field(description="The latest reconciliation's category; null: not reconciled.")
    match_record_key: str | None


class InvoicePage(Paged):
    invoices: list[InvoiceSummary]
