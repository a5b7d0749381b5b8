"""The base of every answer model, and the field types they share."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field


class Answer(BaseModel):
    """Unknown keys are an error, not silently dropped: a route and its model cannot drift apart unnoticed."""

    model_config = ConfigDict(extra="forbid")


class Paged(Answer):
    """One page of a longer list."""

    total: int = Field(description="Items matching, on every page.")
    page: int = Field(description="1-based page.")
    size: int = Field(description="Items per page.")


Timestamp = Annotated[str, Field(description="ISO 8601 date and time (UTC).")]
IsoDate = Annotated[str, Field(description="YYYY-MM-DD.")]
MoneyText = Annotated[str, Field(description="Money as a string with two decimals.")]
MessageCode = Annotated[
    str | None,
    Field(description="The message's stable code (fapiao.core.messages.TEXT); null for a message without one."),
]
MessageParams = Annotated[dict[str, Any] | None, Field(description="The message's parameters, by name.")]


class CodedMessage(Answer):
    """A message as a code and its parameters, for a client that words it in its own language."""

    code: str
    params: dict[str, Any]
