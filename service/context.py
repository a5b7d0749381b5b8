"""Everything the service's parts share, built once per process from Settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from fapiao.core.settings import Settings
from fapiao.intake.pipeline import Pipeline, PipelineOptions
from fapiao.intake.verify import VerifyOptions
from fapiao.storage.blobs import BlobStore
from fapiao.storage.db import make_engine, session_factory, session_scope
from fapiao.storage.migrate import upgrade
from fapiao.storage.records import known_names


@dataclass
class ServiceContext:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    blobs: BlobStore
    pipeline: Pipeline
    document_finished: list[Callable[[ServiceContext, str], None]] = field(default_factory=list)
    """Called with each document id whose job ended (done or failed); registered at start by
    ``fapiao.service.runtime``, so processing needs to know nothing of who listens (back-fills do)."""

    def close(self) -> None:
        self.engine.dispose()


def build_context(settings: Settings) -> ServiceContext:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.db_url)
    upgrade_schema(engine)
    sessions = session_factory(engine)
    options = PipelineOptions(
        limits=settings.limits,
        ocr=settings.ocr,
        verify=VerifyOptions(
            confidence_threshold=settings.confidence_threshold,
            own_tax_ids=frozenset(settings.own_tax_ids),
            parties=_parties_in_db(sessions),
        ),
    )
    return ServiceContext(
        settings=settings,
        engine=engine,
        sessions=sessions,
        blobs=BlobStore(settings.data_dir / "originals"),
        pipeline=Pipeline(options),
    )


def _parties_in_db(sessions: sessionmaker[Session]):
    """The party master as it is at each verification (records imports and confirmations keep adding to it)."""

    def lookup(tid: str) -> list[str]:
        with session_scope(sessions) as s:
            return known_names(s, tid)

    return lookup


def upgrade_schema(engine: Engine) -> None:
    """Bring the schema up to date with the Alembic migrations (on every start and by `fapiao db upgrade`)."""
    upgrade(engine)
