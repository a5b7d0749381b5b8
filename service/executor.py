"""The default job runner: worker threads in the service process that take queued documents from the
database. It needs no broker; after a crash or restart, interrupted jobs are requeued and picked up."""

from __future__ import annotations

import logging
import threading

from fapiao.service.context import ServiceContext
from fapiao.service.processing import next_queued, process_document, requeue_interrupted, worker_name

log = logging.getLogger(__name__)


class LocalExecutor:
    def __init__(self, ctx: ServiceContext, threads: int = 1, poll_seconds: float = 2.0) -> None:
        self.ctx = ctx
        self.threads = threads
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []

    def start(self) -> None:
        requeued = requeue_interrupted(self.ctx)
        if requeued:
            log.info("requeued %d interrupted job(s)", requeued)
        for i in range(self.threads):
            t = threading.Thread(target=self._run, name=f"fapiao-executor-{i}", daemon=True)
            t.start()
            self._workers.append(t)

    def notify(self) -> None:
        """A document was queued: wake a worker now instead of at the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        for t in self._workers:
            t.join(timeout)

    def _run(self) -> None:
        name = f"{worker_name()}:{threading.current_thread().name}"
        while not self._stop.is_set():
            try:
                ids = next_queued(self.ctx)
                for doc_id in ids:
                    if self._stop.is_set():
                        return
                    process_document(self.ctx, doc_id, name)
            except Exception:  # keep serving: one broken job or a database hiccup must not stop the worker
                log.exception("executor loop error")
                ids = []
            if not ids:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()
