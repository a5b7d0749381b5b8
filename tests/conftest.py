"""The test tiers (`make test-fast` runs `-m "not slow and not live"`; `make test` runs everything).

- ``live``: needs the local PostgreSQL or Redis. Every test run against the ``postgresql`` side of the
  service's ``database_url`` fixture gets it here; modules that need them throughout say so themselves.
- ``slow``: subprocesses, kill -9, the OCR models, fuzzing and the browser. Tests that use the fixtures
  below (the real OCR engine, a browser, a uvicorn server) get it here; whole modules mark themselves with
  ``pytestmark``.
"""

from __future__ import annotations

import pytest

SLOW_FIXTURES = frozenset({"rapid_engine", "browser_page", "live_server"})
"""Fixtures that load the OCR models, start Chromium or serve over a real socket."""
LIVE_FIXTURES = frozenset({"pg_schema_url"})
"""Fixtures that need the local PostgreSQL."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("database_url") == "postgresql":
            item.add_marker(pytest.mark.live)
        fixtures = getattr(item, "fixturenames", ())
        if SLOW_FIXTURES.intersection(fixtures):
            item.add_marker(pytest.mark.slow)
        if LIVE_FIXTURES.intersection(fixtures):
            item.add_marker(pytest.mark.live)
