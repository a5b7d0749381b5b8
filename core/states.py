"""The states of the things the service stores, one StrEnum each. The members are the strings stored in the
database (columns stay String: no migration) and sent by the API, so ``state == "done"`` and
``state == JobStatus.done`` agree."""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    """A document's job: ``documents.status``."""

    queued = "queued"
    processing = "processing"
    done = "done"
    failed = "failed"


class ReviewState(StrEnum):
    """A reviewer's decision on an extracted invoice: ``extracted_invoices.review``."""

    pending = "pending"
    confirmed = "confirmed"
    rejected = "rejected"


class DraftState(StrEnum):
    """A back-entry draft's place in its lifecycle (``matching.drafts.TRANSITIONS``): ``drafts.state``."""

    draft = "draft"
    confirmed = "confirmed"
    exported = "exported"
    resolved = "resolved"
    discarded = "discarded"


class BackfillStatus(StrEnum):
    """A back-fill's progress (``fapiao.service.backfills``): ``backfills.status``."""

    ingesting = "ingesting"
    processing = "processing"
    reconciling = "reconciling"
    done = "done"
    failed = "failed"


class ImportStatus(StrEnum):
    """How a records import ended (``fapiao.service.records.run_view``; derived, not stored)."""

    done = "done"
    partial = "partial"
    """Some rows did not load (the bad rows say why); the rest did."""
    failed = "failed"
    """The file could not be read; nothing was loaded."""
