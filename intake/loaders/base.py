"""What every loader returns: pages with positioned text (or an image awaiting OCR), QR texts, and any
structured invoice data the file carries (数电 XML, the XML attached to an OFD)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from fapiao.core.limits import LoadLimits
from fapiao.core.models import BBox, FieldValue, TextBox
from fapiao.intake.signatures.model import SignatureCheck

__all__ = ["LoadLimits", "LoadedDocument", "LoadedPage", "QrText"]


@dataclass
class QrText:
    text: str
    bbox: BBox | None = None


@dataclass
class LoadedPage:
    number: int
    """1-based page number in the document."""
    width: float
    height: float
    unit: str
    """'pt' for PDF/OFD pages (OFD millimetres are converted), 'px' for images."""
    boxes: list[TextBox] = field(default_factory=list)
    image: np.ndarray | None = None
    """The page as a BGR image when it must be OCR'd (no usable text layer)."""
    needs_ocr: bool = False
    qr: list[QrText] = field(default_factory=list)
    image_ref: str | None = None
    """Where the image the boxes were read from was stored (OCR'd pages, when the caller keeps images)."""


@dataclass
class LoadedDocument:
    kind: str
    pages: list[LoadedPage] = field(default_factory=list)
    structured: dict[str, FieldValue] | None = None
    """Fields read directly from XML (数电 XML, OFD attachment), keyed like Invoice attributes."""
    structured_items: list[dict] | None = None
    signatures: list[SignatureCheck] = field(default_factory=list)
    """The issuer's digital signatures found in the file, each checked against the bytes (none: unsigned)."""
    damage: list[tuple[str, str]] = field(default_factory=list)
    """Signs the file is damaged (English, Chinese): repaired on opening, cut short, parts missing. The loader
    still reads what it can; the pipeline turns these into a ``file.damaged`` finding."""
