"""The review screen and its actions. Edits and decisions go through ``fapiao.service.review`` (rules re-run,
audit, optimistic locking) exactly as the JSON API's do; the answer carries re-rendered fragments so the
page shows the new findings and status without a reload. The items table is saved as a whole list."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from starlette.responses import JSONResponse, RedirectResponse, Response

from fapiao.api.deps import Ctx, InvoiceId
from fapiao.api.edits import FieldEdit
from fapiao.api.problems import ApiError, http_status
from fapiao.api.ui.auth import UiReviewer, UiRoute
from fapiao.api.ui.i18n import Translator, pick_lang
from fapiao.api.ui.present import ITEM_COLUMNS, present
from fapiao.api.ui.render import fragment, page
from fapiao.core.states import ReviewState
from fapiao.service.context import ServiceContext
from fapiao.service.pages import page_image
from fapiao.service.queries import history, next_pending
from fapiao.service.review import InvalidValue, OpenErrors, edit_fields, set_review, view
from fapiao.storage.db import session_scope
from fapiao.storage.service_tables import ExtractedInvoice

router = APIRouter(route_class=UiRoute)


Cell = Annotated[str | None, Field(default=None, max_length=200)]
InvoiceRef = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
"""An invoice named in the address (``after``, ``confirmed``): optional."""


class ItemRow(BaseModel):
    """One row of the items table as the page sends it: the printed columns, and ``src``, the row it was
    before the reviewer added or removed rows (so columns the table does not show, e.g. a toll invoice's
    plate number, are kept)."""

    src: int | None = Field(default=None, ge=0, le=10_000)
    name: str = Field(default="", max_length=500)
    spec: Cell = None
    unit: Cell = None
    quantity: Cell = None
    unit_price: Cell = None
    amount: Cell = None
    tax_rate: Cell = None
    tax: Cell = None


class ItemsEdit(BaseModel):
    version: int
    items: list[ItemRow] = Field(max_length=2000)


class Decision(BaseModel):
    version: int
    decision: Literal[ReviewState.confirmed, ReviewState.rejected]
    note: str | None = Field(default=None, max_length=2000)
    override: str | None = Field(default=None, max_length=2000)
    """The reason to confirm over open errors (audited); without it such a confirmation is refused."""


def _load(ctx: ServiceContext, invoice_id: int) -> tuple[dict, list[dict], str]:
    with session_scope(ctx.sessions) as s:
        row = s.get(ExtractedInvoice, invoice_id)
        if row is None:
            raise ApiError(404, f"no invoice {invoice_id}", "go back to the queue at /ui/")
        return view(row), history(s, invoice_id), row.document.filename


def _model(request: Request, ctx: ServiceContext, v: dict, hist: list[dict]) -> dict:
    return {"inv": v, "hist": hist, "m": present(v, pick_lang(request), ctx.settings.confidence_threshold)}


@router.get("/invoices/next")
def next_invoice(
    ctx: Ctx, _: UiReviewer, after: InvoiceRef = None, confirmed: Annotated[bool, Query()] = False
) -> Response:
    """The next invoice waiting for a reviewer (下一张, Alt+N), or the queue when none is left. ``confirmed``:
    ``after`` was just confirmed, and the page that opens says so."""
    with session_scope(ctx.sessions) as s:
        target = next_pending(s, after)
    said = f"confirmed={after}" if confirmed and after else ""
    if target:
        return RedirectResponse(f"/ui/invoices/{target}" + (f"?{said}" if said else ""), status_code=303)
    return RedirectResponse("/ui/?review=pending&done=1" + (f"&{said}" if said else ""), status_code=303)


def confirmed_notice(ctx: ServiceContext, t: Translator, invoice_id: int | None, last: bool) -> dict | None:
    """What the page opened after a confirmation says about the invoice confirmed: its number and file, and
    whether another one follows. Nothing unless that invoice really is confirmed (the address is no proof)."""
    if invoice_id is None:
        return None
    with session_scope(ctx.sessions) as s:
        row = s.get(ExtractedInvoice, invoice_id)
        if row is None or row.review != ReviewState.confirmed:
            return None
        number, filename = row.invoice_number or f"#{row.id}", row.document.filename
    key = "rv.confirmed_last" if last else "rv.confirmed_next"
    return {"id": invoice_id, "text": t(key, n=number, f=filename), "link": t("rv.open_again", n=number)}


@router.get("/invoices/{invoice_id}")
def review_page(
    request: Request, invoice_id: InvoiceId, ctx: Ctx, _: UiReviewer, confirmed: InvoiceRef = None
) -> Response:
    v, hist, filename = _load(ctx, invoice_id)
    t = Translator(pick_lang(request))
    notice = confirmed_notice(ctx, t, confirmed, last=False) if confirmed != invoice_id else None
    return page(request, "review.html", dict(_model(request, ctx, v, hist), filename=filename, confirmed=notice))


@router.get("/invoices/{invoice_id}/pages/{page_no}")
async def page_png(
    invoice_id: InvoiceId, page_no: Annotated[int, Path(ge=1, le=10_000)], ctx: Ctx, _: UiReviewer
) -> Response:
    img = await run_in_threadpool(page_image, ctx, invoice_id, page_no)
    return Response(
        img.png,
        media_type="image/png",
        headers={"X-Bbox-Scale": f"{img.scale:.6f}", "Cache-Control": "private, max-age=300"},
    )


@router.post("/invoices/{invoice_id}/fields", response_model=None)
async def edit(
    request: Request, invoice_id: InvoiceId, body: FieldEdit, ctx: Ctx, _: UiReviewer
) -> dict | JSONResponse:
    changes: dict[str, Any] = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in body.fields.items()}
    try:
        await run_in_threadpool(edit_fields, ctx, invoice_id, body.version, changes, request.state.actor)
    except InvalidValue as exc:
        return _invalid(request, exc)
    return await _update(request, ctx, invoice_id)


def _invalid(request: Request, exc: InvalidValue) -> JSONResponse:
    """A refused value, said in the page's language (the API says it in English, for integrators)."""
    text = Translator(pick_lang(request)).invalid_value(exc.field, exc.value)
    status = http_status(exc)
    return JSONResponse({"title": exc.code, "status": status, "detail": text}, status_code=status)


