"""UI tests run the real app on a SQLite file in a temporary data directory (the UI adds no SQL of its own;
the shared queries are exercised on PostgreSQL by tests/service)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from intake.settings import Settings

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "examples" / "e_special.pdf"


@pytest.fixture
def ui_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'fapiao.db'}", drop_folder=False,
                    ocr=False, _env_file=None)


@pytest.fixture
def client(ui_settings: Settings) -> Iterator[TestClient]:
    # https base URL so that the Secure cookie attribute is exercised too.
    with TestClient(create_app(ui_settings), base_url="https://testserver", follow_redirects=False) as c:
        yield c


def new_key(client: TestClient, role: str) -> str:
    from intake.service.keys import create_key

    return create_key(client.app.state.ctx, role, f"ui-{role}")
