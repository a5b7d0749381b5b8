"""Back-fills in the UI: start one from an uploaded zip or a folder inside the allowed server roots, with an
optional records export (and a saved column mapping for it); list them; follow one (files accepted and
refused, jobs by state, a progress bar, refreshed by static/batch.js until it is done), see its
reconciliation categories and download its three outputs. Everything goes through
``fapiao.service.backfills`` as ``/api/v1/backfills`` does; a refused start is shown above the form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from fapiao.api.deps import Ctx, PageNo
from fapiao.api.problems import http_status
from fapiao.api.ui.auth import UiReviewer, UiRoute
from fapiao.api.ui.i18n import MATCH_CATEGORIES, Translator, pick_lang
from fapiao.api.ui.render import download, error_page, page
from fapiao.core.errors import FapiaoError, NotFound
from fapiao.core.states import BackfillStatus, JobStatus
from fapiao.service import backfills as svc
from fapiao.service.records import resolve_mapping
from fapiao.storage.backfill_tables import BackfillDocument
from fapiao.storage.db import session_scope
from fapiao.storage.matching_tables import HeaderMapping
from fapiao.storage.service_tables import Document

router = APIRouter(route_class=UiRoute)

BackfillId = Annotated[str, Path(min_length=1, max_length=36)]
PAGE_SIZE = 20
UNREADABLE_SHOWN = 200
FINISHED = (BackfillStatus.done, BackfillStatus.failed)
SOURCES = ("zip", "folder")


class BadForm(Exception):
    """A start request the page cannot act on; the message is already translated."""


def _list_page(
    request: Request, ctx, page_no: int = 1, form: dict | None = None, error: str | None = None, status_code: int = 200
) -> Response:
    total, rows = svc.list_backfills(ctx, page_no, PAGE_SIZE)
    with session_scope(ctx.sessions) as s:
        mappings = list(s.scalars(select(HeaderMapping.name).order_by(HeaderMapping.name)))
    pages = max(1, -(-total // PAGE_SIZE))
    link = lambda p: f"/ui/backfills?page={p}"  # noqa: E731
    return page(
        request,
        "backfills.html",
        {
            "backfills": [_progress(b) for b in rows],
            "total": total,
            "mappings": mappings,
            "roots": [str(r) for r in ctx.settings.allowed_backfill_roots],
            "categories": MATCH_CATEGORIES,
            "form": form or {"source": "zip", "folder": "", "mapping_name": ""},
            "error": error,
            "page_no": page_no,
            "pages": pages,
            "prev_url": link(page_no - 1) if page_no > 1 else None,
            "next_url": link(page_no + 1) if page_no < pages else None,
        },
        status_code=status_code,
    )


def _progress(b: dict) -> dict:
    """The view with what the progress bar shows: finished (done + failed) of the accepted documents."""
    finished = b["jobs"][JobStatus.done] + b["jobs"][JobStatus.failed]
    return {**b, "finished": finished, "percent": round(100 * b["progress"]), "unfinished": b["status"] not in FINISHED}


@router.get("/backfills")
def backfills_page(
    request: Request, ctx: Ctx, _: UiReviewer, page_no: Annotated[PageNo, Query(alias="page")] = 1
) -> Response:
    return _list_page(request, ctx, page_no)


def _file(value) -> UploadFile | None:
    """A file field the browser filled in (an empty file input still sends a part, without a name)."""
    return value if isinstance(value, UploadFile) and value.filename else None


@router.post("/backfills")
async def start(request: Request, ctx: Ctx, _: UiReviewer) -> Response:
    form = await request.form()
    t = Translator(pick_lang(request))
    chosen = {
        "source": str(form.get("source", "")),
        "folder": str(form.get("folder", "")).strip()[:4096],
        "mapping_name": str(form.get("mapping_name", ""))[:128],
    }
    try:
        kwargs = await _arguments(ctx, t, form, chosen)
        body = await run_in_threadpool(lambda: svc.start(ctx, request.state.actor, **kwargs))
    except BadForm as exc:
        return await run_in_threadpool(_list_page, request, ctx, 1, chosen, str(exc), 422)
    except FapiaoError as exc:
        return await run_in_threadpool(_list_page, request, ctx, 1, chosen, _message(request, exc), http_status(exc))
    svc.ingest_in_background(ctx, body["id"], request.app.state.dispatch)
    return RedirectResponse(f"/ui/backfills/{body['id']}", status_code=303)


async def _arguments(ctx, t: Translator, form, chosen: dict) -> dict:
    """``svc.start``'s keyword arguments from the form: the chosen source only (a file picked for the other
    choice is ignored), the records export with its mapping."""
    if chosen["source"] not in SOURCES:
        raise BadForm(t("bf.bad_source"))
    kwargs: dict = {}
    if chosen["source"] == "zip":
        archive = _file(form.get("archive"))
        if archive is None:
            raise BadForm(t("bf.need_zip"))
        kwargs["zip_file"] = archive.file  # streamed into the blob store, never read whole into memory
        kwargs["zip_name"] = archive.filename[:1024]
    else:
        if not chosen["folder"]:
            raise BadForm(t("bf.need_folder"))
        kwargs["folder"] = chosen["folder"]
    records = _file(form.get("records"))
    if records is not None:
        data = await records.read(ctx.settings.max_upload_bytes + 1)
        if not data:
            raise BadForm(t("rec.empty_file", name=records.filename))
        kwargs["records"] = (data, records.filename[:512])
        kwargs["mapping"] = await run_in_threadpool(resolve_mapping, ctx, None, chosen["mapping_name"] or None)
    elif chosen["mapping_name"]:
        raise BadForm(t("bf.mapping_alone"))
    return kwargs


@router.get("/backfills/{backfill_id}")
def backfill_page(request: Request, backfill_id: BackfillId, ctx: Ctx, _: UiReviewer) -> Response:
    try:
        b = svc.get(ctx, backfill_id)
    except NotFound:
        return _not_found(request, backfill_id)
    return page(
        request,
        "backfill.html",
        {
            "b": _progress(b),
            "states": tuple(JobStatus),
            "categories": MATCH_CATEGORIES,
            "unreadable": _unreadable(ctx, b),
        },
    )


def _unreadable(ctx, b: dict) -> list[dict]:
    """Files refused before reading (the service's ``refusals``) and files whose job failed (not an invoice,
    damaged), each with why; the first ``UNREADABLE_SHOWN``, log.jsonl has them all."""
    out = [
        {
            "name": r["name"],
            "error": r["error"],
            "error_code": r.get("error_code"),
            "error_params": r.get("error_params"),
        }
        for r in b["refusals"][:UNREADABLE_SHOWN]
    ]
    if b["jobs"][JobStatus.failed] and len(out) < UNREADABLE_SHOWN:
        with session_scope(ctx.sessions) as s:
            rows = s.execute(
                select(BackfillDocument.name, Document.error, Document.error_code, Document.error_params)
                .join(Document, Document.id == BackfillDocument.document_id)
                .where(BackfillDocument.backfill_id == b["id"], Document.status == JobStatus.failed)
                .order_by(BackfillDocument.position)
                .limit(UNREADABLE_SHOWN - len(out))
            ).all()
        out += [
            {"name": r.name, "error": r.error or "", "error_code": r.error_code, "error_params": r.error_params}
            for r in rows
        ]
    return out


@router.get("/backfills/{backfill_id}/outputs/{name}")
def output(
    request: Request, backfill_id: BackfillId, name: Annotated[str, Path(max_length=64)], ctx: Ctx, _: UiReviewer
) -> Response:
    """One output file as an attachment (named as the API names it)."""
    t = Translator(pick_lang(request))
    try:
        svc.get(ctx, backfill_id)
    except NotFound:
        return _not_found(request, backfill_id)
    if name not in svc.OUTPUT_TYPES:
        return error_page(request, 404, t("bf.no_output", n=name), back=f"/ui/backfills/{backfill_id}")
    try:
        content = svc.output(ctx, backfill_id, name)
    except NotFound as exc:  # not done yet
        return error_page(request, 404, exc.message, exc.hint, back=f"/ui/backfills/{backfill_id}")
    return download(content, f"{backfill_id[:8]}-{name}", svc.OUTPUT_TYPES[name])


def _not_found(request: Request, backfill_id: str) -> Response:
    t = Translator(pick_lang(request))
    return error_page(request, 404, t("bf.no_backfill", id=backfill_id), back="/ui/backfills")


def _message(request: Request, exc: FapiaoError) -> str:
    """The refusal in the page's language when it has a coded message; in English with its hint otherwise."""
    return Translator(pick_lang(request)).error(exc)
