"""The reconciliation dashboard: run a reconciliation (a batch, an issue-date range, or everything) through
``fapiao.service.reconciliation`` as the JSON API does, list recent runs, and open one run: counts per
category as cards that drill down to that category's lines, differences side by side, report downloads."""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
from pathlib import Path as FsPath
from typing import Annotated, Literal
from urllib.parse import urlencode

import openpyxl
from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from fapiao.api.deps import Ctx, PageNo
from fapiao.api.routes.reconciliations import REPORT_TYPES
from fapiao.api.ui.auth import UiReviewer, UiRoute
from fapiao.api.ui.i18n import MATCH_CATEGORIES, STRINGS, Translator, pick_lang
from fapiao.api.ui.render import download, error_page, page
from fapiao.matching.export import REPORT_WRITERS
from fapiao.service.queries import known_batches
from fapiao.service.reconciliation import Scope, list_runs, run_items, run_lines, run_reconciliation, run_view
from fapiao.storage.db import session_scope
from fapiao.storage.matching_tables import ReconciliationRun

router = APIRouter(route_class=UiRoute)

RunId = Annotated[int, Path(ge=1, le=2**31 - 1)]
FormText = Annotated[str, Form(max_length=200)]
PAGE_SIZE = 50
RUNS_SHOWN = 20
DRILL_ORDER = (
    "missing_in_system",
    "matched_with_differences",
    "duplicate",
    "voided",
    "rejected",
    "no_document",
    "matched",
)
"""Which category a run opens on: the first that has lines, the ones needing action first."""


def _dashboard(request: Request, ctx, form: dict, error: str | None = None, status_code: int = 200) -> Response:
    with session_scope(ctx.sessions) as s:
        _, runs = list_runs(s, 1, RUNS_SHOWN)
        batches = known_batches(s)
    return page(
        request,
        "reconcile.html",
        {"runs": runs, "batches": batches, "form": form, "error": error, "categories": MATCH_CATEGORIES},
        status_code=status_code,
    )


@router.get("/reconcile")
def dashboard(request: Request, ctx: Ctx, _: UiReviewer) -> Response:
    return _dashboard(request, ctx, {"scope": "all", "batch": "", "date_from": "", "date_to": ""})


def _scope(t: Translator, form: dict) -> Scope:
    """The form's choice as a Scope; ``ValueError`` carries the message shown above the form."""
    if form["scope"] == "all":
        return Scope()
    if form["scope"] == "batch":
        if not form["batch"]:
            raise ValueError(t("rc.need_batch"))
        if len(form["batch"]) > 64:
            raise ValueError(t("rc.batch_too_long"))
        return Scope(batch=form["batch"])
    if form["scope"] != "dates":
        raise ValueError(t("rc.bad_scope"))
    dates = {}
    for key in ("date_from", "date_to"):
        try:
            dates[key] = dt.date.fromisoformat(form[key]) if form[key] else None
        except ValueError:
            raise ValueError(t("rc.bad_date", v=form[key])) from None
    if dates["date_from"] is None and dates["date_to"] is None:
        raise ValueError(t("rc.need_date"))
    if dates["date_from"] and dates["date_to"] and dates["date_from"] > dates["date_to"]:
        raise ValueError(t("rc.date_order"))
    return Scope(**dates)


@router.post("/reconcile")
async def start_run(
    request: Request,
    ctx: Ctx,
    _: UiReviewer,
    scope: FormText = "all",
    batch: FormText = "",
    date_from: FormText = "",
    date_to: FormText = "",
) -> Response:
    form = {"scope": scope, "batch": batch.strip(), "date_from": date_from.strip(), "date_to": date_to.strip()}
    try:
        chosen = _scope(Translator(pick_lang(request)), form)
    except ValueError as exc:
        return await run_in_threadpool(_dashboard, request, ctx, form, str(exc), 422)
    run = await run_in_threadpool(run_reconciliation, ctx, chosen, request.state.actor)
    return RedirectResponse(f"/ui/reconcile/{run['id']}", status_code=303)


