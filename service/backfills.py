"""Back-fills in the service: a zip upload or a server-side folder becomes documents on the ordinary job
queue (so the in-process executor or any number of Celery workers read them, exactly once, surviving
restarts); when the last one is finished, whoever finished it reconciles the back-fill and stores its
outputs (reconciliation.xlsx, drafts.xlsx in the records' layout, log.jsonl) in the blob store.

ingesting → processing → reconciling → done | failed. Ingestion is idempotent by file identity (name and
content hash, never position: a folder may change meanwhile), so after a crash it is simply run again;
completion is claimed with a conditional update, so it happens once."""

from __future__ import annotations

import logging
import tempfile
import threading
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func, select, update

from fapiao.core.errors import FapiaoError, LimitExceeded, NotFound
from fapiao.core.messages import Message, coded
from fapiao.core.models import Status
from fapiao.core.states import BackfillStatus, JobStatus
from fapiao.matching.backfill import OUTPUTS
from fapiao.matching.export import TAX_BUREAU_HEADERS, write_drafts_xlsx, write_report_json, write_report_xlsx
from fapiao.matching.reconcile import Category
from fapiao.service.bulk.sources import SourceFile, iter_bytes, list_source
from fapiao.service.context import ServiceContext
from fapiao.service.documents import accept
from fapiao.service.reconciliation import Scope, run_lines, run_reconciliation
from fapiao.service.records import import_records
from fapiao.storage.backfill_tables import Backfill, BackfillDocument
from fapiao.storage.db import page_of, session_scope
from fapiao.storage.matching_tables import Draft, ImportRun, ReconciliationItem, ReconciliationRun
from fapiao.storage.records import last_import
from fapiao.storage.service_tables import Document, utcnow

log = logging.getLogger(__name__)
Dispatch = Callable[[str], None]
OUTPUT_TYPES = {
    "reconciliation.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "drafts.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "log.jsonl": "application/x-ndjson",
}


class BackfillError(FapiaoError):
    code = "backfill"


class FolderNotAllowed(FapiaoError):
    code = "folder_not_allowed"


def allowed_folder(ctx: ServiceContext, folder: str) -> Path:
    """The folder, resolved, if it lies inside one of the configured back-fill roots; refused otherwise (so the
    API can never be used to read arbitrary server paths). Every path outside the roots gets the same answer,
    whether it exists, is a file or is a folder: the answer must not be a way to probe the server's disk."""
    roots = ctx.settings.allowed_backfill_roots
    try:
        lexical = Path(folder).resolve(strict=False)
    except (OSError, RuntimeError, ValueError):
        lexical = None
    if lexical is None or not _under(lexical, roots):
        raise FolderNotAllowed(
            f"{folder}: not a folder inside the folders back-fills may read",
            hint="allowed: " + ", ".join(map(str, roots)) + " (FAPIAO_BACKFILL_ROOTS)",
        )
    try:
        path = Path(folder).resolve(strict=True)
    except (OSError, RuntimeError):
        raise BackfillError(
            f"{folder}: no such folder on the server", hint=f"put the files under {roots[0]} and give that path"
        ) from None
    if not _under(path, roots):  # cannot happen after the lexical check, but never trust one check alone
        raise FolderNotAllowed(
            f"{folder}: not a folder inside the folders back-fills may read",
            hint="allowed: " + ", ".join(map(str, roots)) + " (FAPIAO_BACKFILL_ROOTS)",
        )
    if not path.is_dir():
        raise BackfillError(f"{folder}: not a folder", hint="give a folder of invoices, or upload a zip")
    return path


def _under(path: Path, roots: list[Path]) -> bool:
    return any(path == r or r in path.parents for r in roots)


def _inside_roots(ctx: ServiceContext, f: SourceFile) -> SourceFile:
    """A file of a server folder, refused unread when it is a link leading out of the back-fill roots."""
    try:
        real = f.origin.resolve(strict=True)
    except (OSError, RuntimeError):
        return replace(f, error=Message.of("link_unresolved", name=f.name))
    if not any(real == r or r in real.parents for r in ctx.settings.allowed_backfill_roots):
        return replace(f, error=Message.of("link_outside_roots", name=f.name))
    return f


