"""Back-fills: start one from an uploaded zip or a server-side folder (optionally with the records export),
follow its progress, download its outputs."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import File, Form, Path, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from fapiao.api.deps import Ctx, PageNo, PageSize, Reviewer
from fapiao.api.models.backfills import BackfillPage, BackfillView
from fapiao.api.problems import ApiError
from fapiao.api.routing import api_router
from fapiao.service import backfills as svc

router = api_router("/api/v1/backfills", "backfills")

BackfillId = Annotated[str, Path(min_length=1, max_length=36, description="Back-fill id")]
OutputName = Literal["reconciliation.xlsx", "drafts.xlsx", "log.jsonl"]


@router.post(
    "",
    status_code=202,
    summary="Start a back-fill from a zip (field `archive`) or a server folder "
    "(field `folder`, inside FAPIAO_BACKFILL_ROOTS)",
    response_model=BackfillView,
)
async def start(
    request: Request,
    ctx: Ctx,
    _: Reviewer,
    archive: Annotated[UploadFile | None, File(description="a zip of invoice files")] = None,
    folder: Annotated[str | None, Form(max_length=4096, description="a folder on the server")] = None,
    records: Annotated[
        UploadFile | None, File(description="the system's records export (CSV or XLSX), imported first")
    ] = None,
    mapping: Annotated[
        str | None, Form(max_length=20_000, description="JSON field → header for the records export")
    ] = None,
) -> dict:
    rec = (await records.read(ctx.settings.max_upload_bytes + 1), records.filename or "records") if records else None
    explicit = None
    if mapping:
        try:
            explicit = json.loads(mapping)
        except ValueError as exc:
            raise ApiError(422, f"mapping is not JSON: {exc}", 'e.g. {"invoice_number": "票号"}') from exc
        if not isinstance(explicit, dict) or not all(isinstance(v, str) for v in explicit.values()):
            raise ApiError(422, "mapping must be a JSON object of field → header", 'e.g. {"invoice_number": "票号"}')
    body = await run_in_threadpool(
        svc.start,
        ctx,
        request.state.actor,
        zip_file=archive.file if archive else None,
        zip_name=(archive.filename or "upload.zip") if archive else "upload.zip",
        folder=folder or None,
        records=rec,
        mapping=explicit,
    )
    svc.ingest_in_background(ctx, body["id"], request.app.state.dispatch)
    return body


@router.get("", summary="Back-fills, newest first", response_model=BackfillPage)
def list_all(ctx: Ctx, _: Reviewer, page: PageNo = 1, size: PageSize = 50) -> dict:
    total, rows = svc.list_backfills(ctx, page, size)
    return {"total": total, "page": page, "size": size, "backfills": rows}


@router.get(
    "/{backfill_id}",
    summary="Progress (jobs by status), categories when done, output links",
    response_model=BackfillView,
)
def get_one(backfill_id: BackfillId, ctx: Ctx, _: Reviewer) -> dict:
    return svc.get(ctx, backfill_id)


@router.get(
    "/{backfill_id}/outputs/{name}",
    summary="Download an output",
    response_class=Response,
    responses={200: {"content": {t: {} for t in set(svc.OUTPUT_TYPES.values())}}},
)
def download(backfill_id: BackfillId, name: OutputName, ctx: Ctx, _: Reviewer) -> Response:
    content = svc.output(ctx, backfill_id, name)
    return Response(
        content,
        media_type=svc.OUTPUT_TYPES[name],
        headers={"Content-Disposition": f'attachment; filename="{backfill_id[:8]}-{name}"'},
    )
