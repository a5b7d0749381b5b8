"""All configuration in one place: environment variables (prefix ``FAPIAO_``) or a ``.env`` file.

Components receive the values they need (frozen options objects); nothing reads settings globally deep inside
a stage.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from fapiao.core.confidence import DEFAULT_THRESHOLD
from fapiao.core.limits import LoadLimits


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FAPIAO_", env_file=".env", extra="ignore")

    data_dir: Path = Path("./data")
    """Originals, the SQLite database, the drop folder and exports live here."""
    database_url: str | None = None
    """Default: SQLite (WAL) at ``<data_dir>/fapiao.db``; PostgreSQL: ``postgresql+psycopg://user@host/db``."""
    broker_url: str | None = None
    """Set (e.g. ``redis://127.0.0.1:6379/0``) to send jobs to Celery workers instead of the in-process executor."""
    confidence_threshold: float = Field(DEFAULT_THRESHOLD, ge=0.0, le=1.0)
    own_tax_ids: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Comma-separated: the company's own tax IDs (a buyer that is none of them is flagged)."""
    max_upload_bytes: int = 50 * 1024 * 1024
    max_request_bytes: int = 256 * 1024 * 1024
    """Largest multipart request outside back-fills (several files of up to ``max_upload_bytes`` each); counted
    while it streams, so a body without ``Content-Length`` is cut off there too."""
    max_json_bytes: int = 1024 * 1024
    """Largest JSON or plain form body."""
    max_pages: int = 50
    max_pixels: int = 80_000_000
    drop_folder: bool = True
    """Watch ``<data_dir>/inbox`` and ingest files put there."""
    workers: int = Field(1, ge=1, le=32)
    """Threads of the in-process executor (no broker)."""
    job_timeout_minutes: int = Field(30, ge=1)
    """With shared Celery workers, a job `processing` for longer than this is taken to be abandoned."""
    ocr: bool = True
    backfill_roots: Annotated[list[Path], NoDecode] = Field(default_factory=list)
    """Comma-separated folders on the server from which back-fills may read (default: ``<data_dir>/backfill``);
    nothing outside them can be named through the API."""
    max_backfill_bytes: int = 4 * 1024 * 1024 * 1024
    """Largest zip accepted for a back-fill upload."""
    max_backfill_unpacked_bytes: int = 16 * 1024 * 1024 * 1024
    """Most bytes one back-fill's zip members may unpack to in all (members past it are refused)."""
    alert_review_hours: float = Field(72.0, gt=0)
    """An invoice waiting in needs-review longer than this is an alert."""
    alert_import_max_age_hours: float = Field(48.0, gt=0)
    """The newest records import older than this is an alert (the system's list is out of date)."""
    alert_webhook_url: str | None = None
    """When set, new alerts are POSTed there as JSON (``{"alerts": [...]}``), each once."""
    alert_interval_minutes: float = Field(10.0, gt=0)
    """How often the service looks for new alerts to post."""

    @field_validator("own_tax_ids", "backfill_roots", mode="before")
    @classmethod
    def _split(cls, v):
        if isinstance(v, str):
            return [part.strip() for part in v.split(",") if part.strip()]
        return v

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'fapiao.db').resolve()}"

    @property
    def allowed_backfill_roots(self) -> list[Path]:
        return [p.resolve() for p in (self.backfill_roots or [self.data_dir / "backfill"])]

    @property
    def limits(self) -> LoadLimits:
        return LoadLimits(max_bytes=self.max_upload_bytes, max_pages=self.max_pages, max_pixels=self.max_pixels)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