def start(
    ctx: ServiceContext,
    actor: str,
    *,
    zip_file: BinaryIO | None = None,
    zip_name: str = "upload.zip",
    folder: str | None = None,
    records: tuple[bytes, str] | None = None,
    mapping: dict[str, str | None] | None = None,
) -> dict:
    """Record a back-fill (the zip streamed into the blob store first, never held in memory) and import its
    records export, if one is given. The caller then runs ``ingest`` in the background."""
    if (zip_file is None) == (folder is None):
        raise BackfillError(
            "give either a zip of invoices or a server folder, not both or neither",
            hint="multipart field `archive`, or form field `folder`",
        )
    path = allowed_folder(ctx, folder) if folder is not None else None
    sha = None
    if zip_file is not None:
        limit = ctx.settings.max_backfill_bytes
        try:
            sha, _size = ctx.blobs.put_file(zip_file, limit)
        except OverflowError:
            raise LimitExceeded(
                f"{zip_name}: more than {limit:,} bytes", hint="split the archive or raise FAPIAO_MAX_BACKFILL_BYTES"
            ) from None
        if not zipfile.is_zipfile(ctx.blobs.path(sha)):
            raise BackfillError(
                f"{zip_name}: not a zip archive", hint="zip the invoice files, or upload them one by one"
            )
    import_id = None
    if records is not None:
        import_id = import_records(ctx, records[0], records[1], actor, explicit=mapping)["id"]
    with session_scope(ctx.sessions) as s:
        row = Backfill(
            actor=actor,
            status=BackfillStatus.ingesting,
            source_kind="zip" if sha else "folder",
            source_name=zip_name[:1024] if sha else str(path),
            source_sha256=sha,
            records_import_id=import_id,
        )
        s.add(row)
        s.flush()
        return view(s, row)


def ingest(ctx: ServiceContext, backfill_id: str, dispatch: Dispatch) -> None:
    """Accept every file of the source as a document and queue it; files already accepted by an earlier,
    interrupted ingestion are skipped."""
    with session_scope(ctx.sessions) as s:
        row = s.get(Backfill, backfill_id)
        if row is None or row.status != BackfillStatus.ingesting:
            return
        kind, name, sha, folder = row.source_kind, row.source_name, row.source_sha256, row.source_name
        have = {  # name → (member row id, content hash): what an interrupted ingestion already took
            name: (row_id, sha)
            for row_id, name, sha in s.execute(
                select(BackfillDocument.id, BackfillDocument.name, Document.sha256)
                .join(Document, Document.id == BackfillDocument.document_id)
                .where(BackfillDocument.backfill_id == backfill_id)
            )
        }
        next_position = (
            s.scalar(select(func.max(BackfillDocument.position)).where(BackfillDocument.backfill_id == backfill_id))
            or -1
        ) + 1
    try:
        source = (
            ctx.blobs.path(sha) if kind == "zip" else allowed_folder(ctx, folder)
        )  # checked again: it may have changed
        files = list_source(
            source, ctx.settings.max_upload_bytes, label=name, max_total=ctx.settings.max_backfill_unpacked_bytes
        )
        if kind == "folder":
            files = [_inside_roots(ctx, f) for f in files]
    except Exception as exc:  # the archive or folder went bad after it was accepted
        _fail(ctx, backfill_id, f"{name}: cannot be read ({exc})")
        return
    refusals = []
    for f, data, error in iter_bytes(files):
        taken = have.get(f.name[:1024])
        if data is not None and taken is not None and taken[1] == ctx.blobs.digest(data):
            continue  # the same file (name and content) was taken before the interruption: not by position
        text = error.text if error is not None else None
        if error is None:
            try:
                got = accept(ctx, data, f.name, "bulk")  # a refused member is not kept, only listed as rejected
            except FapiaoError as exc:
                text, error = str(exc), exc.msg
        if text is not None:
            refusals.append({"name": f.name, "error": text, **coded("error", error)})
            continue
        with session_scope(ctx.sessions) as s:
            if taken is not None:  # the file was replaced since it was taken: the member is its new content
                s.execute(update(BackfillDocument).where(BackfillDocument.id == taken[0]).values(document_id=got.id))
            else:
                s.add(
                    BackfillDocument(
                        backfill_id=backfill_id, position=next_position, name=f.name[:1024], document_id=got.id
                    )
                )
                next_position += 1
        if got.created:
            dispatch(got.id)
    with session_scope(ctx.sessions) as s:
        accepted = s.scalar(select(func.count()).where(BackfillDocument.backfill_id == backfill_id)) or 0
        s.execute(
            update(Backfill)
            .where(Backfill.id == backfill_id, Backfill.status == BackfillStatus.ingesting)
            .values(status=BackfillStatus.processing, total=len(files), accepted=accepted, refusals=refusals)
        )
    check_complete(ctx, backfill_id)


