"""Liveness and Prometheus metrics."""

from __future__ import annotations

from typing import Literal

from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from sqlalchemy import func, select, text

from fapiao.api.deps import Admin, Ctx
from fapiao.api.models.base import Answer
from fapiao.api.routing import api_router
from fapiao.service.alerts import counts as alert_counts
from fapiao.service.alerts import current as current_alerts
from fapiao.storage.db import session_scope
from fapiao.storage.service_tables import Document, ExtractedInvoice

router = api_router("", "health")


class Health(Answer):
    status: Literal["ok"]


@router.get(
    "/health",
    summary="Liveness: the process answers and the database is reachable (no key needed)",
    response_model=Health,
)
def health(ctx: Ctx) -> dict:
    with session_scope(ctx.sessions) as s:
        s.execute(text("SELECT 1"))
    return {"status": "ok"}


@router.get(
    "/metrics",
    summary="Prometheus metrics (admin key: set it as the scrape job's bearer token)",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {}}}},
)
def metrics(ctx: Ctx, _: Admin) -> Response:
    registry = CollectorRegistry()
    docs = Gauge("fapiao_documents", "Documents by job status", ["status"], registry=registry)
    invoices = Gauge(
        "fapiao_invoices", "Extracted invoices by decision and review state", ["status", "review"], registry=registry
    )
    with session_scope(ctx.sessions) as s:
        for status, n in s.execute(select(Document.status, func.count()).group_by(Document.status)):
            docs.labels(status).set(n)
        for status, review, n in s.execute(
            select(ExtractedInvoice.status, ExtractedInvoice.review, func.count()).group_by(
                ExtractedInvoice.status, ExtractedInvoice.review
            )
        ):
            invoices.labels(status, review).set(n)
    alerts = Gauge("fapiao_alerts", "Current alerts by kind (see GET /api/v1/alerts)", ["kind"], registry=registry)
    for kind, n in alert_counts(current_alerts(ctx)).items():
        alerts.labels(kind).set(n)
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
