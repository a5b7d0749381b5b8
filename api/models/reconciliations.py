"""Reconciliation runs: counts per category, and the run's lines (`fapiao reconcile --json` lines with the
service's ids)."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field

from fapiao.api.models.base import Answer, IsoDate, Paged, Timestamp
from fapiao.matching.contract import DocumentLine, NoDocumentLine

_IDS = "The service's ids of what the line is about (null where there is none)."


class CategoryCounts(Answer):
    """Lines per category."""

    matched: int
    matched_with_differences: int
    missing_in_system: int
    duplicate: int
    voided: int
    rejected: int
    no_document: int


class RunView(Answer):
    """A reconciliation run."""

    id: int
    created_at: Timestamp
    actor: str
    batch: str | None = Field(description="The batch reconciled (backfill:<id> for a back-fill).")
    date_from: IsoDate | None
    date_to: IsoDate | None
    records: int = Field(description="Records the run accounts for (matched ones and those without a document).")
    documents: int
    counts: CategoryCounts
    drafts_created: int
    seconds: float


class RunPage(Paged):
    runs: list[RunView]


class DocumentItem(DocumentLine):
    """A document's line in a run."""

    model_config = ConfigDict(title="DocumentItem")

    id: int = Field(description="The line's id.")
    invoice_id: int | None = Field(description=_IDS)
    document_id: str | None
    draft_id: int | None = Field(description="The open back-entry draft of a missing invoice.")


class NoDocumentItem(NoDocumentLine):
    """A record without a document, in a run."""

    model_config = ConfigDict(title="NoDocumentItem")

    id: int = Field(description="The line's id.")
    invoice_id: None
    document_id: None
    draft_id: None


RunItem = Annotated[DocumentItem | NoDocumentItem, Field(discriminator="category")]


class RunDetail(RunView):
    """A run with one page of its lines (filtered by category)."""

    total: int = Field(description="Lines matching, on every page.")
    page: int
    size: int
    items: list[RunItem]
