"""Hostile input through the service, on SQLite and PostgreSQL: every hostile file (the set of
tests/intake/test_hostile_inputs.py, a decompression-bomb PNG among them, plus a DeltaX bomb and over-long fields)
ends `failed` with a reason naming it, or `done`, within bounded time while /health and other uploads keep being
answered; SVG and HTML are refused before anything is stored; odd and very long file names, symbolic links and
files removed while being read never stop the drop folder."""

from __future__ import annotations

import datetime as dt
import io
import threading
import time
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import event, select

from fapiao.core.settings import Settings
from fapiao.service.dropfolder import DropFolder
from fapiao.service.runtime import start_service
from fapiao.storage.db import session_scope
from fapiao.storage.service_tables import Document, ExtractedInvoice
from tests.helpers.hostile import CASES, good_pdf, hostile_bytes
from tests.helpers.service import wait_done
from tests.service.conftest import make_key


def _deltax_bomb_ofd() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("OFD.xml", "<OFD><DocBody><DocRoot>Doc_0/Document.xml</DocRoot></DocBody></OFD>")
        zf.writestr("Doc_0/Document.xml", '<Document><Pages><Page ID="1" BaseLoc="P/Content.xml"/></Pages></Document>')
        zf.writestr(
            "Doc_0/P/Content.xml",
            '<Page><Content><Layer><TextObject ID="2" Boundary="1 1 1 1" Size="x">'
            '<TextCode X="?" Y="1" DeltaX="g 10000000000 1">发票号码</TextCode>'
            "</TextObject></Layer></Content></Page>",
        )
    return buf.getvalue()


LONG_XML = (
    "<EInvoice><EIid>"
    + "2" * 300
    + "</EIid><SellerName>"
    + "某" * 400
    + "</SellerName><SellerIdNum>"
    + "9" * 100
    + "</SellerIdNum><IssueTime>2024-05-14</IssueTime><TotalAmWithoutTax>100.00</TotalAmWithoutTax>"
    "<TotalTaxAm>6.00</TotalTaxAm><TotalTax-includedAmount>106.00</TotalTax-includedAmount></EInvoice>"
).encode()
ACTIVE = {
    "logo.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>',
    "invoice.pdf": b"<!DOCTYPE html><html><body><script>fetch('/api/v1/invoices')</script></body></html>",
    "page.xml": b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
    "utf16.svg": '<svg onload="alert(1)"/>'.encode("utf-16"),
}


def test_hostile_files_fail_clearly_while_the_service_keeps_serving(client: TestClient) -> None:
    up = make_key(client, "uploader")
    hostile = {name: hostile_bytes(name) for name in CASES if name != "empty.pdf"}  # that one is refused at upload
    hostile |= {"deltax.ofd": _deltax_bomb_ofd(), "long-fields.xml": LONG_XML, "pdf-named.jpg": good_pdf()}
    docs = client.post(
        "/api/v1/documents",
        headers=up,
        files=[("files", (n, d, "application/octet-stream")) for n, d in hostile.items()],
    ).json()["documents"]
    refused = {d["filename"]: d for d in docs if not d["id"]}
    # a type fapiao does not read (the .docx) is refused at upload, naming the file; everything else is accepted
    assert set(refused) <= {n for n in hostile if n.endswith((".docx", ".zip"))}, refused
    for name, d in refused.items():
        assert d["status"] == "rejected" and d["code"] == "unsupported_format" and name in d["error"], d
    docs = [d for d in docs if d["id"]]
    latencies: list[float] = []
    stop = threading.Event()

    def probe() -> None:  # someone else using the service meanwhile
        while not stop.is_set():
            start = time.monotonic()
            assert client.get("/health").status_code == 200
            latencies.append(time.monotonic() - start)
            time.sleep(0.05)

    prober = threading.Thread(target=probe)
    prober.start()
    try:
        start = time.monotonic()
        other = client.post(
            "/api/v1/documents",
            headers=up,
            files=[("files", ("meanwhile.pdf", good_pdf() + b"\n%1", "application/pdf"))],
        )
        assert other.status_code == 202 and time.monotonic() - start < 5
        bodies = {d["filename"]: wait_done(client, d["id"], up, timeout=120) for d in docs}
        assert wait_done(client, other.json()["documents"][0]["id"], up)["status"] == "done"
    finally:
        stop.set()
        prober.join()
    assert latencies and max(latencies) < 3, f"/health took up to {max(latencies):.1f} s"
    for name, body in bodies.items():
        if name in ("pdf-named.jpg", "long-fields.xml"):
            assert body["status"] == "done", (name, body["error"])
        else:
            assert body["status"] == "failed" and name in body["error"], (name, body["error"])
            assert "internal error" not in body["error"], (name, body["error"])  # a refusal, not a crash
    # The decompression bomb (a 50,000 × 50,000 PNG header) is refused before any pixel is decoded.
    assert "too large to decode" in bodies["pixel-bomb.png"]["error"], bodies["pixel-bomb.png"]["error"]
    # Over-long values are kept whole in the payload; the indexed columns hold what fits (PostgreSQL refused
    # the row before, which left the job `processing` for ever).
    (inv,) = bodies["long-fields.xml"]["invoices"]
    assert inv["invoice"]["invoice_number"] == "2" * 300 and inv["status"] == "needs_review"
    with session_scope(client.app.state.ctx.sessions) as s:
        row = s.get(ExtractedInvoice, inv["id"])
        assert row.invoice_number == "2" * 24 and row.seller_name == "某" * 256


