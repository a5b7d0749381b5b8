"""Invoices read from documents: list and filter, detail with fields/findings/bboxes, review actions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from fapiao.api.deps import Ctx, InvoiceId, PageNo, PageSize, Reviewer
from fapiao.api.edits import FieldEdit
from fapiao.api.models.invoices import InvoiceDetail, InvoicePage, InvoiceView
from fapiao.api.problems import ApiError
from fapiao.api.routing import api_router
from fapiao.core.states import ReviewState
from fapiao.service.pages import page_image
from fapiao.service.queries import InvoiceFilter, history, search_invoices, summary
from fapiao.service.review import edit_fields, set_review, view
from fapiao.storage.db import session_scope
from fapiao.storage.service_tables import ExtractedInvoice

router = api_router("/api/v1/invoices", "invoices")


class ReviewAction(BaseModel):
    version: int
    note: str | None = None
    override: str | None = Field(default=None, max_length=2000)
    """Confirm over open errors: the reason (audited). Without it, confirming an invoice with errors is refused."""


@router.get("", summary="Invoices, needs-review first, with filters and paging", response_model=InvoicePage)
def list_invoices(
    ctx: Ctx,
    _: Reviewer,
    status: Annotated[str | None, Query(max_length=16)] = None,
    review: Annotated[str | None, Query(max_length=16)] = None,
    q: Annotated[str | None, Query(max_length=200, description="number, code, name or tax ID contains")] = None,
    seller: Annotated[str | None, Query(max_length=200, description="seller name or tax ID contains")] = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    invoice_type: Annotated[str | None, Query(max_length=24)] = None,
    batch: Annotated[str | None, Query(max_length=64)] = None,
    match: Annotated[
        str | None, Query(max_length=32, description="latest reconciliation category, or `none` for not reconciled yet")
    ] = None,
    signature: Annotated[
        Literal["broken", "valid", "unsupported"] | None,
        Query(description="`broken`: the issuer's signature does not match the file, or the file is damaged"),
    ] = None,
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    f = InvoiceFilter(
        status=status,
        review=review,
        q=q,
        seller=seller,
        date_from=date_from,
        date_to=date_to,
        invoice_type=invoice_type,
        batch=batch,
        match=match,
        signature=signature,
    )
    with session_scope(ctx.sessions) as s:
        total, rows = search_invoices(s, f, page, size)
        return {"total": total, "page": page, "size": size, "invoices": [summary(r) for r in rows]}


@router.get(
    "/{invoice_id}",
    summary="One invoice with every field's value, confidence, source and bbox",
    response_model=InvoiceDetail,
)
def get_invoice(invoice_id: InvoiceId, ctx: Ctx, _: Reviewer) -> dict:
    with session_scope(ctx.sessions) as s:
        row = s.get(ExtractedInvoice, invoice_id)
        if row is None:
            raise ApiError(
                404, f"no invoice {invoice_id}", "use an id from GET /api/v1/invoices or a document's invoices"
            )
        return dict(view(row), history=history(s, invoice_id))


@router.get(
    "/{invoice_id}/pages/{page}",
    summary="The page image the invoice was read from (PNG)",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
)
async def page(invoice_id: InvoiceId, page: Annotated[int, Path(ge=1, le=10_000)], ctx: Ctx, _: Reviewer) -> Response:
    """`X-Bbox-Scale` is the number of image pixels per bbox unit, to draw field boxes on the image."""
    img = await run_in_threadpool(page_image, ctx, invoice_id, page)
    return Response(
        img.png,
        media_type="image/png",
        headers={"X-Bbox-Scale": f"{img.scale:.6f}", "X-Content-Type-Options": "nosniff"},
    )


@router.patch(
    "/{invoice_id}",
    summary="Correct fields; the rules run again and the change is audited",
    response_model=InvoiceView,
)
async def patch_invoice(invoice_id: InvoiceId, body: FieldEdit, request: Request, ctx: Ctx, _: Reviewer) -> dict:
    return await run_in_threadpool(edit_fields, ctx, invoice_id, body.version, body.fields, request.state.actor)


@router.post("/{invoice_id}/confirm", summary="Confirm the invoice as read (audited)", response_model=InvoiceView)
async def confirm(invoice_id: InvoiceId, body: ReviewAction, request: Request, ctx: Ctx, _: Reviewer) -> dict:
    return await run_in_threadpool(
        set_review, ctx, invoice_id, body.version, ReviewState.confirmed, request.state.actor, body.note, body.override
    )


@router.post("/{invoice_id}/reject", summary="Reject the invoice (audited)", response_model=InvoiceView)
async def reject(invoice_id: InvoiceId, body: ReviewAction, request: Request, ctx: Ctx, _: Reviewer) -> dict:
    return await run_in_threadpool(
        set_review, ctx, invoice_id, body.version, ReviewState.rejected, request.state.actor, body.note
    )
