"""Database tests run against a temporary SQLite file and the real PostgreSQL: one fresh schema per test session
(dropped at the end, so nothing collides with other data in the `test` database), migrated with Alembic, and
emptied after every test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

import fapiao.storage.tables  # noqa: F401
from fapiao.storage.db import Base, make_engine, session_factory
from fapiao.storage.migrate import upgrade
from tests.helpers.pg import drop_schema

PG_URL = os.environ.get("FAPIAO_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def engine(request, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path_factory.mktemp('db') / 'fapiao.db'}")
        upgrade(eng)
        yield eng
        eng.dispose()
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # pragma: no cover - this machine has PostgreSQL; say so loudly if not
        pytest.fail(f"PostgreSQL at {PG_URL} is not reachable: {exc}")
    eng = make_engine(f"{PG_URL}?options=-csearch_path%3D{schema}")
    try:
        upgrade(eng)
        yield eng
    finally:
        eng.dispose()
        drop_schema(admin, schema)
        admin.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """A session factory on the migrated database; every table is emptied afterwards."""
    yield session_factory(engine)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
