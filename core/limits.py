"""Input limits every loader and the service share (the settings build them; loaders enforce them)."""

from __future__ import annotations

from dataclasses import dataclass

from fapiao.core.errors import FapiaoError, LimitExceeded, UnsupportedFormat
from fapiao.core.messages import Message


@dataclass(frozen=True)
class LoadLimits:
    """Refuse oversized input before spending memory on it (decompression bombs, 10,000-page PDFs)."""

    max_bytes: int = 50 * 1024 * 1024
    max_pages: int = 50
    max_pixels: int = 80_000_000
    render_dpi: int = 200
    """Resolution at which pages without a text layer are rendered for OCR."""


def check_size(
    data: bytes,
    name: str,
    max_bytes: int,
    *,
    what: str = "file",
    empty_hint: str = "check that the upload or copy finished",
    empty_error: type[FapiaoError] = UnsupportedFormat,
) -> None:
    """Refuse ``data`` before anything reads it: larger than ``max_bytes`` (``LimitExceeded``) or empty
    (``empty_error``); the message names the file, the hint says what to do."""
    if len(data) > max_bytes:
        raise LimitExceeded(
            Message.of("file_too_large", name=name, size=len(data), limit=max_bytes),
            hint=f"split the {what} or raise FAPIAO_MAX_UPLOAD_BYTES",
        )
    if not data:
        raise empty_error(Message.of("file_empty", name=name), hint=empty_hint)
