"""The system's records in the UI: upload an export, check how each column is read (and change it) on a
preview, import it with that mapping, see each source's sync status (last import, what it changed, last
success) with a one-click re-import of its last file, and list past imports with their bad rows. The file is kept in the
blob store between preview and import (its sha256 travels in the form), and everything else goes through
``fapiao.service.records``, as the JSON API does."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from starlette.responses import RedirectResponse, Response

from fapiao.api.deps import Ctx, PageNo
from fapiao.api.problems import http_status
from fapiao.api.ui.auth import UiReviewer, UiRoute
from fapiao.api.ui.i18n import Translator, pick_lang
from fapiao.api.ui.render import error_page, page
from fapiao.core.errors import FapiaoError
from fapiao.matching.headers import FIELDS, MappingError, find_header_row, norm_header
from fapiao.matching.records_import import read_rows_from
from fapiao.service.records import import_records, preview_import, reimport_last, resolve_mapping, run_view, sources
from fapiao.service.records import reimport as reimport_run
from fapiao.storage.db import page_of, session_scope
from fapiao.storage.matching_tables import HeaderMapping, ImportRun, SystemRecord

router = APIRouter(route_class=UiRoute)

SHA = re.compile(r"^[0-9a-f]{64}$")
RunId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Name = Annotated[str, Query(max_length=512)]
PAGE_SIZE = 20
MAX_COLUMNS = 200


class BadForm(Exception):
    """A preview or import request the page cannot act on; the message is already translated."""


def _records_page(
    request: Request, ctx, page_no: int = 1, error: str | None = None, status_code: int = 200
) -> Response:
    with session_scope(ctx.sessions) as s:
        total, runs = page_of(
            s, select(ImportRun).options(selectinload(ImportRun.errors)), (ImportRun.id.desc(),), page_no, PAGE_SIZE
        )
        imports = [run_view(r) for r in runs]
        mappings = [
            {"name": m.name, "mapping": m.mapping}
            for m in s.scalars(select(HeaderMapping).order_by(HeaderMapping.name))
        ]
        records = s.scalar(select(func.count()).select_from(SystemRecord)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    synced = sources(ctx)
    link = lambda p: f"/ui/records?page={p}"  # noqa: E731
    return page(
        request,
        "records.html",
        {
            "imports": imports,
            "mappings": mappings,
            "records": records,
            "error": error,
            "page_no": page_no,
            "pages": pages,
            "prev_url": link(page_no - 1) if page_no > 1 else None,
            "next_url": link(page_no + 1) if page_no < pages else None,
            "can_reimport": any(i["can_reimport"] for i in imports),
            "sources": synced,
        },
        status_code=status_code,
    )


@router.get("/records")
def records_page(
    request: Request, ctx: Ctx, _: UiReviewer, page_no: Annotated[PageNo, Query(alias="page")] = 1
) -> Response:
    return _records_page(request, ctx, page_no)


@router.post("/records/upload")
async def upload(
    request: Request,
    ctx: Ctx,
    _: UiReviewer,
    file: Annotated[UploadFile, File()],
    mapping_name: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Keep the file and show its preview (a GET, so the preview can be reloaded and its mapping changed)."""
    t = Translator(pick_lang(request))
    data = await file.read(ctx.settings.max_upload_bytes + 1)
    name = (file.filename or "records.csv")[:512]
    if not data:
        return await run_in_threadpool(_records_page, request, ctx, 1, t("rec.empty_file", name=name), 422)
    if len(data) > ctx.settings.max_upload_bytes:
        return await run_in_threadpool(
            _records_page, request, ctx, 1, t("rec.too_large", name=name, n=f"{ctx.settings.max_upload_bytes:,}"), 413
        )
    sha = await run_in_threadpool(ctx.blobs.put, data)
    query = {"sha": sha, "name": name, **({"mapping_name": mapping_name} if mapping_name else {})}
    return RedirectResponse("/ui/records/preview?" + urlencode(query), status_code=303)


def _file(ctx, t: Translator, sha: str) -> bytes:
    if not SHA.match(sha):
        raise BadForm(t("rec.bad_sha"))
    if not ctx.blobs.exists(sha):
        raise BadForm(t("rec.gone"))
    return ctx.blobs.get(sha)


def _headers(data: bytes, name: str) -> tuple[list[str], dict[str, str]]:
    """The header row as automatic detection finds it (else the first non-empty row), for the column choices,
    and the automatic guess (header → field) to offer when the file cannot be read with it."""
    try:
        rows = read_rows_from(data, name)
    except MappingError as exc:  # not a CSV or XLSX at all
        raise BadForm(str(exc)) from exc
    try:
        hm = find_header_row(rows)[1]
        return list(hm.headers), {h: f for f, h in hm.as_named().items()}
    except MappingError:
        first = next((r for r in rows if any(c not in (None, "") for c in r)), [])
        return ["" if c is None else str(c).strip() for c in first], {}


def _chosen(t: Translator, params: Mapping[str, Any], headers: list[str]) -> dict[str, str | None]:
    """The mapping chosen with one select per column (``col<i>`` → field, empty for "not used"). It is the whole
    mapping: a field no column was given is declared absent, so no automatic guess reads a column set to
    "not used"."""
    explicit: dict[str, str | None] = {}
    first_of: dict[str, int] = {}
    for i, header in enumerate(headers[:MAX_COLUMNS]):
        fld = str(params.get(f"col{i}", ""))
        first_of.setdefault(norm_header(header), i)
        if not fld:
            continue
        if fld not in FIELDS:
            raise BadForm(t("rec.bad_field", v=fld))
        if fld in explicit:
            raise BadForm(t("rec.twice", f=t.field(fld)))
        if first_of[norm_header(header)] != i or not header:
            raise BadForm(t("rec.same_header", n=i + 1, h=header))
        explicit[fld] = header
    if not any(f"col{i}" in params for i in range(min(len(headers), MAX_COLUMNS))):
        return explicit  # no select was sent at all: nothing was chosen, the automatic mapping stands
    return {**explicit, **{f: None for f in FIELDS if f not in explicit}}