def ingest_in_background(ctx: ServiceContext, backfill_id: str, dispatch: Dispatch) -> threading.Thread:
    def run() -> None:
        try:
            ingest(ctx, backfill_id, dispatch)
        except Exception as exc:  # keep the service up; the back-fill says what went wrong
            log.exception("back-fill %s: ingestion failed", backfill_id)
            _fail(ctx, backfill_id, f"ingestion failed: {exc}")

    t = threading.Thread(target=run, name=f"fapiao-backfill-{backfill_id[:8]}", daemon=True)
    t.start()
    return t


def resume(ctx: ServiceContext, dispatch: Dispatch) -> list[threading.Thread]:
    """At start: ingestions cut off by a crash run again; a reconciliation cut off is retried."""
    with session_scope(ctx.sessions) as s:
        s.execute(
            update(Backfill)
            .where(Backfill.status == BackfillStatus.reconciling)
            .values(status=BackfillStatus.processing)
        )
        ingesting = list(s.scalars(select(Backfill.id).where(Backfill.status == BackfillStatus.ingesting)))
        processing = list(s.scalars(select(Backfill.id).where(Backfill.status == BackfillStatus.processing)))
    for bid in processing:
        check_complete(ctx, bid)
    return [ingest_in_background(ctx, bid, dispatch) for bid in ingesting]


def document_finished(ctx: ServiceContext, doc_id: str) -> None:
    """Called after every job: completes the back-fills this document was the last open one of."""
    with session_scope(ctx.sessions) as s:
        ids = list(
            s.scalars(
                select(BackfillDocument.backfill_id)
                .join(Backfill)
                .where(BackfillDocument.document_id == doc_id, Backfill.status == BackfillStatus.processing)
            )
        )
    for bid in ids:
        check_complete(ctx, bid)


def check_complete(ctx: ServiceContext, backfill_id: str) -> bool:
    """When no document of the back-fill is queued or processing, claim it and finish it (once)."""
    with session_scope(ctx.sessions) as s:
        open_docs = s.scalar(
            select(func.count())
            .select_from(BackfillDocument)
            .join(Document)
            .where(
                BackfillDocument.backfill_id == backfill_id,
                Document.status.in_((JobStatus.queued, JobStatus.processing)),
            )
        )
        if open_docs:
            return False
        claimed = (
            s.execute(
                update(Backfill)
                .where(Backfill.id == backfill_id, Backfill.status == BackfillStatus.processing)
                .values(status=BackfillStatus.reconciling)
            ).rowcount
            == 1
        )
    if not claimed:
        return False
    try:
        _finish(ctx, backfill_id)
    except Exception as exc:
        log.exception("back-fill %s: reconciliation failed", backfill_id)
        _fail(ctx, backfill_id, f"reconciliation failed: {exc}")
    return True


def _finish(ctx: ServiceContext, backfill_id: str) -> None:
    with session_scope(ctx.sessions) as s:
        row = s.get(Backfill, backfill_id)
        refusals, import_id = list(row.refusals or []), row.records_import_id
    run = run_reconciliation(ctx, Scope(backfill=backfill_id), actor=f"back-fill {backfill_id[:8]}")
    refused = [
        {
            "source": r["name"],
            "page": None,
            "category": Category.rejected,
            "record_key": None,
            "score": None,
            "decision": "no_match",
            "reasons": [],
            "differences": [],
            "invoice": None,
            "status": Status.rejected,
            "findings": [],
            "error": r["error"],
        }
        for r in refusals
    ]
    with session_scope(ctx.sessions) as s:
        lines = run_lines(s, run["id"])
        draft_ids = [
            d
            for (d,) in s.execute(
                select(ReconciliationItem.draft_id)
                .where(ReconciliationItem.run_id == run["id"], ReconciliationItem.draft_id.is_not(None))
                .order_by(ReconciliationItem.id)
            )
        ]
        payloads = [s.get(Draft, d).payload for d in draft_ids]
        imp = s.get(ImportRun, import_id) if import_id else last_import(s)
        headers, mapping = (
            (list(imp.headers), dict(imp.mapping or {}))
            if imp is not None and imp.headers
            else (list(TAX_BUREAU_HEADERS), None)
        )
    documents = [ln for ln in lines if ln["category"] != Category.no_document]
    outputs = {}
    with tempfile.TemporaryDirectory() as tmp:
        writers = {
            "reconciliation.xlsx": lambda p: write_report_xlsx([*documents, *refused, *lines[len(documents) :]], p),
            "drafts.xlsx": lambda p: write_drafts_xlsx(payloads, p, headers=headers, mapping=mapping),
            "log.jsonl": lambda p: write_report_json([*documents, *refused], p),
        }
        for name in OUTPUTS:
            path = Path(tmp) / name
            writers[name](path)
            outputs[name] = ctx.blobs.put(path.read_bytes())
    with session_scope(ctx.sessions) as s:
        s.execute(
            update(Backfill)
            .where(Backfill.id == backfill_id)
            .values(status=BackfillStatus.done, outputs=outputs, reconciliation_run_id=run["id"], finished_at=utcnow())
        )


