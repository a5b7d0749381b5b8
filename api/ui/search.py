"""The search page behind the top bar's search box: free text and the advanced fields (number, tax ID, name,
an exact amount or a range, an issue-date range, which kinds of rows) become a ``fapiao.matching.search_index.Query``
for the service's searcher, as ``GET /api/v1/search`` does; the ranked hits are listed with why each matched.
Bad amounts or dates are reported above the form, and nothing to look for gives a hint, never an error."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from fapiao.api.deps import Ctx
from fapiao.api.ui.auth import UiReviewer, UiRoute
from fapiao.api.ui.i18n import Translator, pick_lang
from fapiao.api.ui.render import page
from fapiao.matching.search_index import KINDS
from fapiao.matching.search_index import Query as SearchQuery
from fapiao.service.search import searcher

router = APIRouter(route_class=UiRoute)

Text = Annotated[str, Query(max_length=200)]
LIMIT = 50
MAX_AMOUNT = Decimal(10) ** 12
"""The same bound as the API's amount parameters."""
CENT = Decimal("0.01")
NOT_MONEY = re.compile(r"[\s,，¥￥元]")


def _amount(t: Translator, value: str, errors: list[str]) -> Decimal | None:
    """``1,058.94`` or ``¥1058.94`` as a Decimal with at most two decimals; a message otherwise."""
    text = NOT_MONEY.sub("", value)
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or abs(amount) > MAX_AMOUNT or amount != amount.quantize(CENT):
        errors.append(t("sr.bad_amount", v=value.strip()))
        return None
    return amount


def _date(t: Translator, value: str, errors: list[str]) -> dt.date | None:
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        errors.append(t("rc.bad_date", v=value.strip()))
        return None


def _hit(t: Translator, hit: dict) -> dict:
    """What a result row shows; links only to UI pages (records have none: they are shown in full here)."""
    url = hit.get("ui_url")
    source = hit.get("label") or ""
    if hit["kind"] == "draft":
        state, _, rest = source.partition(" · ")
        source = f"{t('ds.' + state)} · {rest}" if rest else t("ds." + state)
    elif hit["kind"] == "document":
        name, _, status = source.rpartition(" · ")
        source = f"{name} · {t('up.' + status)}" if name else source
    return {
        **hit,
        "url": url if isinstance(url, str) and url.startswith("/ui/") else None,
        "source": source,
        "reasons": [t.reason(r) for r in hit["reason_codes"]],
    }


@router.get("/search")
def search_page(
    request: Request,
    ctx: Ctx,
    _: UiReviewer,
    q: Text = "",
    number: Text = "",
    tax_id: Text = "",
    name: Text = "",
    amount: Text = "",
    amount_min: Text = "",
    amount_max: Text = "",
    date_from: Text = "",
    date_to: Text = "",
    kind: Annotated[list[str] | None, Query()] = None,
) -> Response:
    t = Translator(pick_lang(request))
    kinds = tuple(k for k in KINDS if k in (kind or ()))
    form = {
        "q": q,
        "number": number,
        "tax_id": tax_id,
        "name": name,
        "amount": amount,
        "amount_min": amount_min,
        "amount_max": amount_max,
        "date_from": date_from,
        "date_to": date_to,
        "kinds": kinds,
    }
    model = {"form": form, "all_kinds": KINDS, "errors": [], "hint": None, "result": None}
    errors: list[str] = model["errors"]
    values = {
        "amount": _amount(t, amount, errors),
        "amount_min": _amount(t, amount_min, errors),
        "amount_max": _amount(t, amount_max, errors),
        "date_from": _date(t, date_from, errors),
        "date_to": _date(t, date_to, errors),
    }
    if (
        values["amount_min"] is not None
        and values["amount_max"] is not None
        and values["amount_min"] > values["amount_max"]
    ):
        errors.append(t("sr.amount_order"))
    if values["date_from"] and values["date_to"] and values["date_from"] > values["date_to"]:
        errors.append(t("rc.date_order"))
    if errors:
        return page(request, "search.html", model, status_code=422)
    query = SearchQuery(
        text=q.strip() or None,
        number=number.strip() or None,
        tax_id=tax_id.strip() or None,
        name=name.strip() or None,
        kinds=kinds or KINDS,
        **values,
    )
    submitted = any(k in request.query_params for k in form if k != "kinds") or "kind" in request.query_params
    if query.is_empty():
        model["hint"] = t("sr.empty_query") if submitted else None
        return page(request, "search.html", model)
    try:
        found = searcher(ctx).search(query, LIMIT)
    except ValueError:  # the index refuses a query with nothing to look for; say what to give
        model["hint"] = t("sr.empty_query")
        return page(request, "search.html", model)
    model["result"] = {"total": found["total"], "hits": [_hit(t, h) for h in found["hits"]], "limit": LIMIT}
    return page(request, "search.html", model)
