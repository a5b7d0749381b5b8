"""Errors as RFC 9457 problem details: what is wrong (``title``/``detail``) and what to do (``hint``)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema
from starlette.exceptions import HTTPException as StarletteHTTPException

from fapiao.core.errors import Conflict, FapiaoError, InvalidEdit, LimitExceeded, NotFound, UnsupportedFormat
from fapiao.core.messages import coded
from fapiao.matching.drafts import DraftStateError
from fapiao.service.backfills import BackfillError, FolderNotAllowed
from fapiao.service.drafts import NothingToExport
from fapiao.service.pages import PageUnavailable
from fapiao.service.records import RecordsImportError
from fapiao.service.review import OpenErrors

PROBLEM = "application/problem+json"
log = logging.getLogger(__name__)


class Problem(BaseModel):
    """RFC 9457 problem details, with a ``hint`` saying what to do."""

    model_config = ConfigDict(extra="allow")
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    hint: str | None = None
    error_code: str | None = Field(default=None, description="The message's stable code, when it has one.")
    error_params: dict[str, Any] | None = Field(default=None, description="Its parameters, by name.")


class InvalidField(BaseModel):
    loc: list[str | int] = Field(description="Where: body, query, path, then the field.")
    msg: str


class ValidationProblem(Problem):
    """A 422: the request does not match the API (``errors`` says where), or a value is not valid."""

    errors: list[InvalidField] | None = Field(default=None, description="Present when the request is malformed.")


PROBLEM_MODELS: list[type[BaseModel]] = [Problem, ValidationProblem]
"""Published as components of /openapi.json (``install``); a route adds its own (``problem_response``)."""


def problem_response(description: str, model: type[BaseModel] = Problem) -> dict[str, Any]:
    """An error answer for ``responses=``: a problem document, named in the OpenAPI document."""
    if model not in PROBLEM_MODELS:
        PROBLEM_MODELS.append(model)
    return {
        "description": description,
        "content": {PROBLEM: {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}},
    }


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: problem_response("Bad request"),
    401: problem_response("No or unknown API key"),
    403: problem_response("The key's role does not allow this"),
    404: problem_response("Not found"),
    409: problem_response("Changed by someone else: reload and try again"),
    413: problem_response("Too large"),
    415: problem_response("Unsupported file type"),
    422: problem_response("Invalid request or value", ValidationProblem),
    500: problem_response("Internal error (logged on the server; no details are sent)"),
}
"""Documented on every API route, so integrators (and schemathesis) know every error is a problem document."""


HTTP_STATUS: dict[type[FapiaoError], int] = {
    UnsupportedFormat: 415,
    LimitExceeded: 413,
    NotFound: 404,
    PageUnavailable: 404,
    FolderNotAllowed: 403,
    Conflict: 409,
    DraftStateError: 409,
    NothingToExport: 409,
    OpenErrors: 409,
    InvalidEdit: 422,
    RecordsImportError: 422,
    BackfillError: 422,
}
"""The one place domain errors become HTTP statuses (the errors themselves know no HTTP); a subclass takes
its nearest listed ancestor's status, anything else is 422 (the request is understood, the content is not)."""


def http_status(exc: FapiaoError) -> int:
    return next((HTTP_STATUS[c] for c in type(exc).__mro__ if c in HTTP_STATUS), 422)


def problem(status: int, title: str, detail: str, hint: str | None = None, **extra) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if hint:
        body["hint"] = hint
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def install(app: FastAPI) -> None:
    _publish(app)

    @app.exception_handler(FapiaoError)
    async def _fapiao(_: Request, exc: FapiaoError):
        coded_message = coded("error", exc.msg) if exc.msg is not None else {}  # for a client in another language
        return problem(http_status(exc), exc.code, exc.message, exc.hint, **coded_message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException):
        hint = getattr(exc, "hint", None) or (_ROUTE_HINT if exc.status_code in (404, 405) else None)
        return _with_headers(exc, hint)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):  # a bug: logged here, never sent to the client
        log.error("unhandled error in %s %s", request.method, request.url.path, exc_info=exc)
        return problem(
            500,
            "internal error",
            "the server failed on this request; the error is logged",
            "try again later; if it persists, tell the administrator the time of the request",
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError):
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg")} for e in exc.errors()]
        return problem(
            422,
            "invalid request",
            "the request does not match the API",
            "see /docs for the expected shape",
            errors=errors,
        )


def _publish(app: FastAPI) -> None:
    """Add the problem models to the components of /openapi.json: FastAPI names a ``responses`` model only under
    the route's own media type, and problems are ``application/problem+json``."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        spec = app.openapi_schema
        if spec is None:
            spec = generate()
            _, defs = models_json_schema(
                [(m, "serialization") for m in PROBLEM_MODELS], ref_template="#/components/schemas/{model}"
            )
            schemas = spec.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in defs.get("$defs", {}).items():
                schemas.setdefault(name, schema)
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def _with_headers(exc: StarletteHTTPException, hint: str | None) -> JSONResponse:
    resp = problem(exc.status_code, _TITLES.get(exc.status_code, "error"), str(exc.detail), hint)
    for k, v in (exc.headers or {}).items():
        resp.headers[k] = v
    return resp


class ApiError(StarletteHTTPException):
    """An HTTP error that carries a hint saying what to do."""

    def __init__(self, status: int, detail: str, hint: str | None = None, headers: dict | None = None) -> None:
        super().__init__(status_code=status, detail=detail, headers=headers)
        self.hint = hint


_ROUTE_HINT = "check the method and path against the API description at /docs"
_TITLES = {
    400: "bad request",
    401: "unauthorized",
    403: "forbidden",
    404: "not found",
    409: "conflict",
    412: "precondition failed",
    413: "too large",
    415: "unsupported media type",
    422: "invalid request",
}