def test_svg_and_html_are_refused_before_anything_is_stored(client: TestClient) -> None:
    up = make_key(client, "uploader")
    originals = client.app.state.ctx.blobs.root
    resp = client.post(
        "/api/v1/documents", headers=up, files=[("files", (n, d, "image/svg+xml")) for n, d in ACTIVE.items()]
    )
    assert resp.status_code == 415
    assert "SVG" in resp.json()["detail"] and "HTML" in resp.json()["detail"]
    assert [p for p in originals.rglob("*") if p.is_file()] == []
    mixed = client.post(
        "/api/v1/documents",
        headers=up,
        files=[
            ("files", ("a.svg", ACTIVE["logo.svg"], "image/svg+xml")),
            ("files", ("a.pdf", good_pdf(), "application/pdf")),
        ],
    ).json()
    assert [d["status"] for d in mixed["documents"]][0] == "rejected" and mixed["documents"][1]["id"]
    with session_scope(client.app.state.ctx.sessions) as s:
        assert [d.filename for d in s.scalars(select(Document))] == ["a.pdf"]


ODD_NAMES = [
    "发" * 300 + ".pdf",
    "\u202egpj.exe.pdf",
    "e\u0301\u0301\u0301.pdf",
    "😀🧾.pdf",
    "../../../etc/passwd",
    "C:\\Windows\\system32\\a.pdf",
    "a" * 900,
    " .pdf",
    "%00%2e%2e.pdf",
    "name\twith\ttabs.pdf",
]


def test_odd_and_very_long_upload_names_are_kept_as_labels_only(client: TestClient) -> None:
    up, rv = make_key(client, "uploader"), make_key(client, "reviewer")
    files = [("files", (name, good_pdf() + f"\n%{i}".encode(), "application/pdf")) for i, name in enumerate(ODD_NAMES)]
    docs = client.post("/api/v1/documents", headers=up, files=files).json()["documents"]
    assert len(docs) == len(ODD_NAMES) and all(d["id"] for d in docs)
    for d in docs:
        assert wait_done(client, d["id"], up)["status"] == "done"
        got = client.get(f"/api/v1/documents/{d['id']}/original", headers=rv)
        cd = got.headers["content-disposition"]
        assert got.status_code == 200 and cd.startswith(f"attachment; filename=\"{d['sha256']}\"; filename*=UTF-8''")
        assert got.headers["x-original-filename"].isascii()
    with session_scope(client.app.state.ctx.sessions) as s:
        assert all(len(doc.filename) <= 512 for doc in s.scalars(select(Document)))
    data_dir = client.app.state.ctx.settings.data_dir
    assert not (data_dir.parent / "etc").exists() and not (data_dir / "etc").exists()  # names are never paths
    # A name too long for a multipart header is a clear 400, not a crash.
    huge = client.post(
        "/api/v1/documents", headers=up, files=[("files", ("a" * 20_000, good_pdf(), "application/pdf"))]
    )
    assert huge.status_code == 400 and huge.headers["content-type"].startswith("application/problem+json")


