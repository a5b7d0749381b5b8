"""OCR engines behind one small interface; ``get_engine`` picks the configured one."""

from fapiao.ocr.engines.base import Capabilities, CharSpan, NullEngine, OcrEngine, OcrEngineUnavailable, OcrLine
from fapiao.ocr.engines.registry import clear_engines, get_engine

__all__ = [
    "Capabilities",
    "CharSpan",
    "NullEngine",
    "OcrEngine",
    "OcrEngineUnavailable",
    "OcrLine",
    "clear_engines",
    "get_engine",
]
