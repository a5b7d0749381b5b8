"""Dropping a test's PostgreSQL schema. A process the test started (a server, a Celery worker, a thread of
the service) may still be finishing a query in that schema when the test ends; DROP … CASCADE then meets its
locks and PostgreSQL may break the tie by aborting the DROP as a deadlock. The drop is retried until those
stragglers are gone, so a test is never reported failed for its own clean-up."""

from __future__ import annotations

import time

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

ATTEMPTS = 20
PAUSE_S = 0.5


def drop_schema(admin: Engine, schema: str) -> None:
    """``DROP SCHEMA schema CASCADE`` on an AUTOCOMMIT engine, retried on deadlock or lock contention."""
    for attempt in range(ATTEMPTS):
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            return
        except OperationalError:
            if attempt == ATTEMPTS - 1:
                raise
            time.sleep(PAUSE_S)