@router.post("/invoices/{invoice_id}/items", response_model=None)
async def edit_items(
    request: Request, invoice_id: InvoiceId, body: ItemsEdit, ctx: Ctx, _: UiReviewer
) -> dict | JSONResponse:
    v, _h, _f = await run_in_threadpool(_load, ctx, invoice_id)
    before = (v.get("invoice") or {}).get("items") or []
    items = [_merge_item(row, before) for row in body.items]
    try:
        await run_in_threadpool(edit_fields, ctx, invoice_id, body.version, {"items": items}, request.state.actor)
    except InvalidValue as exc:
        return _invalid(request, exc)
    return await _update(request, ctx, invoice_id)


def _merge_item(row: ItemRow, before: list[dict]) -> dict[str, Any]:
    """The row as edited (blank cells → none), over the columns of the row it came from that the table hides.
    A stale ``src`` is harmless: a version conflict refuses the edit before anything is stored."""
    base = before[row.src] if row.src is not None and row.src < len(before) else {}
    edited = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in row.model_dump(exclude={"src"}).items()}
    edited["name"] = edited["name"] or ""
    return {**{k: v for k, v in base.items() if k not in ITEM_COLUMNS}, **edited}


@router.post("/invoices/{invoice_id}/review", response_model=None)
async def decide(
    request: Request, invoice_id: InvoiceId, body: Decision, ctx: Ctx, _: UiReviewer
) -> dict | JSONResponse:
    try:
        await run_in_threadpool(
            set_review,
            ctx,
            invoice_id,
            body.version,
            body.decision,
            request.state.actor,
            (body.note or "").strip() or None,
            (body.override or "").strip() or None,
        )
    except OpenErrors as exc:
        return JSONResponse(
            {"title": exc.code, "status": 409, "detail": _open_errors_text(request, ctx, invoice_id)},
            status_code=409,
        )
    return await _update(request, ctx, invoice_id)


def _open_errors_text(request: Request, ctx: ServiceContext, invoice_id: int) -> str:
    """Why confirming was refused, in the page's language: the error findings' own messages."""
    lang = pick_lang(request)
    t = Translator(lang)
    v, _h, _f = _load(ctx, invoice_id)
    errors = [f for f in v.get("findings") or [] if f.get("severity") == "error"]
    texts = [t.finding(f) for f in errors]
    return t("rv.open_errors", n=len(errors), codes="；".join(texts) if lang == "zh" else "; ".join(texts))


async def _update(request: Request, ctx: ServiceContext, invoice_id: int) -> dict:
    """The parts of the page an edit or decision changes, rendered by the same templates as the full page."""
    v, hist, _ = await run_in_threadpool(_load, ctx, invoice_id)
    model = _model(request, ctx, v, hist)
    rows = model["m"]["rows"]
    return {
        "version": v["version"],
        "status": v["status"],
        "review": v["review"],
        "status_html": fragment(request, "_status.html", model),
        "general_html": fragment(request, "_general.html", model),
        "history_html": fragment(request, "_history.html", model),
        "items_html": fragment(request, "_items.html", model),
        "boxes": model["m"]["boxes"],
        "fields": {
            name: {
                "value": r.value,
                "marks": r.marks,
                "meta_html": fragment(request, "_field_meta.html", {"f": r}),
                "findings_html": fragment(request, "_field_findings.html", {"f": r}),
            }
            for name, r in rows.items()
        },
    }
