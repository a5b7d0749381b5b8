"""Statistics in the UI: the totals of ``fapiao.service.stats`` grouped by month, seller, type or tax rate over
an issue-date range, as a table and a bar chart drawn server-side as SVG (``charts``), and per month the
matched / missing / needs-review shares with a line chart; each table downloads as XLSX from the service's
own writer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from fapiao.api.deps import Ctx
from fapiao.api.ui import charts
from fapiao.api.ui.auth import UiReviewer, UiRoute
from fapiao.api.ui.i18n import Translator, pick_lang
from fapiao.api.ui.render import download, error_page, page
from fapiao.service.stats import GROUPS, SHARE_COLUMNS, TOTAL_COLUMNS, shares, to_xlsx, totals
from fapiao.storage.db import session_scope

router = APIRouter(route_class=UiRoute)

Text = Annotated[str, Query(max_length=40)]
TOP_BARS = 15
MONEY = ("total_amount", "total_tax", "amount_with_tax")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHARE_SERIES = (
    ("matched", "matched_share", "stats.matched_share"),
    ("missing", "missing_share", "stats.missing_share"),
    ("review", "needs_review_share", "stats.needs_review_share"),
)


def _range(t: Translator, date_from: str, date_to: str) -> tuple[dt.date | None, dt.date | None]:
    """The form's dates; ``ValueError`` carries the message shown above the form."""
    out = []
    for value in (date_from.strip(), date_to.strip()):
        try:
            out.append(dt.date.fromisoformat(value) if value else None)
        except ValueError:
            raise ValueError(t("rc.bad_date", v=value)) from None
    if out[0] and out[1] and out[0] > out[1]:
        raise ValueError(t("rc.date_order"))
    return out[0], out[1]


def _label(t: Translator, group: str, row: dict) -> tuple[str, str | None]:
    """What a row is called on the page (and in the download), and a second line (the seller's tax ID)."""
    key = row["key"]
    if group == "month":
        return (t("stats.unknown_month") if key == "unknown" else key), None
    if group == "type":
        return t.kind(key), None
    if group == "rate":
        return (t("stats.unknown_rate") if key == "unknown" else key), None
    if key == "unknown":
        return t("stats.unknown_seller"), None
    return (row["label"] or key), (key if row["label"] and key != row["label"] else None)


def _rows(ctx, t: Translator, group: str, lo, hi) -> tuple[list[dict], list[dict]]:
    with session_scope(ctx.sessions) as s:
        rows, share_rows = totals(s, group, lo, hi), shares(s, lo, hi)
    for r in rows:
        r["name"], r["sub"] = _label(t, group, r)
    for r in share_rows:
        r["name"] = t("stats.unknown_month") if r["month"] == "unknown" else r["month"]
    return rows, share_rows


def _totals_chart(group: str, rows: list[dict]) -> charts.Chart | None:
    if not rows:
        return None
    points = [(r["name"], r["amount_with_tax"], f"{r['name']}: {r['amount_with_tax']:,.2f}") for r in rows]
    if group == "month":
        return charts.columns(points)
    return charts.bars(points[:TOP_BARS])


def _shares_chart(t: Translator, rows: list[dict]) -> charts.Chart | None:
    if not rows:
        return None
    return charts.lines(
        [r["name"] for r in rows], [(key, t(label), [r[col] for r in rows]) for key, col, label in SHARE_SERIES]
    )


@router.get("/stats")
def stats_page(
    request: Request, ctx: Ctx, _: UiReviewer, group: Text = "month", date_from: Text = "", date_to: Text = ""
) -> Response:
    t = Translator(pick_lang(request))
    group = group if group in GROUPS else "month"
    form = {"group": group, "date_from": date_from.strip(), "date_to": date_to.strip()}
    model = {
        "form": form,
        "groups": GROUPS,
        "error": None,
        "rows": [],
        "shares": [],
        "chart": None,
        "share_chart": None,
        "sums": None,
        "top": TOP_BARS,
        "series": SHARE_SERIES,
    }
    try:
        lo, hi = _range(t, date_from, date_to)
    except ValueError as exc:
        model["error"] = str(exc)
        return page(request, "stats.html", model, status_code=422)
    rows, share_rows = _rows(ctx, t, group, lo, hi)
    dates = urlencode({k: v for k, v in (("date_from", lo), ("date_to", hi)) if v})
    sums = {c: sum((r[c] for r in rows), Decimal("0.00")) for c in MONEY}
    sums["invoices"] = sum(r["invoices"] for r in rows)
    sums["duplicates"] = sum(r.get("duplicates", 0) for r in rows)
    model.update(
        rows=rows,
        shares=share_rows,
        chart=_totals_chart(group, rows),
        share_chart=_shares_chart(t, share_rows),
        sums=sums,
        totals_url=f"/ui/stats/export/totals?group={group}" + (f"&{dates}" if dates else ""),
        shares_url="/ui/stats/export/shares" + (f"?{dates}" if dates else ""),
    )
    return page(request, "stats.html", model)


@router.get("/stats/export/{table}")
def export(
    request: Request,
    table: Literal["totals", "shares"],
    ctx: Ctx,
    _: UiReviewer,
    group: Text = "month",
    date_from: Text = "",
    date_to: Text = "",
) -> Response:
    """The table as the service writes it (``stats.to_xlsx``); the label column in the page's language."""
    t = Translator(pick_lang(request))
    group = group if group in GROUPS else "month"
    try:
        lo, hi = _range(t, date_from, date_to)
    except ValueError as exc:
        return error_page(request, 422, str(exc), back="/ui/stats")
    rows, share_rows = _rows(ctx, t, group, lo, hi)
    if table == "totals":
        labelled = [{**r, "label": r["name"]} for r in rows]
        heads = [t(_COLUMN_TITLES.get(c, f"stats.key.{group}")) for c in TOTAL_COLUMNS]
        content = to_xlsx(labelled, TOTAL_COLUMNS, t(f"stats.g.{group}"), heads)
        return download(content, f"fapiao-stats-{group}.xlsx", XLSX)
    named = [{**r, "month": r["name"]} for r in share_rows]
    heads = [t(_COLUMN_TITLES[c]) for c in SHARE_COLUMNS]
    return download(to_xlsx(named, SHARE_COLUMNS, t("stats.shares"), heads), "fapiao-shares.xlsx", XLSX)


_COLUMN_TITLES = {
    "key": "stats.col.key",
    "invoices": "stats.invoices",
    "total_amount": "stats.total_amount",
    "total_tax": "stats.total_tax",
    "amount_with_tax": "stats.amount_with_tax",
    "duplicates": "stats.duplicates",
    "month": "stats.key.month",
    "reconciled": "stats.reconciled",
    "matched": "stats.matched",
    "missing_in_system": "stats.missing",
    "needs_review": "stats.needs_review",
    "matched_share": "stats.matched_share",
    "missing_share": "stats.missing_share",
    "needs_review_share": "stats.needs_review_share",
}
"""The workbook's column titles in the page's language (``label`` is titled by the group: 月份, 销售方…)."""
