"""Service tests run against a real SQLite file and the real PostgreSQL on this machine (a fresh schema per
test, dropped afterwards)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from fapiao.api.app import create_app
from fapiao.core.settings import Settings
from tests.helpers.answers import Answers, watch
from tests.helpers.pg import drop_schema

PG_URL = os.environ.get("FAPIAO_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def answers(monkeypatch: pytest.MonkeyPatch) -> Iterator[Answers]:
    """Every JSON answer of every service test is what its route returned: its response model validates and
    documents it, but drops, changes and adds nothing."""
    seen = watch(monkeypatch)
    yield seen
    assert seen.altered == [], "a response model altered answers:\n" + "\n".join(seen.altered)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fapiao.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # pragma: no cover - the CI machine has PostgreSQL; say so loudly if not
        pytest.fail(f"PostgreSQL at {PG_URL} is not reachable: {exc}")
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        drop_schema(admin, schema)
        admin.dispose()


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A fresh PostgreSQL schema (dropped afterwards), for tests that run on PostgreSQL only."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    drop_schema(admin, schema)
    admin.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, drop_folder=False, ocr=False, _env_file=None)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def make_key(client: TestClient, role: str) -> dict[str, str]:
    from fapiao.service.keys import create_key

    return {"Authorization": f"Bearer {create_key(client.app.state.ctx, role, f'test-{role}')}"}
