"""Back-entry drafts in the database: created from a reconciliation, moved through their lifecycle with an
audit trail, resolved automatically by a later records import that contains the invoice."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from fapiao.matching.drafts import DraftStateError
from fapiao.matching.reconcile import reconcile
from fapiao.matching.records_import import parse_export
from fapiao.storage.db import session_scope
from fapiao.storage.drafts import create_drafts, transition
from fapiao.storage.matching_tables import Draft, SystemRecord
from fapiao.storage.records import load_master, load_records, sync_records
from tests.helpers.records import ROWS, write_csv
from tests.matching.builders import invoice, result


def _missing_batch():
    return [
        result(invoice("24610000000000000001", amount="100.00"), "known.pdf"),
        result(
            invoice("25990000000000012345", amount="55.00", tax="3.30", seller=("上海某某贸易有限公司", None)),
            "new.pdf",
        ),
        result(invoice("25990000000000054321", amount="66.00", tax="3.96"), "other.pdf"),
    ]


def test_draft_lifecycle_with_audit_and_automatic_resolution(db, tmp_path: Path) -> None:
    with session_scope(db) as s:
        sync_records(s, parse_export(write_csv(tmp_path / "a.csv", ROWS)))
    with session_scope(db) as s:
        report = reconcile(_missing_batch(), load_records(s))
        drafts = create_drafts(s, report, load_master(s))
        assert [d.invoice_key for d in drafts] == ["25990000000000012345", "25990000000000054321"]
        assert create_drafts(s, report) == []  # an open draft exists: no second one
        first, second = drafts[0].id, drafts[1].id
        assert drafts[0].payload["seller_tax_id"] == "914403001922038216"  # from the party master
        assert drafts[0].payload["items"][0]["amount"] == "55.00"
    with session_scope(db) as s:
        with pytest.raises(DraftStateError, match="cannot become exported") as exc:
            transition(s, first, "exported", "alice")
        assert "allowed from draft: confirmed, discarded, resolved" in str(exc.value)
        transition(s, first, "confirmed", "alice", edits={"remarks": "checked"})
        transition(s, first, "exported", "bob")
        transition(s, second, "discarded", "alice", note="private expense")
        with pytest.raises(DraftStateError, match="discarded; it cannot become confirmed"):
            transition(s, second, "confirmed", "alice")
        with pytest.raises(DraftStateError, match="does not exist"):
            transition(s, 999999, "confirmed", "alice")
    rows = ROWS + [
        [
            "",
            "",
            "25990000000000012345",
            "914403001922038216",
            "上海某某贸易有限公司",
            "",
            "",
            "2024-03-08",
            "55.00",
            "3.30",
            "58.30",
            "正常",
            "",
        ],
        [
            "",
            "",
            "25990000000000054321",
            "914403001922038216",
            "上海某某贸易有限公司",
            "",
            "",
            "2024-03-08",
            "66.00",
            "3.96",
            "69.96",
            "正常",
            "",
        ],
    ]
    with session_scope(db) as s:
        run = sync_records(s, parse_export(write_csv(tmp_path / "b.csv", rows)))
        assert run.drafts_resolved == 1  # the discarded one stays discarded
        run_id = run.id
    with session_scope(db) as s:
        d1, d2 = s.get(Draft, first), s.get(Draft, second)
        assert d1.state == "resolved" and d2.state == "discarded"
        rec_id = s.scalar(select(SystemRecord.id).where(SystemRecord.invoice_key == "25990000000000012345"))
        assert d1.resolved_record_id == rec_id
        assert d1.payload["remarks"] == "checked"
        trail = [(t.actor, t.from_state, t.to_state) for t in d1.transitions]
        assert trail == [
            ("reconcile", None, "draft"),
            ("alice", "draft", "confirmed"),
            ("bob", "confirmed", "exported"),
            (f"import #{run_id}", "exported", "resolved"),
        ]
        assert "edited remarks" in d1.transitions[1].note
        # each note in English, and as codes a UI words in its language (a person's note is kept as typed)
        assert [t.note_codes for t in d1.transitions] == [
            [{"code": "draft_missing", "params": {}}],
            [{"code": "draft_edited", "params": {"fields": "remarks"}}],
            None,
            [{"code": "draft_resolved", "params": {}}],
        ]
        assert d2.transitions[-1].note == "private expense"
        assert d2.transitions[-1].note_codes == [{"code": "note", "params": {"text": "private expense"}}]
        # a new reconciliation now finds the invoice in the system and makes no draft
        report = reconcile(_missing_batch(), load_records(s))
        assert create_drafts(s, report) == []
