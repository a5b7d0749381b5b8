"""Statistics (counts and amounts by month, seller, type, tax rate; reconciliation and review shares per
month) as JSON or XLSX, and the current alerts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from fapiao.api.deps import Ctx, Reviewer
from fapiao.api.models.stats import Alerts, Shares, Totals
from fapiao.api.routing import api_router
from fapiao.service import alerts as alert_svc
from fapiao.service.stats import SHARE_COLUMNS, TOTAL_COLUMNS, json_rows, shares, to_xlsx, totals
from fapiao.storage.db import session_scope

router = api_router("/api/v1", "statistics")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Format = Annotated[Literal["json", "xlsx"], Query(description="json, or xlsx to download the table")]


def _xlsx(content: bytes, name: str) -> Response:
    return Response(content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})


@router.get(
    "/stats",
    summary="Counts and amounts (金额, 税额, 价税合计) by month, seller, invoice type or tax rate",
    response_model=Totals,
    responses={200: {"content": {XLSX: {}}}},
)
def stats(
    ctx: Ctx,
    _: Reviewer,
    group: Literal["month", "seller", "type", "rate"] = "month",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    format: Format = "json",
):
    with session_scope(ctx.sessions) as s:
        rows = totals(s, group, date_from, date_to)
    if format == "xlsx":
        return _xlsx(to_xlsx(rows, TOTAL_COLUMNS, f"by {group}"), f"fapiao-stats-{group}")
    return {"group": group, "rows": json_rows(rows)}


@router.get(
    "/stats/shares",
    summary="Per month: invoices, matched / missing shares (latest reconciliation), needs-review share",
    response_model=Shares,
    responses={200: {"content": {XLSX: {}}}},
)
def stats_shares(
    ctx: Ctx, _: Reviewer, date_from: dt.date | None = None, date_to: dt.date | None = None, format: Format = "json"
):
    with session_scope(ctx.sessions) as s:
        rows = shares(s, date_from, date_to)
    if format == "xlsx":
        return _xlsx(to_xlsx(rows, SHARE_COLUMNS, "shares by month"), "fapiao-shares")
    return {"rows": rows}


@router.get(
    "/alerts",
    summary="Duplicates, invoices stuck in review, exported drafts not yet in the records, broken signatures or "
    "damaged files, failed or old records imports",
    response_model=Alerts,
)
async def alerts(ctx: Ctx, _: Reviewer, kind: Annotated[list[Literal[alert_svc.KINDS]] | None, Query()] = None) -> dict:  # type: ignore[valid-type]
    found = await run_in_threadpool(alert_svc.current, ctx)
    if kind:
        found = [a for a in found if a.kind in kind]
    return {"counts": alert_svc.counts(found), "alerts": [alert_svc.as_json(a) for a in found]}
