"""Budgets of the property-based fuzz tests (tests/**/test_fuzz_*.py, tests/service/test_api_fuzz.py): short
and reproducible by default (a fixed example sequence, so CI never flakes), longer and freshly random on
demand:

    FAPIAO_FUZZ_EXAMPLES=5000 .venv/bin/pytest -q tests/intake/test_fuzz_parsers.py \
        tests/matching/test_fuzz_records_import.py tests/service/test_api_fuzz.py

``FAPIAO_FUZZ_EXAMPLES`` replaces every fuzz test's ``max_examples`` and switches derandomisation off."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

ENV = "FAPIAO_FUZZ_EXAMPLES"


def examples(default: int) -> int:
    """``default`` in CI; the number in FAPIAO_FUZZ_EXAMPLES for a longer run."""
    value = os.environ.get(ENV)
    return int(value) if value else default


def fuzz(default: int = 200) -> settings:
    longer = bool(os.environ.get(ENV))
    return settings(
        max_examples=examples(default),
        deadline=None,
        derandomize=not longer,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
