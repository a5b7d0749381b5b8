"""Input limits every loader and the service share (the settings build them; loaders enforce them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LoadLimits:
    """Refuse oversized input before spending memory on it (decompression bombs, 10,000-page PDFs)."""

    max_bytes: int = 50 * 1024 * 1024
    max_pages: int = 50
    max_pixels: int = 80_000_000
    render_dpi: int = 200
    """Resolution at which pages without a text layer are rendered for OCR."""
