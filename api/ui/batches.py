"""A batch's progress: its documents by job status, done of total, and the invoices read so far. The page
refreshes itself (static/batch.js, which a reviewer can pause) until every job has finished."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from starlette.responses import Response

from fapiao.api.deps import Ctx, PageNo
from fapiao.api.ui.auth import UiReviewer, UiRoute
from fapiao.api.ui.i18n import Translator, pick_lang
from fapiao.api.ui.render import error_page, page
from fapiao.core.states import JobStatus
from fapiao.service.queries import batch_progress, in_batch
from fapiao.storage.db import page_of, session_scope
from fapiao.storage.service_tables import Document

router = APIRouter(route_class=UiRoute)

JOB_STATES = tuple(JobStatus)
PAGE_SIZE = 100


@router.get("/batches/{batch:path}")
def batch_page(
    request: Request,
    batch: Annotated[str, Path(min_length=1, max_length=64)],
    ctx: Ctx,
    _: UiReviewer,
    page_no: Annotated[PageNo, Query(alias="page")] = 1,
) -> Response:
    with session_scope(ctx.sessions) as s:
        counts = batch_progress(s, batch)
        stmt = select(Document).where(in_batch(batch)).options(selectinload(Document.invoices))
        # Unfinished and failed jobs first: they are what a person watches this page for.
        done, failed = Document.status == JobStatus.done, Document.status == JobStatus.failed
        order = (done, failed, Document.created_at, Document.id)
        total, docs = page_of(s, stmt, order, page_no, PAGE_SIZE)
        rows = [
            {
                "id": d.id,
                "filename": d.filename,
                "status": d.status,
                "error": d.error,
                "error_code": d.error_code,
                "error_params": d.error_params,
                "invoices": [{"id": i.id, "number": i.invoice_number, "status": i.status} for i in d.invoices],
            }
            for d in docs
        ]
    if not total:
        return error_page(request, 404, Translator(pick_lang(request))("bt.unknown", b=batch), back="/ui/upload")
    finished = counts.get(JobStatus.done, 0) + counts.get(JobStatus.failed, 0)
    pages = max(1, -(-total // PAGE_SIZE))
    return page(
        request,
        "batch.html",
        {
            "batch": batch,
            "counts": {st: counts.get(st, 0) for st in JOB_STATES},
            "states": JOB_STATES,
            "total": total,
            "finished": finished,
            "percent": round(100 * finished / total),
            "docs": rows,
            "unfinished": finished < total,
            "page_no": page_no,
            "pages": pages,
        },
    )
