"""Back-fills: progress by job status, the categories of the reconciliation once done, the output links."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from fapiao.api.models.base import Answer, MessageCode, MessageParams, Paged, Timestamp
from fapiao.core.states import BackfillStatus


class Refusal(Answer):
    """A member of the zip or folder that was not taken, and why."""

    name: str
    error: str
    error_code: MessageCode = None
    error_params: MessageParams = None


class JobCounts(Answer):
    """The back-fill's documents by job status."""

    queued: int
    processing: int
    done: int
    failed: int


class Output(Answer):
    name: Literal["reconciliation.xlsx", "drafts.xlsx", "log.jsonl"]
    url: str = Field(description="Where to download it.")


class BackfillView(Answer):
    """A back-fill: ingesting → processing → reconciling → done | failed."""

    id: str
    status: BackfillStatus
    created_at: Timestamp
    actor: str
    finished_at: Timestamp | None
    source: str = Field(description="The zip's name, or the server folder.")
    source_kind: Literal["zip", "folder"]
    records_import_id: int | None = Field(description="The records export imported with it.")
    files: int | None = Field(description="Files found in the source (known once ingested).")
    accepted: int | None = Field(description="Files taken as documents.")
    refused: int
    refusals: list[Refusal]
    jobs: JobCounts
    progress: float = Field(description="Share of the accepted documents finished, 0-1.")
    reconciliation_run_id: int | None
    categories: dict[str, int] | None = Field(description="Lines per reconciliation category, once done.")
    outputs: list[Output]
    error: str | None


class BackfillPage(Paged):
    backfills: list[BackfillView]
