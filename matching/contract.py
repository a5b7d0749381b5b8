"""The reconciliation contract as models: one line of `fapiao reconcile --json` (``DocumentOutcome.to_contract``
and ``export.no_document_line``), which the API serves for a run's items too. Two shapes, told apart by
``category``: a document with what matching decided, or a record no document matched."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from fapiao.core.models import Finding, Invoice, Status
from fapiao.matching.reconcile import Category

DOCUMENT_CATEGORIES = tuple(c.value for c in Category if c is not Category.no_document)

MoneyText = Annotated[str | None, Field(description="Money as a string with two decimals.")]


class Difference(BaseModel):
    """A compared field on which the document and the record it matched disagree."""

    model_config = ConfigDict(extra="forbid")

    field: str
    document: str | None = Field(description="The document's value.")
    record: str | None = Field(description="The record's value.")


class RecordFields(BaseModel):
    """A record as the system's export gave it (``export.record_json``)."""

    model_config = ConfigDict(extra="forbid")

    invoice_code: str | None
    invoice_number: str | None
    issue_date: str | None = Field(description="YYYY-MM-DD.")
    seller_tax_id: str | None
    seller_name: str | None
    buyer_tax_id: str | None
    buyer_name: str | None
    total_amount: MoneyText
    total_tax: MoneyText
    amount_with_tax: MoneyText
    status: str | None = Field(description="normal, voided or red_letter.")


class DocumentLine(BaseModel):
    """One invoice found in the input and the category reconciliation gave it."""

    model_config = ConfigDict(extra="forbid", title="fapiao reconcile --json document line")

    source: str = Field(description="The input file as given.")
    page: int | None = Field(description="The first page of the invoice; null when the file was rejected.")
    category: Literal[DOCUMENT_CATEGORIES] = Field(  # type: ignore[valid-type]
        description="matched, matched_with_differences, missing_in_system, duplicate, voided or rejected."
    )
    record_key: str | None = Field(description="The key of the record it matched (code:number, or the number).")
    score: float | None = Field(description="The match score, 0-100.")
    decision: Literal["no_match", "suggested", "matched"]
    reasons: list[str] = Field(description="Why it matched, as a person reads it.")
    differences: list[Difference]
    invoice: Invoice | None = Field(description="Every field; money as strings with two decimals.")
    status: Status = Field(description="The extraction's decision: verified, needs_review or rejected.")
    findings: list[Finding] = Field(description="The extraction's and reconciliation's findings.")
    suggested_record_key: str | None = Field(
        default=None, description="A record it resembles but does not match (a person decides)."
    )
    error: str | None = Field(default=None, description="Present on rejected files: what is wrong, what to do.")
    error_code: str | None = Field(
        default=None, description="The error's message as a stable code (fapiao.core.messages), when it has one."
    )
    error_params: dict[str, Any] | None = Field(default=None, description="That message's parameters, by name.")


class NoDocumentLine(BaseModel):
    """A record in scope that no document matched."""

    model_config = ConfigDict(extra="forbid", title="fapiao reconcile --json record line")

    category: Literal["no_document"]
    record_key: str
    record: RecordFields


ReconcileLine = Annotated[DocumentLine | NoDocumentLine, Field(discriminator="category")]
"""One line of `fapiao reconcile --json`."""


def reconcile_schema() -> dict[str, Any]:
    """The JSON Schema of one line, as the CLI writes it (docs/cli-reconcile.schema.json)."""
    schema = TypeAdapter(ReconcileLine).json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "fapiao reconcile --json line",
        **schema,
    }
