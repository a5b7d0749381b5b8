"""Clean page images of a generated PDF (scan and photo degradation live in scan.py)."""

from __future__ import annotations

import pymupdf


def render_pages(pdf_bytes: bytes, dpi: int = 200, fmt: str = "png", jpeg_quality: int = 90) -> list[bytes]:
    """Every page as PNG (default) or JPEG bytes at ``dpi``."""
    out = []
    with pymupdf.open(stream=pdf_bytes, filetype="pdf") as doc:
        for page in doc:
            pix = page.get_pixmap(dpi=dpi, alpha=False)
            out.append(pix.tobytes("jpeg", jpg_quality=jpeg_quality) if fmt in ("jpg", "jpeg") else pix.tobytes("png"))
    return out
