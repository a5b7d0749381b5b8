"""Fixtures for OCR tests: rendered invoice-like pages (see pages.py) and the shared real engine."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pages import render_page  # noqa: E402


@pytest.fixture(scope="session")
def page():
    """A clean 200 dpi render and its ground-truth texts."""
    return render_page(seed=1)


@pytest.fixture(scope="session")
def page_no_qr():
    return render_page(seed=2, with_qr=False)


@pytest.fixture(scope="session")
def rapid_engine():
    """The process-wide RapidOCR engine (models from the wheel; loads in well under a second)."""
    from fapiao.ocr.engines import get_engine
    from fapiao.ocr.settings import OcrSettings

    return get_engine(OcrSettings(engine="rapidocr"))
