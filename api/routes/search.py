"""Search across system records, extracted invoices and drafts from partial facts, ranked, with the reasons."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import Query
from fastapi.concurrency import run_in_threadpool

from fapiao.api.deps import Ctx, Reviewer
from fapiao.api.models.search import SearchResults
from fapiao.api.problems import ApiError
from fapiao.api.routing import api_router
from fapiao.matching.search_index import KINDS
from fapiao.matching.search_index import Query as SearchQuery
from fapiao.service.search import searcher

router = api_router("/api/v1/search", "search")

Money = Annotated[Decimal | None, Query(ge=-(10**12), le=10**12, decimal_places=2)]
Text = Annotated[str | None, Query(max_length=200)]


@router.get(
    "",
    summary="Find invoices, records and drafts by part of a number, an amount or range, a date or "
    "range, part of a name (typos tolerated) or of a tax ID",
    response_model=SearchResults,
)
async def search(
    ctx: Ctx,
    _: Reviewer,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description=(
                "free text: each word is read as a number, tax ID, amount (1058.94, 100-200, >1000), date "
                "(2024-03-08, 2024-03) or name, and must match"
            ),
        ),
    ] = None,
    number: Text = None,
    tax_id: Text = None,
    name: Text = None,
    amount: Money = None,
    amount_min: Money = None,
    amount_max: Money = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    kind: Annotated[list[Literal[KINDS]] | None, Query()] = None,  # type: ignore[valid-type]
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict:
    query = SearchQuery(
        text=q,
        number=number,
        tax_id=tax_id,
        name=name,
        amount=amount,
        amount_min=amount_min,
        amount_max=amount_max,
        date_from=date_from,
        date_to=date_to,
        kinds=tuple(kind) if kind else KINDS,
    )
    if query.is_empty():
        raise ApiError(
            422,
            "nothing to search for",
            "give q, or one of number, tax_id, name, amount, amount_min/amount_max, date_from/date_to",
        )
    return await run_in_threadpool(searcher(ctx).search, query, limit)
