"""A pure ASGI guard in front of every route: a request that carries a body is authenticated from its headers
and its declared size checked BEFORE a byte of the body is read, and the body is counted while it streams, so
that neither an anonymous caller nor a chunked body without ``Content-Length`` can make the service read,
parse or spool more than the limit. (FastAPI parses the body before it runs the route's key check: without
this, a 1 GiB JSON body was read whole before its 401.)"""

from __future__ import annotations

from fastapi.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fapiao.api.problems import problem
from fapiao.api.ui import session
from fapiao.api.ui.auth import key_of_cookie
from fapiao.service.keys import authenticate

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
PUBLIC = {"/ui/login", "/ui/logout"}
"""Paths whose body is read without a key: the login form (small, capped like any form) and logout."""
MULTIPART_OVERHEAD = 1024 * 1024
"""Room for part headers and form fields beside the files themselves."""


class BodyTooLarge(Exception):
    pass


def body_limit(settings, path: str, content_type: str) -> int:
    """The most bytes a request to ``path`` may send: uploads get the upload limits, everything else (JSON and
    plain forms) a small one."""
    if content_type.startswith("multipart/form-data"):
        if "/backfills" in path:
            return settings.max_backfill_bytes + settings.max_upload_bytes + MULTIPART_OVERHEAD
        return settings.max_request_bytes + MULTIPART_OVERHEAD
    return settings.max_json_bytes


class BodyGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        ctx = getattr(scope["app"].state, "ctx", None)
        if ctx is None:  # not started (no lifespan): nothing to check against
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        path = scope["path"]
        refusal = await _unauthenticated(ctx, path, headers)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        limit = body_limit(ctx.settings, path, headers.get("content-type", "").lower())
        declared = headers.get("content-length")
        if declared is not None and (not declared.strip().isdigit() or int(declared) > limit):
            await _too_large(limit)(scope, receive, send)
            return
        await self._counted(scope, receive, send, limit)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        seen = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise BodyTooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:  # whatever the app makes of the cut-off body, the caller hears 413
                return
            started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except BodyTooLarge:
            pass
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _too_large(limit)(scope, receive, send)


async def _unauthenticated(ctx, path: str, headers: dict[str, str]):
    """A 401 for a body-carrying request without a live key (API) or session (UI); None when it may go on."""
    if path in PUBLIC:
        return None
    if path.startswith("/ui/"):
        cookie = _cookie(headers.get("cookie", ""), session.COOKIE)
        if cookie and await run_in_threadpool(key_of_cookie, ctx, cookie) is not None:
            return None
        return problem(401, "unauthorized", "your session has ended", "log in again at /ui/login")
    scheme, _, token = headers.get("authorization", "").partition(" ")
    live = scheme.lower() == "bearer" and token.strip() and len(token) < 512
    if live and await run_in_threadpool(authenticate, ctx, token.strip()) is not None:
        return None
    response = problem(
        401,
        "unauthorized",
        "an API key is required (none was sent, or it is unknown or revoked); the body was not read",
        "send `Authorization: Bearer <key>`; create one with `fapiao keys create --role uploader`",
    )
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


def _too_large(limit: int):
    return problem(
        413,
        "too large",
        f"the request body is larger than the limit of {limit:,} bytes for this route",
        "send smaller files, fewer files per request, or raise FAPIAO_MAX_REQUEST_BYTES / FAPIAO_MAX_JSON_BYTES",
    )


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        k, _, v = part.strip().partition("=")
        if k == name:
            return v.strip('"')
    return None
