"""Search results: ranked hits across records, invoices, drafts and documents, each with its reasons."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from fapiao.api.models.base import Answer
from fapiao.matching.search_index import KINDS


class SearchReason(Answer):
    code: str = Field(
        description="number | near_number | tax_id | name | file | amount | amount_range | issued | issued_range"
    )
    params: dict[str, str] = Field(description="What was typed or ranged: q, n (digits away), a and b (range ends).")


class SearchHit(Answer):
    kind: Literal[KINDS] = Field(description="What was found.")  # type: ignore[valid-type]
    ref: str = Field(description="Its id.")
    score: float
    reasons: list[str] = Field(description="Why it was found, in English.")
    reason_codes: list[SearchReason] = Field(description="The same reasons as codes, to word in any language.")
    number: str = Field(description="Invoice code and number together, as a number query matches them.")
    invoice_code: str | None = Field(description="The invoice code; null for a 数电 invoice.")
    invoice_number: str
    issue_date: str | None
    seller_name: str | None
    seller_tax_id: str | None
    buyer_name: str | None
    amount_with_tax: str | None
    label: str | None
    api_url: str
    ui_url: str | None


class SearchResults(Answer):
    total: int = Field(description="Rows matching (before the limit).")
    hits: list[SearchHit] = Field(description="The best ones, best first.")
