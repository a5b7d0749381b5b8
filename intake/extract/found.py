"""A value found on the page together with the boxes it came from (its evidence)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fapiao.core.models import FieldSource, FieldValue
from fapiao.intake.extract.geometry import Box, union_bbox


@dataclass
class Found:
    value: Any
    boxes: list[Box]
    raw: str
    confidence: float = 1.0
    """Evidence quality: 1.0 label-anchored; lower for positional guesses. Multiplied by the OCR confidence."""

    def field(self, page: int) -> FieldValue:
        src = self.boxes[0].src.source if self.boxes else FieldSource.text_layer
        ocr_conf = min((b.src.confidence for b in self.boxes), default=1.0)
        alts = [a for b in self.boxes for a in b.src.alternatives]
        return FieldValue(
            value=self.value,
            confidence=round(max(0.0, min(1.0, self.confidence * ocr_conf)), 4),
            source=src,
            page=page,
            bbox=union_bbox(self.boxes) if self.boxes else None,
            raw=self.raw,
            alternatives=alts,
        )
