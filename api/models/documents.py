"""Documents: what an upload accepted or refused, a document's job, and the invoices read from it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from fapiao.api.models.base import Answer, MessageCode, MessageParams, Paged, Timestamp
from fapiao.api.models.invoices import StoredLine
from fapiao.core.states import JobStatus


class AcceptedFile(Answer):
    """A file stored with its job queued (or, the same content uploaded before, that document)."""

    id: str = Field(description="The document id (GET /api/v1/documents/{id}).")
    sha256: str
    status: JobStatus
    filename: str
    duplicate: bool = Field(description="The same content was uploaded before: this is that document.")


class RefusedFile(Answer):
    """A file that was not stored, and why."""

    id: None
    sha256: None
    status: Literal["rejected"]
    filename: str
    error: str = Field(description="Which file, what is wrong, what to do.")
    code: str = Field(description="unsupported_format, limit_exceeded, …")
    error_code: MessageCode = None
    error_params: MessageParams = None


class Uploaded(Answer):
    """Every file of the upload, in order."""

    documents: list[AcceptedFile | RefusedFile]


class DocumentJob(Answer):
    """A document and its job."""

    id: str
    status: JobStatus = Field(description="queued, processing, done or failed.")
    error: str | None = Field(description="Why the job failed.")
    error_code: MessageCode = None
    error_params: MessageParams = None
    filename: str
    sha256: str
    source: str = Field(description="How it came in: api, drop_folder or bulk (a back-fill).")
    batch: str | None
    attempts: int
    created_at: Timestamp | None
    finished_at: Timestamp | None


class DocumentDetail(DocumentJob):
    """A document with the invoices read from it (each a `fapiao extract --json` line with its id)."""

    invoices: list[StoredLine]


class DocumentPage(Paged):
    documents: list[DocumentJob]
