"""The stored states are StrEnums whose values are the strings already in databases (no migration)."""

from __future__ import annotations

from fapiao.core.states import BackfillStatus, DraftState, ImportStatus, JobStatus, ReviewState
from fapiao.matching.drafts import OPEN_STATES, TRANSITIONS
from fapiao.storage.backfill_tables import Backfill
from fapiao.storage.matching_tables import Draft
from fapiao.storage.service_tables import Document, ExtractedInvoice


def test_the_values_are_the_stored_strings() -> None:
    assert list(JobStatus) == ["queued", "processing", "done", "failed"]
    assert list(ReviewState) == ["pending", "confirmed", "rejected"]
    assert list(DraftState) == ["draft", "confirmed", "exported", "resolved", "discarded"]
    assert list(BackfillStatus) == ["ingesting", "processing", "reconciling", "done", "failed"]
    assert list(ImportStatus) == ["done", "partial", "failed"]


def test_the_draft_lifecycle_covers_every_state_and_only_those() -> None:
    assert set(TRANSITIONS) == set(DraftState)
    assert all(targets <= set(DraftState) for targets in TRANSITIONS.values())
    assert set(OPEN_STATES) == {s for s, targets in TRANSITIONS.items() if DraftState.resolved in targets}


def test_the_columns_default_to_the_first_state() -> None:
    assert Document.__table__.c.status.default.arg == JobStatus.queued
    assert ExtractedInvoice.__table__.c.review.default.arg == ReviewState.pending
    assert Draft.__table__.c.state.default.arg == DraftState.draft
    assert Backfill.__table__.c.status.default.arg == BackfillStatus.ingesting
