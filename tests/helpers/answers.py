"""Watching FastAPI hold answers to their response models: every answer serialized through a model is compared
with what the route returned (as FastAPI would have sent it without the model), so a key the model drops, a
value it changes or a default it adds is seen. The routes each answer came from are recorded."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import fastapi.routing
import pytest
from fastapi.encoders import jsonable_encoder


@dataclass
class Answers:
    routes: set[str] = field(default_factory=set)
    """``"GET /api/v1/invoices/{invoice_id}"`` for every route whose answer went through its model."""
    altered: list[str] = field(default_factory=list)
    """What a model changed, per answer."""


def watch(monkeypatch: pytest.MonkeyPatch) -> Answers:
    seen = Answers()
    serialize = fastapi.routing.serialize_response

    async def compared(**kwargs: Any) -> Any:
        out = await serialize(**kwargs)
        if kwargs.get("field") is not None:
            route = (kwargs.get("endpoint_ctx") or {}).get("path", "?")
            sent = json.loads(out) if isinstance(out, bytes | bytearray) else out
            returned = jsonable_encoder(kwargs["response_content"])
            seen.routes.add(route)
            if sent != returned:
                seen.altered.append(f"{route}: {_difference(returned, sent)}")
        return out

    monkeypatch.setattr(fastapi.routing, "serialize_response", compared)
    return seen


def _difference(returned: Any, sent: Any, path: str = "$") -> str:
    """The first place where the answer sent differs from what the route returned."""
    if isinstance(returned, dict) and isinstance(sent, dict):
        if set(returned) != set(sent):
            return f"{path}: dropped {sorted(set(returned) - set(sent))}, added {sorted(set(sent) - set(returned))}"
        return next(
            (_difference(returned[k], sent[k], f"{path}.{k}") for k in returned if returned[k] != sent[k]), path
        )
    if isinstance(returned, list) and isinstance(sent, list) and len(returned) == len(sent):
        return next(
            (_difference(r, s, f"{path}[{i}]") for i, (r, s) in enumerate(zip(returned, sent, strict=True)) if r != s),
            path,
        )
    return f"{path}: returned {returned!r}, sent {sent!r}"
