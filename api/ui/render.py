"""Template rendering: one Jinja2 environment (autoescaped) and the context every page gets."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import Response

from api.ui.i18n import Translator, pick_lang

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")


def page(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    """Render a full page; templates find the translator as ``t`` and the signed-in key as ``user``."""
    ctx = base_context(request)
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
    return {"request": request, "t": Translator(lang), "lang": lang, "user": getattr(request.state, "ui_key", None),
            "other_lang": other, "lang_url": f"{request.url.path}?{query}"}
