"""Domain errors know no HTTP: api/problems.py maps them to statuses in one table, by class."""

from __future__ import annotations

from fapiao.api.problems import HTTP_STATUS, http_status
from fapiao.core.errors import CorruptDocument, FapiaoError, NotFound
from fapiao.matching.drafts import DraftStateError
from fapiao.ocr.engines.base import OcrEngineUnavailable
from fapiao.service.backfills import FolderNotAllowed


def _subclasses(cls: type) -> set[type]:
    return {c for sub in cls.__subclasses__() for c in (sub, *_subclasses(sub))}


def test_statuses_come_from_the_table_by_class() -> None:
    assert http_status(NotFound("x")) == 404
    assert http_status(DraftStateError("x")) == 409
    assert http_status(FolderNotAllowed("x")) == 403
    assert http_status(CorruptDocument("x")) == 422  # not listed: the content is not understood
    assert http_status(OcrEngineUnavailable("x")) == 422


def test_no_domain_error_carries_an_http_status() -> None:
    assert HTTP_STATUS
    assert [c.__name__ for c in _subclasses(FapiaoError) | {FapiaoError} if hasattr(c, "http_status")] == []
