"""Scale-out: with FAPIAO_BROKER_URL set, jobs go to Celery workers (`fapiao worker`) over Redis. The task
carries only the document id; the worker runs the same `process_document` against the shared database and
originals store. Tasks are acknowledged late, and claiming is a conditional update, so a job redelivered
after a worker died is processed once."""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from functools import lru_cache

from celery import Celery
from celery.signals import worker_ready

from fapiao.core.settings import Settings, get_settings
from fapiao.service.context import ServiceContext
from fapiao.service.periodic import Periodic
from fapiao.service.processing import next_queued, process_document, requeue_abandoned
from fapiao.service.runtime import start_service

log = logging.getLogger(__name__)
TASK = "fapiao.process_document"


@lru_cache(maxsize=4)
def celery_for(broker_url: str) -> Celery:
    app = Celery("fapiao", broker=broker_url)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
    )
    app.task(name=TASK)(_run_task)
    return app


_ctx: tuple[int, ServiceContext] | None = None
_ctx_lock = threading.Lock()


def _worker_ctx() -> ServiceContext:
    """One context per process: a forked pool child must not reuse its parent's database connections."""
    global _ctx
    with _ctx_lock:
        if _ctx is None or _ctx[0] != os.getpid():
            _ctx = (os.getpid(), start_service(get_settings()))
        return _ctx[1]


def _run_task(doc_id: str) -> str:
    return process_document(_worker_ctx(), doc_id)


def dispatch_remote(settings: Settings, doc_id: str) -> None:
    celery_for(settings.broker_url).send_task(TASK, args=[doc_id])


def sweep(ctx: ServiceContext, settings: Settings) -> int:
    """Requeue jobs abandoned by dead workers and (re)send every queued job; duplicates are harmless."""
    requeue_abandoned(ctx, older_than=dt.timedelta(minutes=settings.job_timeout_minutes))
    ids = next_queued(ctx, limit=10_000)
    for doc_id in ids:
        dispatch_remote(settings, doc_id)
    return len(ids)


def resend_at_start(ctx: ServiceContext, settings: Settings) -> int:
    """`fapiao serve` with a broker, at start: a job is committed `queued` before it is sent, so a serve that
    died between the two, or a send Redis refused, left a job no worker will hear of. Every queued job is sent
    again; a duplicate is harmless (processing claims the job by a conditional update). Never raises: a broker
    that is down is logged, and the workers' own sweep at their start sends the jobs then."""
    try:
        n = sweep(ctx, settings)
    except Exception:
        log.exception("serve start: queued jobs could not be sent again; a worker sends them when it starts")
        return 0
    log.info("serve start: %d queued job(s) sent again", n)
    return n


WATCH_SECONDS = 30.0


def requeue_and_resend(ctx: ServiceContext, settings: Settings) -> None:
    """Jobs of processes that died on this machine, and jobs older than the timeout (a worker that died
    elsewhere), are requeued and sent again, without waiting for a worker to restart."""
    for doc_id in requeue_abandoned(ctx, older_than=dt.timedelta(minutes=settings.job_timeout_minutes)):
        dispatch_remote(settings, doc_id)


@worker_ready.connect
def _on_worker_ready(**_kwargs) -> None:
    settings = get_settings()
    if settings.broker_url:
        ctx = _worker_ctx()
        n = sweep(ctx, settings)
        log.info("worker ready; %d queued job(s) sent", n)
        Periodic("fapiao-watch", WATCH_SECONDS, lambda: requeue_and_resend(ctx, settings), wait_first=True).start()


def run_worker(settings: Settings, concurrency: int = 1, loglevel: str = "INFO") -> None:
    app = celery_for(settings.broker_url)
    app.worker_main(
        [
            "worker",
            f"--concurrency={concurrency}",
            f"--loglevel={loglevel}",
            "--pool=prefork",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
    )
