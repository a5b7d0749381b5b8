"""Database engine and session handling: SQLite (WAL, foreign keys on) by default, PostgreSQL by URL.

One set of SQLAlchemy models serves both; Alembic migrations create the schema (``fapiao.storage.migrate``).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from fapiao.core.errors import Conflict

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
    """A transaction: committed when the block ends, rolled back when it raises. A row with a ``version``
    that someone else changed between our read and our write (the loser of two simultaneous edits) is a
    Conflict, like a stale version sent by the client."""
    session = factory()
    try:
        yield session
        session.commit()
    except StaleDataError as exc:
        session.rollback()
        raise Conflict(
            "it was changed by someone else at the same moment", hint="reload it, then apply your change again"
        ) from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


RETRIED_SQLSTATES = frozenset({"40P01", "40001"})
"""PostgreSQL deadlock_detected and serialization_failure: the transaction lost a race and may simply run again."""


def retry_on_conflict(transaction: Callable[[], T], attempts: int = 4) -> T:
    """Run ``transaction`` (which opens and commits its own session) again when a concurrent writer inserted
    the same unique key first (two imports learning the same new party, say), or when the database chose it
    as the victim of a deadlock: the retry reads what the other committed and merges into it, so neither
    write is lost."""
    for attempt in range(attempts):
        try:
            return transaction()
        except (IntegrityError, OperationalError) as exc:
            retried = isinstance(exc, IntegrityError) or getattr(exc.orig, "sqlstate", None) in RETRIED_SQLSTATES
            if not retried or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def serialize(session: Session, name: str) -> None:
    """Make the rest of this transaction wait for any other transaction that called ``serialize`` with the
    same ``name`` (check-then-insert work such as creating drafts must not interleave). PostgreSQL: an
    advisory lock held until commit; SQLite: the write lock, taken now instead of at the first write."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": zlib.crc32(name.encode())})
    elif conn.dialect.name == "sqlite" and not conn.connection.dbapi_connection.in_transaction:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def page_of(session: Session, stmt, order_by, page: int, size: int) -> tuple[int, list]:
    """One page of ``stmt``'s rows (1-based ``page``) and the total number of rows."""
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.order_by(*order_by).offset((page - 1) * size).limit(size)).all()
    return total or 0, list(rows)
