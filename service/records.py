"""Records imports through the service (API and UI): the export file is kept in the blob store, previewed
(how its headers map, its first rows, its bad rows) or synced into the records; a file that cannot be read at
all is still recorded as a failed import, so that nobody wonders whether last week's import ran."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from fapiao.core.errors import FapiaoError
from fapiao.core.limits import check_size
from fapiao.core.messages import coded
from fapiao.core.states import ImportStatus
from fapiao.matching.export import record_json
from fapiao.matching.headers import FIELDS, HeaderMap, MappingError
from fapiao.matching.normalize import tax_id
from fapiao.matching.records_import import ParsedExport, parse_upload
from fapiao.service.context import ServiceContext
from fapiao.service.review import reverify_unconfirmed
from fapiao.storage.db import retry_on_conflict, session_scope
from fapiao.storage.matching_tables import ImportRun
from fapiao.storage.records import load_mapping, save_mapping, sync_records

PREVIEW_ROWS = 10


class RecordsImportError(FapiaoError):
    """The records file as a whole cannot be read (format, encoding, headers, mapping)."""

    code = "records_import"


def resolve_mapping(
    ctx: ServiceContext, mapping: dict[str, str | None] | None, mapping_name: str | None
) -> dict[str, str | None] | None:
    """An explicit mapping given with the upload wins; else a saved one by name; else automatic mapping."""
    if mapping:
        return mapping
    if not mapping_name:
        return None
    with session_scope(ctx.sessions) as s:
        saved = load_mapping(s, mapping_name)
    if saved is None:
        raise RecordsImportError(
            f"no saved header mapping named {mapping_name!r}",
            hint="save one with the import (save_mapping_as) or leave mapping_name empty",
        )
    return saved


def _parse(ctx: ServiceContext, data: bytes, filename: str, explicit: dict[str, str | None] | None) -> ParsedExport:
    check_size(
        data,
        filename,
        ctx.settings.max_upload_bytes,
        what="export",
        empty_hint="export the invoice list again",
        empty_error=RecordsImportError,
    )
    try:
        return parse_upload(data, filename, explicit)
    except MappingError as exc:
        raise RecordsImportError(str(exc), hint="check the file, or give an explicit mapping field → header") from exc


def mapping_view(hm: HeaderMap) -> dict[str, Any]:
    """How each column was read, for people to check before they trust an import."""
    by_col = {i: f for f, i in hm.columns.items()}
    return {
        "columns": [
            {
                "column": i + 1,
                "header": h,
                "field": by_col.get(i),
                "score": round(hm.scores.get(by_col[i], 100.0), 1) if i in by_col else None,
                "explicit": by_col.get(i) in hm.explicit,
            }
            for i, h in enumerate(hm.headers)
        ],
        "mapping": hm.as_named(),
        "excluded": sorted(hm.excluded),
        "unmapped": hm.unmapped,
        "fields": list(FIELDS),
    }


def preview_import(
    ctx: ServiceContext, data: bytes, filename: str, explicit: dict[str, str | None] | None = None
) -> dict:
    """Parse without storing anything: the mapping, the first records as read, and the bad rows."""
    parsed = _parse(ctx, data, filename, explicit)
    return {
        "source": filename,
        "header_row": parsed.header_row,
        **mapping_view(parsed.header_map),
        "rows_read": parsed.rows_read,
        "records": len(parsed.records),
        "sample": [record_json(r) for r in parsed.records[:PREVIEW_ROWS]],
        "errors": [
            {"row": e.row, "column": e.column, "reason": e.reason, **coded("reason", e.why)} for e in parsed.errors
        ],
        "unmapped_statuses": {v: len(rows) for v, rows in parsed.unmapped_statuses.items()},
    }


def import_records(
    ctx: ServiceContext,
    data: bytes,
    filename: str,
    actor: str,
    explicit: dict[str, str | None] | None = None,
    save_as: str | None = None,
) -> dict:
    """Keep the file, sync its rows into the records (resolving drafts the records now contain) and return the
    import run. A file that cannot be read is recorded as a failed run and then raised."""
    sha = ctx.blobs.put(data) if data and len(data) <= ctx.settings.max_upload_bytes else None
    try:
        parsed = _parse(ctx, data, filename, explicit)
    except FapiaoError as exc:
        with session_scope(ctx.sessions) as s:
            now = dt.datetime.now(dt.UTC)
            s.add(
                ImportRun(
                    source_name=filename[:512],
                    started_at=now,
                    finished_at=now,
                    source_sha256=sha,
                    actor=actor,
                    error=exc.message,
                )
            )
        raise

    def sync() -> dict:
        with session_scope(ctx.sessions) as s:
            run = sync_records(s, parsed, source_sha256=sha, actor=actor)
            if save_as:
                save_mapping(s, save_as, parsed.header_map.as_saved())
            return run_view(run, with_errors=True)

    view = retry_on_conflict(sync)
    parties = {tax_id(t) for r in parsed.records for t in (r.seller_tax_id, r.buyer_tax_id) if t}
    view["reverified"] = reverify_unconfirmed(ctx, parties - {""}, actor)
    return view


def reimport(ctx: ServiceContext, actor: str, run_id: int | None = None) -> dict:
    """Run an import's file again (the same bytes and the same mapping): the newest import's, or ``run_id``'s —
    e.g. after fixing a mapping, or to re-sync a source whose last import failed."""
    with session_scope(ctx.sessions) as s:
        stmt = select(ImportRun).where(ImportRun.source_sha256.is_not(None))
        if run_id is not None:
            stmt = stmt.where(ImportRun.id == run_id)
        last = s.scalar(stmt.order_by(ImportRun.id.desc()).limit(1))
        if last is None:
            raise RecordsImportError(
                "no records import to repeat" if run_id is None else f"import {run_id} does not exist or kept no file",
                hint="import a records export first",
            )
        sha, name, mapping, failed = last.source_sha256, last.source_name, dict(last.mapping or {}), last.error
    data = ctx.blobs.get(sha)
    return import_records(ctx, data, name, actor, explicit=None if failed or not mapping else mapping)


def reimport_last(ctx: ServiceContext, actor: str) -> dict:
    return reimport(ctx, actor)


def sources(ctx: ServiceContext) -> list[dict]:
    """Sync status per records source (file name): when it was last imported, what that import changed, and
    when it last imported successfully."""
    with session_scope(ctx.sessions) as s:
        runs = list(s.scalars(select(ImportRun).order_by(ImportRun.source_name, ImportRun.id.desc())))
        out: dict[str, dict] = {}
        for run in runs:
            src = out.get(run.source_name)
            if src is None:
                src = out[run.source_name] = {
                    "source": run.source_name,
                    "imports": 0,
                    "last": run_view(run),
                    "last_success_at": None,
                    "changed": run.inserted + run.updated,
                }
            src["imports"] += 1
            if src["last_success_at"] is None and run.error is None:
                src["last_success_at"] = run.started_at.isoformat()
        return sorted(out.values(), key=lambda x: x["last"]["started_at"], reverse=True)


def run_view(run: ImportRun, with_errors: bool = False) -> dict:
    out = {
        "id": run.id,
        "source": run.source_name,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "actor": run.actor,
        "status": ImportStatus.failed if run.error else ImportStatus.partial if run.errors else ImportStatus.done,
        "error": run.error,
        "header_row": run.header_row,
        "mapping": run.mapping or {},
        "rows_read": run.rows_read,
        "inserted": run.inserted,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "drafts_resolved": run.drafts_resolved,
        "bad_rows": len(run.errors),
        "unmapped_statuses": {
            v: len(rows) for v, rows in ((run.vocabulary or {}).get("unmapped_statuses") or {}).items()
        },
        "status_words": (run.vocabulary or {}).get("status_words") or {},
        "can_reimport": run.source_sha256 is not None,
    }
    if with_errors:
        out["errors"] = [
            {
                "row": e.row,
                "column": e.column,
                "reason": e.reason,
                "reason_code": e.reason_code,
                "reason_params": e.reason_params,
            }
            for e in run.errors
        ]
    return out
