"""Database engine and session handling: SQLite (WAL, foreign keys on) by default, PostgreSQL by URL.

One set of SQLAlchemy models serves both; Alembic migrations create the schema (``intake.storage.migrate``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker


T = TypeVar("T")


class Base(DeclarativeBase):
    """Declarative base of every table."""


def make_engine(url: str, **kwargs) -> Engine:
    """An engine for ``url``; SQLite gets WAL journaling, foreign keys and a busy timeout for concurrent writers."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A transaction: committed when the block ends, rolled back when it raises."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def retry_on_conflict(transaction: Callable[[], T], attempts: int = 4) -> T:
    """Run ``transaction`` (which opens and commits its own session) again when a concurrent writer inserted
    the same unique key first (two imports learning the same new party, say): the retry reads what the other
    committed and merges into it, so neither write is lost."""
    for attempt in range(attempts):
        try:
            return transaction()
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def page_of(session: Session, stmt, order_by, page: int, size: int) -> tuple[int, list]:
    """One page of ``stmt``'s rows (1-based ``page``) and the total number of rows."""
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.order_by(*order_by).offset((page - 1) * size).limit(size)).all()
    return total, list(rows)
