"""The small interface every OCR engine implements, and what engines hand back before it becomes TextBoxes.

An engine only has to find and read text lines (``read_lines``); turning them into ``TextBox`` es — splitting
lines at wide gaps, keeping confidences and alternative readings — is shared here, so every engine produces
boxes the same way. Optional abilities have safe defaults, so a minimal engine is a dozen lines.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np

from fapiao.core.errors import NeedsOcr
from fapiao.core.models import TextBox

Quad = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]
"""Four corners, clockwise from top-left, in pixels of the image passed to the engine."""


class OcrEngineUnavailable(NeedsOcr):
    """The configured engine cannot run here; the message says what is missing and how to configure it."""

    code = "ocr_engine_unavailable"


@dataclass(frozen=True)
class CharSpan:
    """One recognised character with its horizontal extent along the line (0..1 of the line's length)."""

    char: str
    start: float
    end: float
    confidence: float


@dataclass(frozen=True)
class OcrLine:
    """One detected and recognised text line, as the engine saw it."""

    text: str
    quad: Quad
    confidence: float
    chars: tuple[CharSpan, ...] = ()
    """Per-character positions when the engine provides them (empty otherwise)."""
    alternatives: tuple[str, ...] = ()
    """Other plausible readings of the whole line, best first."""


@dataclass(frozen=True)
class Capabilities:
    """What an engine can do beyond reading lines; callers check these instead of engine names."""

    char_positions: bool = False
    alternatives: bool = False
    orientation: bool = False
    """``classify_upside_down`` gives real answers (otherwise it returns ``None``)."""
    gpu: bool = False
    source_crops: bool = False
    """``read`` can cut its recognition crops from a ``CropSource`` (a sharper image than the detection input)."""


class CropSource(ABC):
    """Cuts the crop the recogniser reads for a detected line out of a sharper image than detection ran on
    (see ``fapiao.ocr.preprocess.crops``); the quad is in the detection image's pixel coordinates."""

    @abstractmethod
    def cut(self, quad: np.ndarray, margin: float = 0.0) -> np.ndarray:
        """An upright BGR crop of the line, extended at both ends by ``margin`` × its height."""


class OcrEngine(ABC):
    """Finds text lines on an image and reads them."""

    name: str = "engine"
    capabilities: Capabilities = Capabilities()
    split_gap: float = 2.5
    """Split a line where two neighbouring characters are further apart than this many line heights."""

    @abstractmethod
    def read_lines(self, image: np.ndarray) -> list[OcrLine]:
        """Detect and recognise every text line of a BGR image."""

    def read(
        self,
        image: np.ndarray,
        page: int = 1,
        upright: bool = False,
        crops: CropSource | None = None,
    ) -> list[TextBox]:
        """Read ``image`` into positioned text boxes (pixel coordinates of ``image``).

        ``upright``: the page's orientation is already settled (by its QR code or the page-level direction
        vote), so engines may skip their per-line direction classifier. ``crops``: where engines that can
        (``capabilities.source_crops``) cut the lines they recognise; the others read ``image`` alone."""
        from fapiao.ocr.lines import lines_to_boxes

        if crops is not None and self.capabilities.source_crops:
            lines = self.read_lines_from(image, crops, upright)
        else:
            lines = self.read_upright_lines(image) if upright else self.read_lines(image)
        return lines_to_boxes(lines, page=page, split_gap=self.split_gap)

    def read_upright_lines(self, image: np.ndarray) -> list[OcrLine]:
        """``read_lines`` for an image known to be upright; engines without a cheaper path read as usual."""
        return self.read_lines(image)

    def read_lines_from(self, image: np.ndarray, crops: CropSource, upright: bool = False) -> list[OcrLine]:
        """Detect lines on ``image`` but recognise the crops ``crops`` cuts (engines with ``source_crops``)."""
        return self.read_upright_lines(image) if upright else self.read_lines(image)

    def classify_upside_down(self, crops: list[np.ndarray]) -> list[float] | None:
        """Probability that each text-line crop is upside down; ``None`` when the engine cannot tell."""
        return None

    def close(self) -> None:
        """Release sessions and memory; the default engine lives for the whole process, so holds none."""
        return None


@dataclass
class NullEngine(OcrEngine):
    """Reads nothing: for pipelines and tests that must run without any OCR."""

    name: str = "null"
    lines: list[OcrLine] = field(default_factory=list)

    def read_lines(self, image: np.ndarray) -> list[OcrLine]:
        return list(self.lines)