def _fail(ctx: ServiceContext, backfill_id: str, error: str) -> None:
    with session_scope(ctx.sessions) as s:
        s.execute(
            update(Backfill)
            .where(Backfill.id == backfill_id)
            .values(status=BackfillStatus.failed, error=error, finished_at=utcnow())
        )


def get(ctx: ServiceContext, backfill_id: str) -> dict:
    with session_scope(ctx.sessions) as s:
        row = s.get(Backfill, backfill_id)
        if row is None:
            raise NotFound(f"no back-fill {backfill_id}", hint="list back-fills with GET /api/v1/backfills")
        return view(s, row)


def output(ctx: ServiceContext, backfill_id: str, name: str) -> bytes:
    with session_scope(ctx.sessions) as s:
        row = s.get(Backfill, backfill_id)
        if row is None:
            raise NotFound(f"no back-fill {backfill_id}", hint="list back-fills with GET /api/v1/backfills")
        sha = (row.outputs or {}).get(name)
        if sha is None:
            raise NotFound(
                f"back-fill {backfill_id} has no output {name!r} (it is {row.status})",
                hint="outputs exist once the status is done: " + ", ".join(OUTPUTS),
            )
    return ctx.blobs.get(sha)


def view(s, row: Backfill) -> dict:
    jobs = dict(
        s.execute(
            select(Document.status, func.count())
            .join(BackfillDocument, BackfillDocument.document_id == Document.id)
            .where(BackfillDocument.backfill_id == row.id)
            .group_by(Document.status)
        ).all()
    )
    finished = jobs.get(JobStatus.done, 0) + jobs.get(JobStatus.failed, 0)
    done = 1.0 if row.status == BackfillStatus.done else 0.0
    progress = round(finished / row.accepted, 4) if row.accepted else done
    counts = None
    if row.reconciliation_run_id:
        run = s.get(ReconciliationRun, row.reconciliation_run_id)
        counts = dict(run.counts) if run else None
        if counts is not None:  # refused members are `rejected` lines of the outputs too: the counts agree
            counts[Category.rejected] = counts.get(Category.rejected, 0) + len(row.refusals or [])
    return {
        "id": row.id,
        "status": row.status,
        "created_at": row.created_at.isoformat(),
        "actor": row.actor,
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
        "source": row.source_name,
        "source_kind": row.source_kind,
        "records_import_id": row.records_import_id,
        "files": row.total,
        "accepted": row.accepted,
        "refused": len(row.refusals or []),
        "refusals": row.refusals or [],
        "jobs": {k.value: int(jobs.get(k, 0)) for k in JobStatus},
        "progress": progress,
        "reconciliation_run_id": row.reconciliation_run_id,
        "categories": counts,
        "outputs": [{"name": n, "url": f"/api/v1/backfills/{row.id}/outputs/{n}"} for n in (row.outputs or {})],
        "error": row.error,
    }


def list_backfills(ctx: ServiceContext, page: int, size: int) -> tuple[int, list[dict]]:
    with session_scope(ctx.sessions) as s:
        total, rows = page_of(s, select(Backfill), (Backfill.created_at.desc(),), page, size)
        return total, [view(s, r) for r in rows]
