"""Back-fill archives that try to fill the disk, on SQLite and PostgreSQL: many small members that each expand
a thousandfold (under the old 5 MiB floor of the ratio check) are refused as zip bombs; the members of an
archive past the unpacked-size cap are refused; members that are not invoices are listed as rejected but not
stored. Nothing refused reaches the originals."""

from __future__ import annotations

import contextlib
import io
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient

from fapiao.api.app import create_app
from fapiao.core.settings import Settings
from tests.helpers.service import wait_backfill as _wait
from tests.helpers.service import xml
from tests.service.conftest import make_key


def _disk(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def test_small_bombs_and_non_invoices_do_not_fill_the_disk(client: TestClient) -> None:
    rv = make_key(client, "reviewer")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("good.xml", xml("24390000000000000011", "10.00", "0.60"))
        for i in range(150):  # 2 MiB each, under the old 5 MiB floor: 300 MB from a few hundred KB
            zf.writestr(f"filler-{i:03d}.pdf", b"%PDF-1.4\n" + b"\0" * (2 * 1024 * 1024))
        zf.writestr("notes.txt", b"not an invoice " * 1000)
    packed = buf.getvalue()
    assert len(packed) < 1024 * 1024
    originals = client.app.state.ctx.blobs.root
    before = _disk(originals)
    resp = client.post("/api/v1/backfills", headers=rv, files={"archive": ("year.zip", packed, "application/zip")})
    assert resp.status_code == 202, resp.text
    body = _wait(client, rv, resp.json()["id"], timeout=120)
    assert body["status"] == "done" and body["files"] == 152, body
    refusals = {r["name"]: r["error"] for r in body["refusals"]}
    assert len(refusals) == 151 and all("zip bomb" in refusals[f"year.zip:filler-{i:03d}.pdf"] for i in range(150))
    assert "not a PDF" in refusals["year.zip:notes.txt"]
    assert body["jobs"]["done"] == 1 and body["jobs"].get("failed", 0) == 0, body["jobs"]
    grown = _disk(originals) - before
    assert grown < len(packed) + 256 * 1024, grown  # the zip, the invoice and the three outputs; nothing refused


def test_an_archive_past_the_unpacked_cap_is_refused_member_by_member(settings: Settings) -> None:
    capped = settings.model_copy(update={"max_backfill_unpacked_bytes": 300 * 1024})
    pad = "<!--" + "".join(f"{i:08x}" for i in range(12_000)) + "-->"  # ~96 KB that barely compresses
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(5):
            zf.writestr(f"{i}.xml", xml(f"2439000000000000002{i}", "10.00", "0.60", pad=pad))
    with TestClient(create_app(capped)) as client:
        rv = make_key(client, "reviewer")
        resp = client.post(
            "/api/v1/backfills", headers=rv, files={"archive": ("big.zip", buf.getvalue(), "application/zip")}
        )
        body = _wait(client, rv, resp.json()["id"], timeout=120)
    refused = {r["name"]: r["error"] for r in body["refusals"]}
    assert sorted(refused) == ["big.zip:3.xml", "big.zip:4.xml"], refused
    assert all("unpacks to more than 307,200 bytes" in e for e in refused.values())
    assert body["accepted"] == 3


class _Crash(BaseException):
    """Stands in for the process being killed in the middle of an ingestion."""


def test_resume_goes_by_file_identity_not_position(settings: Settings) -> None:
    """A folder back-fill cut off after two files, then a file is added that sorts first (so every position
    shifts) and one already taken is replaced: the resumed ingestion takes each file once, by identity."""
    from sqlalchemy import select

    from fapiao.service import backfills as svc
    from fapiao.service.runtime import start_service
    from fapiao.storage.backfill_tables import BackfillDocument
    from fapiao.storage.db import session_scope
    from fapiao.storage.service_tables import Document

    ctx = start_service(settings)
    try:
        folder = settings.allowed_backfill_roots[0] / "2024"
        folder.mkdir(parents=True)
        for n in "abcd":
            (folder / f"{n}.xml").write_bytes(xml(f"243900000000000001{ord(n)}", "10.00", "0.60"))
        bid = svc.start(ctx, "test", folder=str(folder))["id"]
        sent: list[str] = []

        def dies_after_two(doc_id: str) -> None:
            sent.append(doc_id)
            if len(sent) == 2:
                raise _Crash()

        with contextlib.suppress(_Crash):
            svc.ingest(ctx, bid, dies_after_two)
        (folder / "0-new.xml").write_bytes(xml("24390000000000000199", "10.00", "0.60"))
        (folder / "a.xml").write_bytes(xml("24390000000000000198", "20.00", "1.20"))  # replaced since
        svc.ingest(ctx, bid, lambda doc_id: sent.append(doc_id))
        with session_scope(ctx.sessions) as s:
            members = s.execute(
                select(BackfillDocument.name, Document.sha256)
                .join(Document, Document.id == BackfillDocument.document_id)
                .where(BackfillDocument.backfill_id == bid)
            ).all()
        names = sorted(n for n, _ in members)
        assert len(names) == len(set(names)) == 5, names  # each file once: none twice, the new one not skipped
        current = {str(p): ctx.blobs.digest(p.read_bytes()) for p in folder.iterdir()}
        assert dict(members) == current  # the replaced a.xml is its new content

    finally:
        ctx.close()
