"""What routes receive through ``Depends``: the service context and the caller's API key (role-checked)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Request

from fapiao.api.problems import ApiError
from fapiao.service.context import ServiceContext
from fapiao.service.keys import allows, authenticate
from fapiao.storage.service_tables import ApiKey


def get_ctx(request: Request) -> ServiceContext:
    return request.app.state.ctx


Ctx = Annotated[ServiceContext, Depends(get_ctx)]


def require(role: str):
    """A dependency that admits callers whose key has at least ``role``."""

    def check(request: Request, ctx: Ctx) -> ApiKey:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise ApiError(
                401,
                "an API key is required",
                "send `Authorization: Bearer <key>`; create one with `fapiao keys create --role uploader`",
                headers={"WWW-Authenticate": "Bearer"},
            )
        key = authenticate(ctx, token.strip())
        if key is None:
            raise ApiError(
                401,
                "the API key is unknown or revoked",
                "check the key or create a new one",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not allows(key.role, role):
            raise ApiError(
                403, f"this endpoint needs the {role} role; the key has {key.role}", "use a key with that role"
            )
        request.state.actor = f"{key.name}#{key.id}"
        return key

    return check


Uploader = Annotated[ApiKey, Depends(require("uploader"))]
Reviewer = Annotated[ApiKey, Depends(require("reviewer"))]
Admin = Annotated[ApiKey, Depends(require("admin"))]


InvoiceId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Invoice id")]
PageNo = Annotated[int, Query(ge=1, le=100_000, description="1-based page of results")]
PageSize = Annotated[int, Query(ge=1, le=200, description="results per page")]
"""Bounded so that no client value can overflow a database integer."""
