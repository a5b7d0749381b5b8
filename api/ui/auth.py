"""Who may see a UI page: the session cookie (see session.py) is checked on every request and the key's
role looked up again, so a revoked key is locked out at once. Pages answer a missing session with a redirect
to the login page and a too-low role with a 403 page; script requests get problem JSON instead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.routing import APIRoute
from starlette.responses import RedirectResponse, Response

from fapiao.api.deps import Ctx
from fapiao.api.problems import problem
from fapiao.api.ui import session
from fapiao.api.ui.i18n import LANG_COOKIE, LANGS
from fapiao.api.ui.render import page
from fapiao.service.context import ServiceContext
from fapiao.service.keys import allows, key_by_hash
from fapiao.service.sessions import is_revoked
from fapiao.storage.service_tables import ApiKey

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' blob:; script-src 'self'; style-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class LoginRequired(Exception):
    pass


class RoleRequired(Exception):
    def __init__(self, need: str, have: str) -> None:
        super().__init__(need)
        self.need, self.have = need, have


def secret(ctx: ServiceContext) -> bytes:
    return session.load_secret(ctx.settings.data_dir.resolve())


def current_key(request: Request, ctx: ServiceContext) -> ApiKey | None:
    return key_of_cookie(ctx, request.cookies.get(session.COOKIE))


def key_of_cookie(ctx: ServiceContext, cookie: str | None) -> ApiKey | None:
    """The live key of a genuine, unexpired session cookie that was not logged out; None otherwise."""
    key_hash = session.verify(secret(ctx), cookie)
    if not key_hash or not cookie or is_revoked(ctx, cookie):
        return None
    return key_by_hash(ctx, key_hash)


def require(role: str) -> Callable[..., ApiKey]:
    """A dependency admitting a signed-in key with at least ``role``; the actor name goes into the audit."""

    def check(request: Request, ctx: Ctx) -> ApiKey:
        key = current_key(request, ctx)
        if key is None:
            raise LoginRequired()
        request.state.ui_key = key
        if not allows(key.role, role):
            raise RoleRequired(role, key.role)
        request.state.actor = f"{key.name}#{key.id}"
        return key

    return check


UiUploader = Annotated[ApiKey, Depends(require("uploader"))]
UiReviewer = Annotated[ApiKey, Depends(require("reviewer"))]


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "") or request.method not in ("GET", "HEAD")


def same_origin(request: Request) -> bool:
    """Defence in depth beside SameSite=Strict: a state-changing request must not come from another site."""
    origin = request.headers.get("origin")
    return origin is None or origin == f"{request.url.scheme}://{request.url.netloc}"


class UiRoute(APIRoute):
    """Turns the UI's auth exceptions into redirects or pages, adds security headers, remembers ``?lang=``."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            if request.method not in ("GET", "HEAD") and not same_origin(request):
                response = problem(403, "forbidden", "cross-site request refused", "use the UI from its own address")
            else:
                try:
                    response = await handler(request)
                except LoginRequired:
                    response = _login_required(request)
                except RoleRequired as exc:
                    response = _role_required(request, exc)
            for k, v in SECURITY_HEADERS.items():
                response.headers.setdefault(k, v)
            lang = request.query_params.get("lang")
            if lang in LANGS and request.cookies.get(LANG_COOKIE) != lang:
                response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, path="/ui", samesite="strict")
            return response

        return run


def _login_required(request: Request) -> Response:
    if wants_json(request):
        return problem(401, "unauthorized", "your session has ended", "log in again at /ui/login")
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/ui/login?next={quote(target, safe='')}", status_code=303)


def _role_required(request: Request, exc: RoleRequired) -> Response:
    if wants_json(request):
        return problem(
            403, "forbidden", f"this needs the {exc.need} role; the key has {exc.have}", "use a key with that role"
        )
    return page(request, "forbidden.html", {"need": exc.need, "have": exc.have}, status_code=403)
