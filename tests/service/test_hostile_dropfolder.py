"""Hostile files in the drop folder, on SQLite and PostgreSQL: a sparse 6 GB file is refused from its size
without being read (moved to failed/ with a reason; the next scan does not try it again); a file still being
copied is not taken while it is incomplete, and a file that changes after it was read is read again."""

from __future__ import annotations

import os
import time
import tracemalloc

from sqlalchemy import event, select

from fapiao.core.settings import Settings
from fapiao.service.dropfolder import DropFolder
from fapiao.service.runtime import start_service
from fapiao.storage.db import session_scope
from fapiao.storage.service_tables import Document
from tests.helpers.hostile import good_pdf

GOOD = good_pdf()


def test_a_huge_sparse_file_is_refused_from_its_size_without_being_read(settings: Settings) -> None:
    ctx = start_service(settings)
    try:
        drop = DropFolder(ctx, settings.data_dir)
        huge = drop.inbox / "huge.pdf"
        with huge.open("wb") as f:
            f.truncate(6 * 1024**3)  # `truncate -s 6G`: no disk used, 6 GB to anyone who reads it
        (drop.inbox / "good.pdf").write_bytes(good_pdf())
        drop.scan()
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            start = time.monotonic()
            accepted = drop.scan()
            peak = tracemalloc.get_traced_memory()[1] - before
        finally:
            tracemalloc.stop()
        assert peak < 32 * 1024 * 1024 and time.monotonic() - start < 10, peak
        assert [a.sha256 for a in accepted] and not huge.exists()
        reason = (drop.failed / "huge.pdf.reason.txt").read_text(encoding="utf-8")
        assert "huge.pdf" in reason and "6,442,450,944 bytes" in reason and "FAPIAO_MAX_UPLOAD_BYTES" in reason
        assert (drop.failed / "huge.pdf").stat().st_size == 6 * 1024**3  # moved, not copied or read
        assert drop.scan() == [] and list(drop.inbox.iterdir()) == []
        with session_scope(ctx.sessions) as s:
            assert [d.filename for d in s.scalars(select(Document))] == ["good.pdf"]
    finally:
        ctx.close()


def test_a_half_copied_file_waits_and_a_changed_file_is_read_again(settings: Settings) -> None:
    ctx = start_service(settings)
    try:
        drop = DropFolder(ctx, settings.data_dir, settle_seconds=0.01, quiet_seconds=3600)
        half = drop.inbox / "half.pdf"
        half.write_bytes(GOOD[: len(GOOD) // 2])  # the copy stalled half-way (a slow share, a paused transfer)
        for _ in range(3):
            assert drop.scan() == []
        assert half.exists() and not list(drop.failed.iterdir())
        half.write_bytes(GOOD)  # the copy finishes
        drop.scan()
        (got,) = drop.scan()
        assert not half.exists()
        with session_scope(ctx.sessions) as s:
            assert s.get(Document, got.id).size == len(GOOD)

        # a file that changes between the read and the hand-over is not taken as read: it is read again
        grow = drop.inbox / "grows.pdf"
        grow.write_bytes(GOOD + b"\n%first")
        drop.scan()

        def writer_not_done(session, _flush_context) -> None:  # the other program writes again meanwhile
            if any(isinstance(o, Document) and o.filename == "grows.pdf" for o in session.new):
                grow.write_bytes(GOOD + b"\n%second")
                st = grow.stat()
                os.utime(grow, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))

        event.listen(ctx.sessions, "after_flush", writer_not_done)
        try:
            first = drop.scan()
        finally:
            event.remove(ctx.sessions, "after_flush", writer_not_done)
        assert len(first) == 1 and grow.exists()  # the first content was taken, the file is not moved away
        drop.scan()
        accepted = drop.scan() or drop.scan()
        assert len(accepted) == 1
        with session_scope(ctx.sessions) as s:
            doc = s.get(Document, accepted[0].id)
            assert ctx.blobs.get(doc.sha256).endswith(b"%second") and accepted[0].id != first[0].id
        assert not grow.exists()
    finally:
        ctx.close()


def test_an_incomplete_file_is_taken_after_the_long_quiet_period(settings: Settings) -> None:
    """A file that never becomes complete is not left in the inbox for ever: after the long quiet period it goes
    in as it is (and fails there with its reason)."""
    ctx = start_service(settings)
    try:
        drop = DropFolder(ctx, settings.data_dir, settle_seconds=0.01, quiet_seconds=0.5)
        (drop.inbox / "broken.pdf").write_bytes(GOOD[: len(GOOD) // 2])
        assert drop.scan() == [] and drop.scan() == []
        time.sleep(0.6)
        drop.scan()
        assert not (drop.inbox / "broken.pdf").exists()
    finally:
        ctx.close()