@router.get("/reconcile/{run_id}")
def run_page(
    request: Request,
    run_id: RunId,
    ctx: Ctx,
    _: UiReviewer,
    category: Annotated[str, Query(max_length=40)] = "",
    page_no: Annotated[PageNo, Query(alias="page")] = 1,
) -> Response:
    with session_scope(ctx.sessions) as s:
        run = s.get(ReconciliationRun, run_id)
        if run is None:
            return _no_run(request, run_id)
        view = run_view(run)
        if category not in MATCH_CATEGORIES:
            category = next((c for c in DRILL_ORDER if view["counts"][c]), "missing_in_system")
        total, items = run_items(s, run_id, category, page_no, PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    link = lambda p: f"/ui/reconcile/{run_id}?" + urlencode({"category": category, "page": p}) + "#lines"  # noqa: E731
    return page(
        request,
        "reconcile_run.html",
        {
            "run": view,
            "category": category,
            "categories": MATCH_CATEGORIES,
            "items": items,
            "total": total,
            "page_no": page_no,
            "pages": pages,
            "formats": tuple(REPORT_TYPES),
            "prev_url": link(page_no - 1) if page_no > 1 else None,
            "next_url": link(page_no + 1) if page_no < pages else None,
        },
    )


@router.get("/reconcile/{run_id}/report/{fmt}")
def report(request: Request, run_id: RunId, fmt: Literal["xlsx", "csv", "json"], ctx: Ctx, _: UiReviewer) -> Response:
    """The same report file as ``GET /api/v1/reconciliations/{id}/report``, from the same writers."""
    with session_scope(ctx.sessions) as s:
        if s.get(ReconciliationRun, run_id) is None:
            return _no_run(request, run_id)
        lines = run_lines(s, run_id)
    with tempfile.TemporaryDirectory() as tmp:
        path = FsPath(tmp) / f"report.{fmt}"
        REPORT_WRITERS[path.suffix](lines, path)
        content = path.read_bytes()
    t = Translator(pick_lang(request))
    if fmt == "xlsx" and t.lang != "en":
        content = localized_report(content, lines, t)
    ext = "jsonl" if fmt == "json" else fmt  # one JSON document per line: JSON Lines, not one .json document
    return download(content, f"reconciliation-{run_id}.{ext}", REPORT_TYPES[fmt])


def localized_report(content: bytes, lines: list[dict], t: Translator) -> bytes:
    """The report workbook as a person reading this page reads it: sheet names, column titles, categories,
    decisions, differences and findings in the page's language (the API's workbook keeps the stable codes)."""
    wb = openpyxl.load_workbook(io.BytesIO(content))
    by_category: dict[str, list[dict]] = {}
    for line in lines:
        by_category.setdefault(line["category"], []).append(line)
    for ws in wb.worksheets:
        heads = [c.value for c in ws[1]]
        for row, line in zip(ws.iter_rows(min_row=2), by_category.get(ws.title, []), strict=False):
            for cell, head in zip(row, heads, strict=False):
                if head == "category":
                    cell.value = t.match(cell.value)
                elif head == "decision" and cell.value:
                    cell.value = t(f"rep.decision.{cell.value}")
                elif head == "differences" and line.get("differences"):
                    cell.value = "；".join(
                        f"{t.field(d['field'])}：{d['document']} ≠ {d['record']}" for d in line["differences"]
                    )
                elif head == "findings" and cell.value:
                    texts = [t.finding(f) for f in line.get("findings") or []]
                    error = t.message(line.get("error"), line.get("error_code"), line.get("error_params"))
                    cell.value = "；".join(x for x in texts if x) or error
        for cell in ws[1]:
            cell.value = t(f"rep.col.{cell.value}") if f"rep.col.{cell.value}" in STRINGS else t.field(cell.value)
        ws.title = re.sub(r"[\\/?*\[\]:]", "、", t.match(ws.title))[:31]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _no_run(request: Request, run_id: int) -> Response:
    t = Translator(pick_lang(request))
    return error_page(request, 404, t("rc.no_run", id=run_id), back="/ui/reconcile")
