"""The system's records: import an export (preview first, or sync), past imports with their bad rows, the
records themselves, saved header mappings and the party master."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import File, Form, Path, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from fapiao.api.deps import Ctx, PageNo, PageSize, Reviewer
from fapiao.api.models.records import (
    ImportDetail,
    ImportDone,
    ImportPage,
    ImportPreview,
    Mappings,
    PartyPage,
    RecordPage,
    SavedMapping,
    Sources,
)
from fapiao.api.problems import ApiError
from fapiao.api.routing import api_router
from fapiao.matching.headers import FIELDS
from fapiao.service.records import import_records, preview_import, reimport, resolve_mapping, run_view, sources
from fapiao.storage.db import page_of, session_scope
from fapiao.storage.matching_tables import HeaderMapping, ImportRun, Party, SystemRecord
from fapiao.storage.records import save_mapping

router = api_router("/api/v1/records", "records")

RunId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Import run id")]
MappingName = Annotated[str, Path(min_length=1, max_length=128, description="Saved mapping name")]


def _explicit(mapping: str | None) -> dict[str, str] | None:
    if not mapping:
        return None
    try:
        data = json.loads(mapping)
    except ValueError as exc:
        raise ApiError(
            422, f"mapping is not JSON: {exc}", 'send an object of field → header, e.g. {"invoice_number": "票号"}'
        ) from exc
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in data.items()
    ):
        raise ApiError(
            422,
            "mapping must be a JSON object of field → header text (null: the file has no such column)",
            f'e.g. {{"invoice_number": "票号"}}; fields: {", ".join(FIELDS)}',
        )
    return data


@router.post(
    "/imports",
    status_code=201,
    summary="Import a records export (CSV or XLSX); preview=true only shows how it would be read",
    response_model=ImportDone | ImportPreview,
)
async def create_import(
    request: Request,
    ctx: Ctx,
    _: Reviewer,
    file: Annotated[UploadFile, File(description="the system's invoice list: CSV or XLSX, Chinese or English headers")],
    preview: Annotated[
        bool, Form(description="parse and show the header mapping, sample rows and bad rows; store nothing")
    ] = False,
    mapping: Annotated[
        str | None, Form(max_length=20_000, description="JSON object field → header overriding the automatic mapping")
    ] = None,
    mapping_name: Annotated[str | None, Form(max_length=128, description="use a saved mapping")] = None,
    save_mapping_as: Annotated[
        str | None, Form(max_length=128, description="save the mapping used under this name")
    ] = None,
) -> dict:
    data = await file.read(ctx.settings.max_upload_bytes + 1)
    name = file.filename or "records"
    explicit = await run_in_threadpool(resolve_mapping, ctx, _explicit(mapping), mapping_name)
    if preview:
        return await run_in_threadpool(preview_import, ctx, data, name, explicit)
    return await run_in_threadpool(import_records, ctx, data, name, request.state.actor, explicit, save_mapping_as)


@router.post(
    "/imports/repeat", status_code=201, summary="Import the newest import's file again", response_model=ImportDone
)
async def repeat_import(request: Request, ctx: Ctx, _: Reviewer) -> dict:
    return await run_in_threadpool(reimport, ctx, request.state.actor)


@router.post(
    "/imports/{run_id}/repeat",
    status_code=201,
    summary="Import that import's file again (same mapping)",
    response_model=ImportDone,
)
async def repeat_one(run_id: RunId, request: Request, ctx: Ctx, _: Reviewer) -> dict:
    return await run_in_threadpool(reimport, ctx, request.state.actor, run_id)


@router.get(
    "/sources",
    summary="Sync status per records source: last import, what it changed, last success",
    response_model=Sources,
)
def list_sources(ctx: Ctx, _: Reviewer) -> dict:
    return {"sources": sources(ctx)}


@router.get("/imports", summary="Records imports, newest first", response_model=ImportPage)
def list_imports(ctx: Ctx, _: Reviewer, page: PageNo = 1, size: PageSize = 50) -> dict:
    with session_scope(ctx.sessions) as s:
        stmt = select(ImportRun).options(selectinload(ImportRun.errors))
        total, rows = page_of(s, stmt, (ImportRun.id.desc(),), page, size)
        return {"total": total, "page": page, "size": size, "imports": [run_view(r) for r in rows]}


@router.get("/imports/{run_id}", summary="One import with its mapping and every bad row", response_model=ImportDetail)
def get_import(run_id: RunId, ctx: Ctx, _: Reviewer) -> dict:
    with session_scope(ctx.sessions) as s:
        run = s.get(ImportRun, run_id)
        if run is None:
            raise ApiError(404, f"no import {run_id}", "list imports with GET /api/v1/records/imports")
        return run_view(run, with_errors=True)


@router.get("", summary="Records, with search by number, name or tax ID", response_model=RecordPage)
def list_records(
    ctx: Ctx,
    _: Reviewer,
    q: Annotated[str | None, Query(max_length=200)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    with session_scope(ctx.sessions) as s:
        stmt = select(SystemRecord)
        if q:
            stmt = stmt.where(
                or_(
                    *(
                        c.contains(q, autoescape=True)
                        for c in (
                            SystemRecord.invoice_key,
                            SystemRecord.seller_name,
                            SystemRecord.seller_tax_id,
                            SystemRecord.buyer_name,
                        )
                    )
                )
            )
        if status:
            stmt = stmt.where(SystemRecord.status == status)
        total, rows = page_of(s, stmt, (SystemRecord.issue_date.desc(), SystemRecord.id.desc()), page, size)
        return {"total": total, "page": page, "size": size, "records": [record_view(r) for r in rows]}


def record_view(r: SystemRecord) -> dict:
    return {
        "id": r.id,
        "invoice_key": r.invoice_key,
        "invoice_code": r.invoice_code,
        "invoice_number": r.invoice_number,
        "issue_date": r.issue_date.isoformat() if r.issue_date else None,
        "seller_tax_id": r.seller_tax_id,
        "seller_name": r.seller_name,
        "buyer_tax_id": r.buyer_tax_id,
        "buyer_name": r.buyer_name,
        "total_amount": _m(r.total_amount),
        "total_tax": _m(r.total_tax),
        "amount_with_tax": _m(r.amount_with_tax),
        "status": r.status,
        "invoice_kind": r.invoice_kind,
        "first_seen": r.first_seen.isoformat(),
        "last_seen": r.last_seen.isoformat(),
    }


def _m(v) -> str | None:
    return None if v is None else f"{v:.2f}"


class MappingBody(BaseModel):
    mapping: dict[str, str | None] = Field(
        description="our field → header text (null: the file has no such column)", max_length=len(FIELDS)
    )


@router.get("/mappings", summary="Saved header mappings", response_model=Mappings)
def list_mappings(ctx: Ctx, _: Reviewer) -> dict:
    with session_scope(ctx.sessions) as s:
        return {
            "mappings": [
                {"name": m.name, "mapping": m.mapping}
                for m in s.scalars(select(HeaderMapping).order_by(HeaderMapping.name))
            ],
            "fields": list(FIELDS),
        }


@router.put("/mappings/{name}", summary="Save (or replace) a header mapping", response_model=SavedMapping)
def put_mapping(name: MappingName, body: MappingBody, ctx: Ctx, _: Reviewer) -> dict:
    unknown = set(body.mapping) - set(FIELDS)
    if unknown:
        raise ApiError(
            422, f"unknown fields in the mapping: {', '.join(sorted(unknown))}", f"fields: {', '.join(FIELDS)}"
        )
    with session_scope(ctx.sessions) as s:
        row = save_mapping(s, name, body.mapping)
        return {"name": row.name, "mapping": row.mapping}


@router.get(
    "/parties",
    summary="The party master: tax ID, canonical name and the name variants seen",
    response_model=PartyPage,
)
def list_parties(
    ctx: Ctx, _: Reviewer, q: Annotated[str | None, Query(max_length=200)] = None, page: PageNo = 1, size: PageSize = 50
) -> dict:
    with session_scope(ctx.sessions) as s:
        stmt = select(Party).options(selectinload(Party.names))
        if q:
            stmt = stmt.where(
                or_(Party.tax_id.contains(q, autoescape=True), Party.canonical_name.contains(q, autoescape=True))
            )
        total, rows = page_of(s, stmt, (Party.canonical_name,), page, size)
        return {
            "total": total,
            "page": page,
            "size": size,
            "parties": [
                {
                    "tax_id": p.tax_id,
                    "canonical_name": p.canonical_name,
                    "names": [{"name": n.name, "seen": n.seen, "origin": n.origin} for n in p.names],
                }
                for p in rows
            ],
        }
