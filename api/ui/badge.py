"""The alert count in the top bar. Every reviewer page shows it, but the alert queries scan the invoices
(about 0.2 s for 100,000 and 1 s for a million on SQLite), so no page waits for them but the first one after
the process starts: the count is kept on the app's state, and once it is older than ``TTL_S`` the next page
shows it as it was while one background thread recounts. The alerts page always counts afresh and stores the
result. A failure leaves the previous count (or none) and never breaks a page."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from fastapi import FastAPI

from fapiao.service import alerts

log = logging.getLogger(__name__)

TTL_S = 30.0
_lock = threading.Lock()
"""Held while a count is being made, so that at most one runs at a time."""


@dataclass(frozen=True)
class Badge:
    count: int
    severity: str | None
    """``error`` when any alert is an error, else ``warning`` when there are alerts, else ``None``."""
    at: float


def alert_badge(app: FastAPI) -> Badge | None:
    cached: Badge | None = getattr(app.state, "ui_alert_badge", None)
    if cached is None:
        with _lock:  # the first page of the process waits for the first count
            cached = getattr(app.state, "ui_alert_badge", None)
            return cached if cached is not None else _count(app)
    if time.monotonic() - cached.at >= TTL_S and _lock.acquire(blocking=False):
        threading.Thread(target=_recount, args=(app,), name="fapiao-ui-alert-count", daemon=True).start()
    return cached


def _recount(app: FastAPI) -> None:
    try:
        _count(app)
    finally:
        _lock.release()


def _count(app: FastAPI) -> Badge | None:
    try:
        return remember(app, alerts.current(app.state.ctx))
    except Exception:  # a convenience only: the page renders without a fresh count
        log.exception("alert count for the navigation failed")
        return getattr(app.state, "ui_alert_badge", None)


def remember(app: FastAPI, found: list[alerts.Alert]) -> Badge:
    severity = "error" if any(a.severity == "error" for a in found) else "warning" if found else None
    badge = Badge(len(found), severity, time.monotonic())
    app.state.ui_alert_badge = badge
    return badge