def _pdf(i: int) -> bytes:
    return good_pdf() + f"\n%drop {i}".encode()


def test_drop_folder_survives_odd_names_links_and_files_removed_while_read(settings: Settings, tmp_path: Path) -> None:
    ctx = start_service(settings)
    try:
        drop = DropFolder(ctx, settings.data_dir)
        long_name = "发" * 80 + ".pdf"  # 244 bytes: a second one the same day needs a stamped name that still fits
        (drop.inbox / long_name).write_bytes(_pdf(1))
        (drop.inbox / "line\nbreak.pdf").write_bytes(_pdf(2))
        (drop.inbox / "\u202eevil.pdf").write_bytes(_pdf(3))
        secret = tmp_path / "outside-secret.txt"
        secret.write_text("not for the inbox")
        (drop.inbox / "link.pdf").symlink_to(secret)
        (drop.inbox / "linked-dir").symlink_to(tmp_path)
        (drop.inbox / "vanishes.pdf").write_bytes(_pdf(4))
        (drop.inbox / "after.pdf").write_bytes(_pdf(5))

        def remove_vanishing(session, _flush_context) -> None:  # the user deletes it once it was read and accepted
            if any(isinstance(o, Document) and o.filename == "vanishes.pdf" for o in session.new):
                (drop.inbox / "vanishes.pdf").unlink()

        drop.scan()
        event.listen(ctx.sessions, "after_flush", remove_vanishing)
        try:
            accepted = drop.scan()
        finally:
            event.remove(ctx.sessions, "after_flush", remove_vanishing)
        assert len(accepted) == 5  # long, line break, RTL override, vanishes, after: none stopped the others
        (drop.inbox / long_name).write_bytes(_pdf(6))  # the same name again, the same day
        drop.scan()
        assert len(drop.scan()) == 1
        today = drop.processed / dt.date.today().isoformat()
        moved = sorted(p.name for p in today.iterdir())
        assert len(moved) == 5 and "vanishes.pdf" not in moved and "after.pdf" in moved
        assert all(len(n.encode()) <= 255 for n in moved) and sum(n.startswith("发" * 70) for n in moved) == 2
        assert sorted(p.name for p in drop.inbox.iterdir()) == []
        assert secret.read_text() == "not for the inbox" and secret.exists()  # the link was moved, not its target
        reasons = {
            p.name: p.read_text(encoding="utf-8") for p in drop.failed.iterdir() if p.name.endswith(".reason.txt")
        }
        assert set(reasons) == {"link.pdf.reason.txt", "linked-dir.reason.txt"}
        assert all("symbolic link" in r for r in reasons.values())
        with session_scope(ctx.sessions) as s:
            docs = s.scalars(select(Document)).all()
            assert len(docs) == 6 and all(ctx.blobs.get(d.sha256) != b"not for the inbox" for d in docs)
            assert "vanishes.pdf" in {d.filename for d in docs}  # read and accepted before it went: not lost
    finally:
        ctx.close()


