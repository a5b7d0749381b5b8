"""The review queue: needs-review first, filters (decision, review state, type, batch, what the latest
reconciliation said), search, counts per status, paging (the same query as ``GET /api/v1/invoices``, from
``fapiao.service.queries``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from fapiao.api.deps import Ctx, PageNo
from fapiao.api.ui.auth import UiReviewer, UiRoute
from fapiao.api.ui.i18n import INVOICE_TYPES, MATCH_CATEGORIES, Translator, pick_lang
from fapiao.api.ui.render import page
from fapiao.api.ui.review import InvoiceRef, confirmed_notice
from fapiao.core.models import Status
from fapiao.core.states import ReviewState
from fapiao.service.queries import (
    SIGNATURE_STATES,
    InvoiceFilter,
    known_batches,
    search_invoices,
    status_counts,
    summary,
)
from fapiao.storage.db import session_scope

router = APIRouter(route_class=UiRoute)

PAGE_SIZE = 50
STATUSES = (Status.needs_review, Status.verified, Status.rejected)
"""The rules' decisions, in the order the counts show them."""
REVIEWS = tuple(ReviewState)
MATCHES = (*MATCH_CATEGORIES, "none")
"""A reconciliation category, or ``none``: not reconciled yet."""
Text = Annotated[str, Query(max_length=200)]


def _date(value: str, bad: list[str]) -> dt.date | None:
    """Empty form fields mean "any"; a malformed date is ignored and reported rather than failing the page."""
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        bad.append(value)
        return None


@router.get("/")
def queue(
    request: Request,
    ctx: Ctx,
    user: UiReviewer,
    status: Text = "",
    review: Text = "",
    q: Text = "",
    seller: Text = "",
    date_from: Text = "",
    date_to: Text = "",
    invoice_type: Text = "",
    batch: Text = "",
    match: Text = "",
    signature: Text = "",
    page_no: Annotated[PageNo, Query(alias="page")] = 1,
    confirmed: InvoiceRef = None,
) -> Response:
    bad: list[str] = []
    f = InvoiceFilter(
        status=status if status in STATUSES else None,
        review=review if review in REVIEWS else None,
        q=q.strip() or None,
        seller=seller.strip() or None,
        date_from=_date(date_from, bad),
        date_to=_date(date_to, bad),
        invoice_type=invoice_type if invoice_type in INVOICE_TYPES else None,
        batch=batch.strip() or None,
        match=match if match in MATCHES else None,
        signature=signature if signature in SIGNATURE_STATES else None,
    )
    with session_scope(ctx.sessions) as s:
        total, rows = search_invoices(s, f, page_no, PAGE_SIZE)
        counts = status_counts(s)
        invoices = [summary(r) for r in rows]
        batches = known_batches(s)
    form = {
        "status": status,
        "review": review,
        "q": q,
        "seller": seller,
        "date_from": date_from,
        "date_to": date_to,
        "invoice_type": invoice_type,
        "batch": batch.strip(),
        "match": match,
        "signature": signature,
    }
    if form["batch"] and form["batch"] not in batches:
        batches = [form["batch"], *batches]  # keep an unknown batch typed into the address selectable
    params = {k: v for k, v in form.items() if v}
    pages = max(1, -(-total // PAGE_SIZE))
    link = lambda p: "/ui/?" + urlencode({**params, "page": p})  # noqa: E731
    return page(
        request,
        "queue.html",
        {
            "invoices": invoices,
            "total": total,
            "counts": counts,
            "statuses": STATUSES,
            "reviews": REVIEWS,
            "types": tuple(INVOICE_TYPES),
            "matches": MATCHES,
            "signatures": tuple(SIGNATURE_STATES),
            "batches": batches,
            "form": form,
            "bad_dates": bad,
            "page_no": page_no,
            "pages": pages,
            "prev_url": link(page_no - 1) if page_no > 1 else None,
            "next_url": link(page_no + 1) if page_no < pages else None,
            "confirmed": confirmed_notice(ctx, Translator(pick_lang(request)), confirmed, last=True),
        },
    )
