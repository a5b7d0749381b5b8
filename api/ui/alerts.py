"""The alerts page: what ``fapiao.service.alerts`` finds right now (duplicates, invoices stuck in review,
exported drafts a later import still lacks, failed or old records imports), counted per kind and listed with
the message in the page's language and links to what to look at. Opening it also refreshes the count in the
top bar (``badge``)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from fapiao.api.deps import Ctx
from fapiao.api.ui.auth import UiReviewer, UiRoute
from fapiao.api.ui.badge import remember
from fapiao.api.ui.i18n import Translator, pick_lang
from fapiao.api.ui.render import page
from fapiao.service.alerts import KINDS, Alert, counts, current

router = APIRouter(route_class=UiRoute)

LINK_ID = re.compile(r"^/ui/(invoices|drafts)/(\d+)$")


def links(t: Translator, alert: Alert) -> list[tuple[str, str]]:
    """(address, text) for each of the alert's links; only addresses inside the UI are offered."""
    out = []
    for name, value in alert.links.items():
        for url in value if isinstance(value, list) else [value]:
            if not isinstance(url, str) or not url.startswith("/ui/") or url.startswith("//"):
                continue
            m = LINK_ID.match(url)
            if m:
                text = t("al.link.invoice" if m[1] == "invoices" else "al.link.draft", id=m[2])
            elif name == "records":
                text = t("al.link.records")
            else:
                text = t("al.link.other")
            out.append((url, text))
    return out


@router.get("/alerts")
def alerts_page(request: Request, ctx: Ctx, _: UiReviewer, kind: Annotated[str, Query(max_length=32)] = "") -> Response:
    t = Translator(pick_lang(request))
    found = current(ctx)
    remember(request.app, found)
    kind = kind if kind in KINDS else ""
    shown = [a for a in found if not kind or a.kind == kind]
    rows = [
        {
            "kind": a.kind,
            "severity": a.severity,
            "message": a.message_zh if t.lang == "zh" else a.message,
            "since": a.since,
            "links": links(t, a),
        }
        for a in shown
    ]
    return page(
        request,
        "alerts.html",
        {"counts": counts(found), "kinds": KINDS, "kind": kind, "alerts": rows, "total": len(found)},
    )