def _preview_model(request: Request, ctx, params: Mapping[str, Any]) -> dict:
    """Everything the preview page shows; raises ``BadForm`` or ``FapiaoError`` before anything is read wrongly."""
    t = Translator(pick_lang(request))
    sha, name = str(params.get("sha", "")), str(params.get("name", "") or "records.csv")[:512]
    data = _file(ctx, t, sha)
    headers, guessed = _headers(data, name)
    mapping_name = str(params.get("mapping_name", ""))[:128]
    explicit = _chosen(t, params, headers) if params.get("mapped") else resolve_mapping(ctx, None, mapping_name or None)
    model: dict[str, Any] = {
        "sha": sha,
        "name": name,
        "mapping_name": mapping_name,
        "fields": FIELDS,
        "save_as": str(params.get("save_as", ""))[:128],
        "error": None,
    }
    try:
        model["preview"] = preview_import(ctx, data, name, explicit)
        columns = model["preview"]["columns"]
    except FapiaoError as exc:  # show the columns anyway, so the mapping can be corrected here
        model["preview"], model["error"] = None, _message(request, exc)
        by_header = {h: f for f, h in explicit.items()} if explicit else guessed
        columns = [
            {"column": i + 1, "header": h, "field": by_header.get(h), "score": None, "explicit": bool(explicit)}
            for i, h in enumerate(headers)
        ]
    unused = {i for i in range(len(headers)) if params.get("mapped") and not params.get(f"col{i}")}
    model["columns"] = columns
    model["still_read"] = [c for c in columns if c["column"] - 1 in unused and c["field"]]
    with session_scope(ctx.sessions) as s:
        model["mappings"] = list(s.scalars(select(HeaderMapping.name).order_by(HeaderMapping.name)))
    return model


def _preview_page(
    request: Request, ctx, params: Mapping[str, Any], error: str | None = None, status_code: int = 200
) -> Response:
    try:
        model = _preview_model(request, ctx, params)
    except (BadForm, FapiaoError) as exc:
        return error_page(
            request, 422, str(exc) if isinstance(exc, BadForm) else _message(request, exc), back="/ui/records"
        )
    if error:
        model["error"] = error
    elif model["error"]:
        status_code = 422
    return page(request, "records_preview.html", model, status_code=status_code)


@router.get("/records/preview")
def preview(request: Request, ctx: Ctx, _: UiReviewer) -> Response:
    return _preview_page(request, ctx, request.query_params)


@router.post("/records/import")
async def do_import(request: Request, ctx: Ctx, _: UiReviewer) -> Response:
    form = await request.form()
    t = Translator(pick_lang(request))
    try:
        data = _file(ctx, t, str(form.get("sha", "")))
        name = str(form.get("name", "") or "records.csv")[:512]
        headers, _guessed = await run_in_threadpool(_headers, data, name)
        explicit = _chosen(t, form, headers)
        save_as = str(form.get("save_as", "")).strip()[:128] or None
        run = await run_in_threadpool(import_records, ctx, data, name, request.state.actor, explicit or None, save_as)
    except BadForm as exc:
        return await run_in_threadpool(_preview_page, request, ctx, form, str(exc), 422)
    except FapiaoError as exc:
        return await run_in_threadpool(
            _preview_page, request, ctx, form, t("rec.failed", e=_message(request, exc)), http_status(exc)
        )
    return RedirectResponse(f"/ui/records/imports/{run['id']}?done=imported", status_code=303)


@router.post("/records/reimport")
async def reimport(request: Request, ctx: Ctx, _: UiReviewer) -> Response:
    try:
        run = await run_in_threadpool(reimport_last, ctx, request.state.actor)
    except FapiaoError as exc:
        t = Translator(pick_lang(request))
        return await run_in_threadpool(
            _records_page, request, ctx, 1, t("rec.failed", e=_message(request, exc)), http_status(exc)
        )
    return RedirectResponse(f"/ui/records/imports/{run['id']}?done=reimported", status_code=303)


@router.post("/records/imports/{run_id}/reimport")
async def reimport_one(request: Request, run_id: RunId, ctx: Ctx, _: UiReviewer) -> Response:
    """The sync-status table's button: that source's last file again, with its mapping."""
    try:
        run = await run_in_threadpool(reimport_run, ctx, request.state.actor, run_id)
    except FapiaoError as exc:
        t = Translator(pick_lang(request))
        return await run_in_threadpool(
            _records_page, request, ctx, 1, t("rec.failed", e=_message(request, exc)), http_status(exc)
        )
    return RedirectResponse(f"/ui/records/imports/{run['id']}?done=reimported", status_code=303)


@router.get("/records/imports/{run_id}")
def import_page(request: Request, run_id: RunId, ctx: Ctx, _: UiReviewer) -> Response:
    with session_scope(ctx.sessions) as s:
        run = s.get(ImportRun, run_id)
        view = run_view(run, with_errors=True) if run else None
    if view is None:
        t = Translator(pick_lang(request))
        return error_page(request, 404, t("rec.no_import", id=run_id), back="/ui/records")
    done = request.query_params.get("done")
    return page(
        request, "records_import.html", {"run": view, "notice": done if done in ("imported", "reimported") else None}
    )


def _message(request: Request, exc: FapiaoError) -> str:
    """The refusal in the page's language when it has a coded message; in English with its hint otherwise."""
    return Translator(pick_lang(request)).error(exc)
