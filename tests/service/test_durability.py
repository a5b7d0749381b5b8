"""Nothing accepted is lost: the drop folder, and jobs interrupted by a crash resume after a restart."""

from __future__ import annotations

import os
import time

from sqlalchemy import select, update

from fapiao.core.settings import Settings
from fapiao.service.documents import accept
from fapiao.service.dropfolder import DropFolder
from fapiao.service.executor import LocalExecutor
from fapiao.service.processing import process_document
from fapiao.service.runtime import start_service
from fapiao.storage.db import session_scope
from fapiao.storage.service_tables import Document, ExtractedInvoice
from tests.builders import OLD_LABELS, OLD_VALUES, placed_pdf

PDF = placed_pdf(OLD_LABELS, OLD_VALUES)


def test_drop_folder_ingests_complete_files_and_moves_them(settings: Settings) -> None:
    ctx = start_service(settings)
    try:
        drop = DropFolder(ctx, settings.data_dir)
        (drop.inbox / "sub").mkdir()
        (drop.inbox / "sub" / "a.pdf").write_bytes(PDF)
        (drop.inbox / "bad.pdf").write_bytes(b"")
        (drop.inbox / "partial.pdf.part").write_bytes(PDF[:100])
        assert drop.scan() == []  # first sight: not yet known to be complete
        growing = drop.inbox / "growing.pdf"
        growing.write_bytes(PDF[:500])
        accepted = drop.scan()  # a.pdf and bad.pdf were stable since the last pass; growing.pdf is new
        assert [a.created for a in accepted] == [True]
        growing.write_bytes(PDF + b"\n% more")  # still being written: must wait
        assert drop.scan() == []
        assert len(drop.scan()) == 1  # now stable
        processed = sorted(p.relative_to(drop.processed).parts[1:] for p in drop.processed.rglob("*.pdf"))
        assert processed == [("growing.pdf",), ("sub", "a.pdf")]
        assert (drop.failed / "bad.pdf").exists()
        assert "empty" in (drop.failed / "bad.pdf.reason.txt").read_text(encoding="utf-8")
        assert (drop.inbox / "partial.pdf.part").exists()  # temporary files are left alone
        with session_scope(ctx.sessions) as s:
            docs = s.scalars(select(Document)).all()
            assert sorted(d.filename for d in docs) == ["growing.pdf", os.path.join("sub", "a.pdf")]
            assert all(d.source == "drop_folder" and ctx.blobs.exists(d.sha256) for d in docs)
    finally:
        ctx.close()


def test_files_that_arrived_while_down_are_picked_up(settings: Settings) -> None:
    inbox = settings.data_dir / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "while-down.pdf").write_bytes(PDF)
    ctx = start_service(settings)
    try:
        drop = DropFolder(ctx, settings.data_dir)
        drop.scan()
        assert len(drop.scan()) == 1
    finally:
        ctx.close()


def test_interrupted_jobs_resume_after_restart_and_run_once(settings: Settings) -> None:
    ctx = start_service(settings)
    ids = [accept(ctx, PDF + f"\n%{i}".encode(), f"{i}.pdf", "api").id for i in range(3)]
    with session_scope(ctx.sessions) as s:  # a crash left one job half done
        s.execute(
            update(Document).where(Document.id == ids[0]).values(status="processing", worker="dead:1", attempts=1)
        )
    ctx.close()

    ctx = start_service(settings)  # the restart
    executor = LocalExecutor(ctx, threads=2, poll_seconds=0.1)
    executor.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with session_scope(ctx.sessions) as s:
                statuses = [s.get(Document, i).status for i in ids]
            if all(st == "done" for st in statuses):
                break
            time.sleep(0.1)
        assert statuses == ["done"] * 3
        assert process_document(ctx, ids[0]) == "done"  # already done: not claimed, not processed again
        with session_scope(ctx.sessions) as s:
            assert len(s.scalars(select(ExtractedInvoice)).all()) == 3
            assert s.get(Document, ids[0]).attempts == 2 and s.get(Document, ids[1]).attempts == 1
    finally:
        executor.stop()
        ctx.close()


def test_duplicate_invoice_in_another_file_is_reported_with_the_earlier_document(settings: Settings) -> None:
    ctx = start_service(settings)
    try:
        first = accept(ctx, PDF, "first.pdf", "api")
        second = accept(ctx, PDF + b"\n% rescanned", "second.pdf", "api")
        assert process_document(ctx, first.id) == "done" and process_document(ctx, second.id) == "done"
        with session_scope(ctx.sessions) as s:
            row = s.scalars(select(ExtractedInvoice).where(ExtractedInvoice.document_id == second.id)).one()
            dup = [f for f in row.payload["findings"] if f["code"] == "duplicate.seen"]
            assert dup and "first.pdf" in dup[0]["message"]
    finally:
        ctx.close()
