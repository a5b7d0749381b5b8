"""The body of a field edit, shared by the JSON API and the review page (one model, one set of limits)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

MAX_FIELDS = 50
"""More than any invoice has; a larger body is a 422 before anything is looked up."""


class FieldEdit(BaseModel):
    version: int = Field(description="The version you read; a newer one on the server is a 409 conflict.")
    fields: dict[str, Any] = Field(
        max_length=MAX_FIELDS, description='Field name → new value, e.g. {"seller_name": "…"}'
    )
