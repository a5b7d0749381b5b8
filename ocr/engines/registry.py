"""Chooses the OCR engine from configuration and keeps one instance per process.

Loading PP-OCR models costs a fraction of a second and ~100 MB, so every caller in a process (API workers'
threads, the bulk executor) shares one engine. Initialisation is lazy and guarded by a lock so two threads
never load the models twice; a forked child starts with an empty cache because ONNX Runtime sessions do not
survive ``fork``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

from fapiao.ocr.engines.base import OcrEngine, OcrEngineUnavailable
from fapiao.ocr.settings import OcrSettings

EngineFactory = Callable[[OcrSettings], OcrEngine]


def _rapid(settings: OcrSettings) -> OcrEngine:
    from fapiao.ocr.engines.rapid import RapidOcrEngine

    return RapidOcrEngine(settings)


def _paddle(settings: OcrSettings) -> OcrEngine:
    from fapiao.ocr.engines.paddle import PaddleOcrEngine

    return PaddleOcrEngine(settings)


def _replay(settings: OcrSettings) -> OcrEngine:
    from fapiao.ocr.engines.replay import ReplayEngine

    return ReplayEngine(settings)


ENGINES: dict[str, EngineFactory] = {"rapidocr": _rapid, "paddleocr": _paddle, "replay": _replay}
"""Engine name (``FAPIAO_OCR_ENGINE``) → factory. Imports happen inside factories so an optional engine's
missing packages only matter when it is chosen."""

_lock = threading.Lock()
_engines: dict[OcrSettings, OcrEngine] = {}


def get_engine(settings: OcrSettings | None = None) -> OcrEngine:
    """The process-wide engine for ``settings`` (default: from the environment), created on first use."""
    settings = settings if settings is not None else OcrSettings()
    engine = _engines.get(settings)
    if engine is not None:
        return engine
    with _lock:
        engine = _engines.get(settings)
        if engine is None:
            factory = ENGINES.get(settings.engine)
            if factory is None:  # pragma: no cover - the settings type already restricts the name
                raise OcrEngineUnavailable(
                    f"unknown OCR engine {settings.engine!r}",
                    hint=f"set FAPIAO_OCR_ENGINE to one of {', '.join(ENGINES)}",
                )
            engine = factory(settings)
            _engines[settings] = engine
    return engine


def clear_engines() -> None:
    """Close and forget every cached engine (after a configuration change; the next call loads afresh)."""
    with _lock:
        for engine in _engines.values():
            engine.close()
        _engines.clear()


def _after_fork() -> None:
    global _lock
    _lock = threading.Lock()
    _engines.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)
