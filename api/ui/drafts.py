"""Back-entry (补录) drafts in the UI: the list with a state filter and counts, the export of confirmed drafts
as a download, and one draft's page (every field editable while it is a draft, findings, what the party
master filled in, history, confirm / discard / reopen). Everything goes through ``fapiao.service.drafts``,
as the JSON API does; forms post and redirect back, errors are shown on the page they came from."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from fapiao.api.deps import Ctx, PageNo
from fapiao.api.problems import http_status
from fapiao.api.ui.auth import UiReviewer, UiRoute
from fapiao.api.ui.i18n import Translator, pick_lang
from fapiao.api.ui.present import FORM_FIELDS, present
from fapiao.api.ui.render import download, error_page, page
from fapiao.core.errors import FapiaoError
from fapiao.core.states import DraftState
from fapiao.service.drafts import (
    DRAFT_STATES,
    TAX_BUREAU,
    NothingToExport,
    edit_draft,
    export_drafts,
    get_draft,
    layouts,
    list_drafts,
    move_draft,
)
from fapiao.service.review import (
    EDITABLE,  # drafts edit the same fields as invoices
    Conflict,
    InvalidValue,
    NotFound,
    OpenErrors,
)

router = APIRouter(route_class=UiRoute)

DraftId = Annotated[int, Path(ge=1, le=2**31 - 1)]
PAGE_SIZE = 50
ACTIONS = {"confirm": DraftState.confirmed, "discard": DraftState.discarded, "reopen": DraftState.draft}
NOTICES = ("saved", DraftState.confirmed, DraftState.discarded, DraftState.draft)
"""``?done=`` values a redirect may carry; anything else is ignored (no text from the address is shown)."""


def _list(
    request: Request,
    ctx,
    state: str,
    q: str,
    page_no: int,
    error: str | None = None,
    status_code: int = 200,
    export: dict | None = None,
) -> Response:
    total, rows = list_drafts(ctx, state or None, q.strip() or None, page_no, PAGE_SIZE)
    counts = {st: list_drafts(ctx, st, None, 1, 1)[0] for st in DRAFT_STATES}
    pages = max(1, -(-total // PAGE_SIZE))
    params = {k: v for k, v in {"state": state, "q": q}.items() if v}
    link = lambda p: "/ui/drafts?" + urlencode({**params, "page": p})  # noqa: E731
    return page(
        request,
        "drafts.html",
        {
            "drafts": rows,
            "total": total,
            "counts": counts,
            "states": DRAFT_STATES,
            "form": {"state": state, "q": q},
            "export": export or {"format": "xlsx", "include_exported": False, "layout": TAX_BUREAU},
            "layouts": layouts(ctx),
            "error": error,
            "page_no": page_no,
            "pages": pages,
            "prev_url": link(page_no - 1) if page_no > 1 else None,
            "next_url": link(page_no + 1) if page_no < pages else None,
        },
        status_code=status_code,
    )


@router.get("/drafts")
def drafts_page(
    request: Request,
    ctx: Ctx,
    _: UiReviewer,
    state: Annotated[str, Query(max_length=16)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    page_no: Annotated[PageNo, Query(alias="page")] = 1,
) -> Response:
    return _list(request, ctx, state if state in DRAFT_STATES else "", q, page_no)


@router.post("/drafts/export")
async def export(
    request: Request,
    ctx: Ctx,
    _: UiReviewer,
    format: Annotated[Literal["xlsx", "json"], Form()] = "xlsx",
    include_exported: Annotated[bool, Form()] = False,
    layout: Annotated[str, Form(max_length=512)] = TAX_BUREAU,
) -> Response:
    """The file itself is the answer (the browser saves it); with nothing to export, the list says so. The
    person chooses the layout: the tax bureau's, or one records source's own."""
    try:
        out = await run_in_threadpool(
            export_drafts, ctx, format, request.state.actor, None, include_exported, layout or TAX_BUREAU
        )
    except (OpenErrors, NothingToExport) as exc:
        t = Translator(pick_lang(request))
        why = (
            t("dr.export_errors", n=len(exc.subjects), ids="、".join(f"#{i}" for i in exc.subjects[:20]))
            if isinstance(exc, OpenErrors)
            else t("dr.nothing")
        )
        form = {"format": format, "include_exported": include_exported, "layout": layout}
        return await run_in_threadpool(_list, request, ctx, "", "", 1, why, 409, form)
    return download(out.content, out.filename, out.media_type, **{"X-Drafts-Exported": str(out.drafts)})


def _detail(
    request: Request,
    ctx,
    draft_id: int,
    error: str | None = None,
    conflict: bool = False,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    try:
        d = get_draft(ctx, draft_id)
    except NotFound:
        t = Translator(pick_lang(request))
        return error_page(request, 404, t("dr.no_draft", id=draft_id), back="/ui/drafts")
    p = d["payload"]
    m = present({"invoice": p, "fields": {}, "findings": p.get("findings") or []}, pick_lang(request), 0.0)
    for row in m["rows"].values():
        if values and row.name in values:
            row.value = values[row.name]  # what the reviewer typed, kept across a refused save
    notice = request.query_params.get("done")
    return page(
        request,
        "draft.html",
        {
            "d": d,
            "m": m,
            "editing": d["state"] == DraftState.draft,
            "errors": sum(1 for f in p.get("findings") or [] if f.get("severity") == "error"),
            "filled": set(p.get("filled_from_party_master") or ()),
            "error": error,
            "conflict": conflict,
            "notice": notice if notice in NOTICES else None,
        },
        status_code=status_code,
    )


@router.get("/drafts/{draft_id}")
def draft_page(request: Request, draft_id: DraftId, ctx: Ctx, _: UiReviewer) -> Response:
    return _detail(request, ctx, draft_id)


@router.post("/drafts/{draft_id}")
async def save_draft(request: Request, draft_id: DraftId, ctx: Ctx, _: UiReviewer) -> Response:
    """Only the fields whose text differs from the stored draft are sent, so the history names real edits."""
    form = await request.form()
    values = {k: str(v)[:2000] for k, v in form.items() if k in FORM_FIELDS and k in EDITABLE}
    version = str(form.get("version", ""))
    if not version.isdigit() or not 1 <= int(version) <= 2**31 - 1:
        t = Translator(pick_lang(request))
        return await run_in_threadpool(_detail, request, ctx, draft_id, t("dr.bad_version"), False, values, 422)
    try:
        current = (await run_in_threadpool(get_draft, ctx, draft_id))["payload"]
        changes = {k: (v.strip() or None) for k, v in values.items() if v.strip() != _text(current.get(k))}
        if changes:
            await run_in_threadpool(edit_draft, ctx, draft_id, int(version), changes, request.state.actor)
    except InvalidValue as exc:
        msg = Translator(pick_lang(request)).invalid_value(exc.field, exc.value)
        return await run_in_threadpool(_detail, request, ctx, draft_id, msg, False, values, http_status(exc))
    except FapiaoError as exc:
        return await run_in_threadpool(
            _detail, request, ctx, draft_id, _message(request, exc), isinstance(exc, Conflict), values, http_status(exc)
        )
    return RedirectResponse(f"/ui/drafts/{draft_id}?done=saved", status_code=303)


@router.post("/drafts/{draft_id}/{action}")
async def act(
    request: Request,
    draft_id: DraftId,
    action: Literal["confirm", "discard", "reopen"],
    ctx: Ctx,
    _: UiReviewer,
    version: Annotated[int, Form(ge=1, le=2**31 - 1)],
    note: Annotated[str, Form(max_length=2000)] = "",
    override: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    to_state = ACTIONS[action]
    try:
        await run_in_threadpool(
            move_draft, ctx, draft_id, version, to_state, request.state.actor, note.strip() or None, override.strip()
        )
    except OpenErrors as exc:
        t = Translator(pick_lang(request))
        msg = t("dr.open_errors", n=len(exc.codes))
        return await run_in_threadpool(_detail, request, ctx, draft_id, msg, False, None, http_status(exc))
    except FapiaoError as exc:
        return await run_in_threadpool(
            _detail, request, ctx, draft_id, _message(request, exc), isinstance(exc, Conflict), None, http_status(exc)
        )
    return RedirectResponse(f"/ui/drafts/{draft_id}?done={to_state}", status_code=303)


def _message(request: Request, exc: FapiaoError) -> str | None:
    """A conflict has its own translated notice; other refusals say what the service said, and what to do."""
    if isinstance(exc, Conflict):
        return None
    return Translator(pick_lang(request)).error(exc)


def _text(v) -> str:
    return "" if v is None else str(v)
