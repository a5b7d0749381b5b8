"""The service as it runs: its context with the listeners registered. Every process that runs jobs (the
server, a Celery worker, a command) starts from here, so a document's end reaches every listener wherever
the job ran, and the lower modules never import the ones that react to them (paperless does this with signals)."""

from __future__ import annotations

from fapiao.core.settings import Settings
from fapiao.service import backfills
from fapiao.service.context import ServiceContext, build_context


def start_service(settings: Settings) -> ServiceContext:
    """Build the context (migrations applied) and register the ``document_finished`` listeners."""
    ctx = build_context(settings)
    ctx.document_finished.append(backfills.document_finished)
    return ctx
