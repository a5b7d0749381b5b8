"""Template rendering: one Jinja2 environment (autoescaped) and the context every page gets."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import Response

from fapiao.api.ui.badge import alert_badge
from fapiao.api.ui.i18n import Translator, pick_lang
from fapiao.service.keys import allows

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters["pathq"] = lambda v: quote(str(v), safe="")
"""A value as one path segment (batch names may hold ``/`` or ``?``)."""


def money(value: Any) -> str:
    """An amount with two decimals and thousands separators (``1,058.94``); empty for none."""
    if value is None or value == "":
        return ""
    try:
        return f"{Decimal(str(value)):,.2f}"
    except InvalidOperation:
        return str(value)


def percent(share: Any) -> str:
    """A share (0.5 or "0.5") as ``50.0%``; a dash when there is nothing to divide by."""
    if share is None:
        return "—"
    return f"{Decimal(str(share)) * 100:.1f}%"


templates.env.filters["money"] = money
templates.env.filters["percent"] = percent


def page(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    """Render a full page; templates find the translator as ``t``, the signed-in key as ``user`` and, on
    reviewer pages, the top bar's alert count as ``alert_badge``."""
    ctx = base_context(request)
    user = ctx["user"]
    if user is not None and allows(user.role, "reviewer"):
        ctx["alert_badge"] = alert_badge(request.app)
    ctx.update(context or {})
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)


def fragment(request: Request, name: str, context: dict[str, Any]) -> str:
    """Render a partial template to a string (sent back to the page's script after an edit)."""
    ctx = base_context(request)
    ctx.update(context)
    return templates.get_template(name).render(ctx)


def base_context(request: Request) -> dict[str, Any]:
    lang = pick_lang(request)
    other = "en" if lang == "zh" else "zh"
    query = urlencode({**dict(request.query_params), "lang": other}) if request.method == "GET" else f"lang={other}"
    return {
        "request": request,
        "t": Translator(lang),
        "lang": lang,
        "user": getattr(request.state, "ui_key", None),
        "other_lang": other,
        "lang_url": f"{request.url.path}?{query}",
    }


def error_page(
    request: Request, status_code: int, message: str, hint: str | None = None, back: str | None = None
) -> Response:
    """A page-shaped answer for a page request that cannot be served (unknown id, refused action)."""
    return page(
        request,
        "error.html",
        {"status": status_code, "message": message, "hint": hint, "back": back},
        status_code=status_code,
    )


def download(content: bytes, filename: str, media_type: str, **headers: str) -> Response:
    """A file the browser saves (never renders): attachment with its name, neutral to sniffing."""
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"', **headers}
    )
