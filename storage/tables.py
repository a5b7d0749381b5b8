"""Importing this module registers every table on ``Base.metadata`` (for Alembic and for tests)."""

from fapiao.storage import backfill_tables, matching_tables, service_tables  # noqa: F401
