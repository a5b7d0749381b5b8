"""The routes of the app and the role each one requires, for the per-role authorisation tests."""

from __future__ import annotations

from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from fapiao.api.ui.auth import UiRoute


def required_role(route: APIRoute) -> str | None:
    """The role named by the route's ``require(role)`` dependency (API key or UI session), if any."""
    todo = list(route.dependant.dependencies)
    while todo:
        dep = todo.pop()
        call = dep.call
        if getattr(call, "__qualname__", "").endswith("require.<locals>.check") and call.__closure__:
            return dict(zip(call.__code__.co_freevars, (c.cell_contents for c in call.__closure__), strict=False))[
                "role"
            ]
        todo += dep.dependencies
    return None


def app_routes(client: TestClient, ui: bool) -> list[tuple[str, str, APIRoute]]:
    """(method, path, route) of every API route (``ui=False``) or every UI route (``ui=True``)."""
    out = []
    for c in iter_route_contexts(client.app.routes):
        route = c.route
        if not isinstance(route, APIRoute) or isinstance(route, UiRoute) != ui:
            continue
        for method in sorted(route.methods - {"HEAD"}):
            out.append((method, c.path, route))
    return out


def answers_json(route: APIRoute) -> bool:
    """The route answers JSON (not a file download, an image or a stream)."""
    cls = getattr(route.response_class, "value", route.response_class)  # a DefaultPlaceholder holds the default
    return issubclass(cls, JSONResponse)


def json_routes(client: TestClient) -> list[tuple[str, str, APIRoute]]:
    """(method, path, route) of every API route that answers JSON."""
    return [r for r in app_routes(client, ui=False) if answers_json(r[2])]
