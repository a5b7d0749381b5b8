"""Logged-out UI sessions: the signed cookie is stateless, so a logout is remembered here (by the cookie's
SHA-256, never the cookie) until the moment the cookie would have expired anyway."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from fapiao.service.context import ServiceContext
from fapiao.storage.db import session_scope
from fapiao.storage.service_tables import RevokedSession


def _digest(cookie: str) -> str:
    return hashlib.sha256(cookie.encode()).hexdigest()


def revoke(ctx: ServiceContext, cookie: str, expires_at: dt.datetime) -> None:
    """End the session carried by ``cookie``; forgotten entries past their expiry are dropped meanwhile."""
    now = dt.datetime.now(dt.UTC)
    try:
        with session_scope(ctx.sessions) as s:
            s.execute(delete(RevokedSession).where(RevokedSession.expires_at < now))
            if s.get(RevokedSession, _digest(cookie)) is None:
                s.add(RevokedSession(cookie_hash=_digest(cookie), expires_at=expires_at))
    except IntegrityError:  # logged out twice at once
        pass


def is_revoked(ctx: ServiceContext, cookie: str) -> bool:
    with session_scope(ctx.sessions) as s:
        return s.get(RevokedSession, _digest(cookie)) is not None
