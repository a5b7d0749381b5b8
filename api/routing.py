"""The API's routers: every error a problem document, every answer held to its response model and sent with
exactly the keys the route gave."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute

from fapiao.api.problems import PROBLEM_RESPONSES


class ApiRoute(APIRoute):
    """A JSON API route. Its response model validates and documents the answer but adds no key the route left
    out (``response_model_exclude_unset``): a line without a QR code has no ``qr`` key, as in the CLI's output."""

    def __init__(self, path: str, endpoint: Any, **kwargs: Any) -> None:
        kwargs["response_model_exclude_unset"] = True
        super().__init__(path, endpoint, **kwargs)


def api_router(prefix: str, tag: str) -> APIRouter:
    return APIRouter(prefix=prefix, tags=[tag], responses=PROBLEM_RESPONSES, route_class=ApiRoute)
