"""Hostile files in the drop folder, on SQLite and PostgreSQL: a sparse 6 GB file is refused from its size
without being read (moved to failed/ with a reason; the next scan does not try it again); a file still being
copied is not taken while it is incomplete, and a file that changes after it was read is read again."""

from __future__ import annotations

import time
import tracemalloc

from sqlalchemy import select

from fapiao.core.settings import Settings
from fapiao.service.dropfolder import DropFolder
from fapiao.service.runtime import start_service
from fapiao.storage.db import session_scope
from fapiao.storage.service_tables import Document
from tests.helpers.hostile import good_pdf


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
