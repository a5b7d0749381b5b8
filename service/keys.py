"""API keys: random tokens shown once; only their SHA-256 is stored. Roles are ordered
uploader < reviewer < admin: a higher role may do everything a lower one may."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from fapiao.service.context import ServiceContext
from fapiao.storage.db import session_scope
from fapiao.storage.service_tables import ApiKey

ROLES = ("uploader", "reviewer", "admin")


def hash_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_key(ctx: ServiceContext, role: str, name: str = "") -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    token = "fp_" + secrets.token_urlsafe(32)
    with session_scope(ctx.sessions) as s:
        s.add(ApiKey(name=name or role, role=role, key_hash=hash_key(token), prefix=token[:10]))
    return token


def authenticate(ctx: ServiceContext, token: str) -> ApiKey | None:
    return key_by_hash(ctx, hash_key(token))


def key_by_hash(ctx: ServiceContext, key_hash: str) -> ApiKey | None:
    """The live key with this hash (the reviewer UI's session cookie carries the hash, never the key)."""
    with session_scope(ctx.sessions) as s:
        key = s.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None)))
        if key is not None:
            s.expunge(key)
        return key


def allows(have: str, need: str) -> bool:
    return ROLES.index(have) >= ROLES.index(need)
