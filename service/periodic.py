"""A daemon thread that runs one job every few seconds until stopped: the drop folder's scan, the alert
webhook, a Celery worker's watch for abandoned jobs. A failing round is logged and the next one runs — a
database or broker away for a moment must not end the loop."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Periodic:
    def __init__(self, name: str, interval_s: float, job: Callable[[], object], *, wait_first: bool = False) -> None:
        self.name = name
        self.interval_s = interval_s
        self.job = job
        self.wait_first = wait_first
        """Wait one interval before the first round (when the caller has just done the same work)."""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)

    def _run(self) -> None:
        if self.wait_first and self._stop.wait(self.interval_s):
            return
        while not self._stop.is_set():
            try:
                self.job()
            except Exception:
                log.exception("%s: this round failed; trying again in %.0f s", self.name, self.interval_s)
            self._stop.wait(self.interval_s)
