"""Importing this module registers every table on ``Base.metadata`` (for Alembic and for tests)."""

from intake.storage import service_tables  # noqa: F401
