"""The reviewer UI's router: login/logout here; the queue, review screen, reconciliation dashboard, drafts,
records imports, upload page, batch progress, back-fills, search, statistics and alerts in their modules.
``fapiao.api.app`` includes ``router`` and mounts ``STATIC_DIR`` at ``/ui/static``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from fapiao.api.deps import Ctx
from fapiao.api.ui import (
    alerts,
    backfills,
    batches,
    drafts,
    queue,
    reconcile,
    records,
    review,
    search,
    session,
    stats,
    upload,
)
from fapiao.api.ui.auth import UiRoute, current_key, secret
from fapiao.api.ui.render import STATIC_DIR, page
from fapiao.service.keys import allows, authenticate, hash_key
from fapiao.service.sessions import revoke

__all__ = ["router", "STATIC_DIR"]

router = APIRouter(prefix="/ui", include_in_schema=False, route_class=UiRoute)


def _safe_next(target: str | None, role: str) -> str:
    """Only local UI paths are followed after login (no open redirect); uploaders land on the upload page."""
    ok = bool(target) and target.startswith("/ui") and not target.startswith("//") and "\\" not in target
    if not allows(role, "reviewer"):
        return target if ok and target.startswith("/ui/upload") else "/ui/upload"
    return target if ok and not target.startswith("/ui/login") else "/ui/"


@router.get("/login")
def login_form(request: Request, ctx: Ctx, next: Annotated[str | None, Query(max_length=2000)] = None) -> Response:
    key = current_key(request, ctx)
    if key is not None:
        return RedirectResponse(_safe_next(next, key.role), status_code=303)
    return page(request, "login.html", {"next": next or ""})


@router.post("/login")
async def login(
    request: Request,
    ctx: Ctx,
    key: Annotated[str, Form(max_length=512)],
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    found = await run_in_threadpool(authenticate, ctx, key.strip())
    if found is None:
        return page(request, "login.html", {"next": next, "error": True}, status_code=401)
    response = RedirectResponse(_safe_next(next, found.role), status_code=303)
    response.set_cookie(
        session.COOKIE,
        session.sign(secret(ctx), hash_key(key.strip())),
        max_age=session.MAX_AGE_S,
        path="/ui",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout")
def logout(request: Request, ctx: Ctx) -> Response:
    cookie = request.cookies.get(session.COOKIE)
    if cookie and session.verify(secret(ctx), cookie):  # ended on the server too: a copy of the cookie is worth nothing
        expires = dt.datetime.fromtimestamp(session.issued_at(cookie) + session.MAX_AGE_S + 60, dt.UTC)
        revoke(ctx, cookie, expires)
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(session.COOKIE, path="/ui", httponly=True, samesite="strict")
    return response


router.include_router(queue.router)
router.include_router(review.router)
router.include_router(upload.router)
router.include_router(reconcile.router)
router.include_router(drafts.router)
router.include_router(records.router)
router.include_router(batches.router)
router.include_router(backfills.router)
router.include_router(search.router)
router.include_router(stats.router)
router.include_router(alerts.router)