def test_backfill_zip_with_bombs_and_hostile_member_names(client: TestClient, tmp_path: Path) -> None:
    """A bulk zip is read member by member, never extracted: bombs are refused one by one with a reason, hostile
    names are only labels, and the good members still load."""
    import resource

    from tests.helpers.service import wait_backfill, xml

    rv = make_key(client, "reviewer")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("good.xml", xml("24390000000000000001", "10.00", "0.60"))
        zf.writestr("bomb-over-limit.xml", b"\0" * (60 * 1024 * 1024))  # 60 MB unpacked (limit 50), ~60 KB packed
        zf.writestr("bomb-ratio.pdf", b"\0" * (20 * 1024 * 1024))  # under the size limit, expands ~1000×
        zf.writestr("../../../../tmp/escaped.xml", xml("24390000000000000002", "10.00", "0.60"))
        zf.writestr("/etc/cron.d/evil.xml", xml("24390000000000000003", "10.00", "0.60"))
        zf.writestr("..\\..\\windows.xml", xml("24390000000000000004", "10.00", "0.60"))
        zf.writestr("发" * 200 + ".xml", xml("24390000000000000005", "10.00", "0.60"))
        zf.writestr("nested.zip", buf.getvalue() or b"PK\x05\x06" + b"\0" * 18)
    packed = buf.getvalue()
    assert len(packed) < 2 * 1024 * 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.monotonic()
    resp = client.post("/api/v1/backfills", headers=rv, files={"archive": ("year.zip", packed, "application/zip")})
    assert resp.status_code == 202, resp.text
    body = wait_backfill(client, rv, resp.json()["id"], timeout=120)
    assert time.monotonic() - start < 60
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak) / 1024 < 400  # MB: nothing was unpacked whole
    assert body["status"] == "done" and body["files"] == 8, body
    refusals = {r["name"]: r["error"] for r in body["refusals"]}
    assert "more than the limit" in refusals["year.zip:bomb-over-limit.xml"]
    assert "zip bomb" in refusals["year.zip:bomb-ratio.pdf"]
    assert body["jobs"]["done"] == 5 and body["jobs"].get("failed", 0) == 0  # the nested zip: refused, not kept
    assert "not a PDF" in refusals["year.zip:nested.zip"]
    labels = {d["filename"] for d in client.get("/api/v1/documents?size=50", headers=rv).json()["documents"]}
    assert {"year.zip:tmp/escaped.xml", "year.zip:etc/cron.d/evil.xml", "year.zip:windows.xml"} <= labels
    assert not Path("/tmp/escaped.xml").exists() and not Path("/etc/cron.d/evil.xml").exists()


def test_an_over_size_upload_is_refused_with_413_and_nothing_is_stored(settings: Settings) -> None:
    """FAPIAO_MAX_UPLOAD_BYTES: a file over it is refused with a problem naming the file, the size, the limit
    and the setting; a good file in the same request is still accepted; nothing of the big one is kept."""
    from fapiao.api.app import create_app

    small = settings.model_copy(update={"max_upload_bytes": len(good_pdf()) + 1024})
    big = good_pdf() + b"\n%" + b"x" * 4096  # a real PDF, padded past the limit
    with TestClient(create_app(small)) as client:
        up = make_key(client, "uploader")
        resp = client.post("/api/v1/documents", headers=up, files=[("files", ("big.pdf", big, "application/pdf"))])
        assert resp.status_code == 413 and resp.headers["content-type"].startswith("application/problem+json")
        body = resp.json()
        assert "big.pdf" in body["detail"] and f"{small.max_upload_bytes:,}" in body["detail"]
        assert body["documents"][0]["code"] and body["documents"][0]["id"] is None
        assert "FAPIAO_MAX_UPLOAD_BYTES" in body["documents"][0]["error"]  # what to do
        assert [p for p in client.app.state.ctx.blobs.root.rglob("*") if p.is_file()] == []
        mixed = client.post(
            "/api/v1/documents",
            headers=up,
            files=[
                ("files", ("big.pdf", big, "application/pdf")),
                ("files", ("ok.pdf", good_pdf(), "application/pdf")),
            ],
        )
        assert mixed.status_code == 202
        docs = mixed.json()["documents"]
        assert (docs[0]["status"], docs[0]["id"]) == ("rejected", None) and docs[1]["id"]
        assert wait_done(client, docs[1]["id"], up)["status"] == "done"
        with session_scope(client.app.state.ctx.sessions) as s:
            assert [d.filename for d in s.scalars(select(Document))] == ["ok.pdf"]
