"""The CLI contract as a model: one line of `fapiao extract --json` (``ExtractionResult.to_contract``), from
which the published JSON Schema (docs/cli-extract.schema.json) is generated."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from fapiao.core.models import FieldValue, Finding, Invoice, QrPayload, Status


class ContractLine(BaseModel):
    """One invoice found in one input file, or the rejection of the file."""

    model_config = ConfigDict(extra="forbid", title="fapiao extract --json line")

    source: str = Field(description="The input file as given (a path under a walked folder).")
    page: int | None = Field(description="The first page of the invoice; null when the file was rejected.")
    status: Status = Field(description="verified, needs_review or rejected.")
    error: str | None = Field(
        default=None, description="Present on rejected lines: which file, what is wrong, what to do."
    )
    invoice: Invoice | None = Field(description="Every field; money as strings with two decimals.")
    fields: dict[str, FieldValue] = Field(description="Per field: value, confidence, source, page, bbox.")
    findings: list[Finding] = Field(description="What the rules found; codes in docs/findings.md.")
    qr: QrPayload | None = Field(default=None, description="The QR code, when one was read.")
    pages: list[int] = Field(description="Every page the invoice spans.")
    document_kind: str | None = Field(description="The sniffed type: pdf, ofd, xml, jpeg, png, …")
    page_images: dict[str, str] | None = Field(
        default=None, description="Page number → stored page image (service only)."
    )
    timings_ms: dict[str, int] = Field(description="Milliseconds per stage: load, ocr, extract, verify.")


def contract_schema() -> dict[str, Any]:
    """The JSON Schema of one line, as the CLI writes it (serialization: money and dates are strings)."""
    schema = ContractLine.model_json_schema(mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
