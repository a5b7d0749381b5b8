"""Reconciliation runs: run one for a batch, an issue-date range or everything; read its counts and lines;
download the report as XLSX (a sheet per category), CSV or JSON Lines."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path as FsPath
from typing import Annotated, Literal

from fastapi import Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field, model_validator

from fapiao.api.deps import Ctx, PageNo, PageSize, Reviewer
from fapiao.api.models.reconciliations import RunDetail, RunPage, RunView
from fapiao.api.problems import ApiError
from fapiao.api.routing import api_router
from fapiao.matching.export import REPORT_WRITERS
from fapiao.matching.reconcile import Category
from fapiao.service.reconciliation import Scope, list_runs, run_items, run_lines, run_reconciliation, run_view
from fapiao.storage.db import session_scope
from fapiao.storage.matching_tables import ReconciliationRun

router = api_router("/api/v1/reconciliations", "reconciliation")

RunId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Reconciliation run id")]
REPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/x-ndjson",
}


class RunRequest(BaseModel):
    batch: str | None = Field(default=None, max_length=64, description="only documents uploaded with this batch")
    date_from: dt.date | None = Field(default=None, description="only invoices issued on or after")
    date_to: dt.date | None = Field(default=None, description="only invoices issued on or before")

    @model_validator(mode="after")
    def _order(self):
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from is after date_to")
        return self


@router.post(
    "",
    status_code=201,
    summary="Reconcile the documents in a scope with the records; drafts are created "
    "for invoices missing in the system",
    response_model=RunView,
)
async def create_run(body: RunRequest, request: Request, ctx: Ctx, _: Reviewer) -> dict:
    scope = Scope(batch=body.batch, date_from=body.date_from, date_to=body.date_to)
    return await run_in_threadpool(run_reconciliation, ctx, scope, request.state.actor)


@router.get("", summary="Reconciliation runs, newest first", response_model=RunPage)
def runs(ctx: Ctx, _: Reviewer, page: PageNo = 1, size: PageSize = 50) -> dict:
    with session_scope(ctx.sessions) as s:
        total, rows = list_runs(s, page, size)
        return {"total": total, "page": page, "size": size, "runs": rows}


@router.get(
    "/{run_id}", summary="One run: counts per category and its lines (filter by category)", response_model=RunDetail
)
def get_run(
    run_id: RunId, ctx: Ctx, _: Reviewer, category: Category | None = None, page: PageNo = 1, size: PageSize = 50
) -> dict:
    with session_scope(ctx.sessions) as s:
        run = s.get(ReconciliationRun, run_id)
        if run is None:
            raise ApiError(404, f"no reconciliation run {run_id}", "list runs with GET /api/v1/reconciliations")
        total, items = run_items(s, run_id, category.value if category else None, page, size)
        return dict(run_view(run), total=total, page=page, size=size, items=items)


@router.get(
    "/{run_id}/report",
    summary="The run's report as a file",
    response_class=Response,
    responses={200: {"content": {t.split(";")[0]: {} for t in REPORT_TYPES.values()}}},
)
def report(
    run_id: RunId,
    ctx: Ctx,
    _: Reviewer,
    format: Annotated[Literal["xlsx", "csv", "json"], Query(description="xlsx, csv or json")] = "xlsx",
) -> Response:
    with session_scope(ctx.sessions) as s:
        if s.get(ReconciliationRun, run_id) is None:
            raise ApiError(404, f"no reconciliation run {run_id}", "list runs with GET /api/v1/reconciliations")
        lines = run_lines(s, run_id)
    with tempfile.TemporaryDirectory() as tmp:
        path = FsPath(tmp) / f"report.{format}"
        REPORT_WRITERS[path.suffix](lines, path)
        content = path.read_bytes()
    ext = "jsonl" if format == "json" else format  # one JSON document per line: JSON Lines
    return Response(
        content,
        media_type=REPORT_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="reconciliation-{run_id}.{ext}"'},
    )
