"""PaddleOCR behind the same interface, for sites that run PaddlePaddle (e.g. on their own GPUs).

PaddleOCR downloads its models on first use, which fails offline and surprises operators; this engine
therefore refuses to start unless local model directories are configured, and says exactly what is missing.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path

import numpy as np

from fapiao.ocr.engines.base import Capabilities, OcrEngine, OcrEngineUnavailable, OcrLine
from fapiao.ocr.settings import OcrSettings

_MODEL_DIRS = (
    ("paddle_det_dir", "FAPIAO_OCR_PADDLE_DET_DIR", "detection"),
    ("paddle_rec_dir", "FAPIAO_OCR_PADDLE_REC_DIR", "recognition"),
)


def missing_requirements(settings: OcrSettings) -> list[str]:
    """Everything that stops the PaddleOCR engine from starting, each with how to fix it (empty: ready)."""
    problems = []
    for module, package in (("paddle", "paddlepaddle (or paddlepaddle-gpu)"), ("paddleocr", "paddleocr")):
        if importlib.util.find_spec(module) is None:
            problems.append(f"the Python package `{module}` is not installed (pip install {package})")
    dirs = list(_MODEL_DIRS)
    if settings.use_cls:
        dirs.append(("paddle_cls_dir", "FAPIAO_OCR_PADDLE_CLS_DIR", "text-direction"))
    for attr, env, role in dirs:
        path: Path | None = getattr(settings, attr)
        if path is None:
            problems.append(f"no local PP-OCR {role} model directory is configured (set {env})")
        elif not path.is_dir():
            problems.append(f"{env}={path} is not a directory")
    return problems


class PaddleOcrEngine(OcrEngine):
    """PP-OCR via the ``paddleocr`` package with local models only (no download at run time)."""

    name = "paddleocr"

    def __init__(self, settings: OcrSettings | None = None) -> None:
        settings = settings or OcrSettings()
        problems = missing_requirements(settings)
        if problems:
            raise OcrEngineUnavailable(
                "the PaddleOCR engine cannot start: " + "; ".join(problems),
                hint="or use the built-in engine: FAPIAO_OCR_ENGINE=rapidocr (needs nothing else)",
            )
        from paddleocr import PaddleOCR  # noqa: PLC0415 - optional dependency

        self._ocr = PaddleOCR(
            det_model_dir=str(settings.paddle_det_dir),
            rec_model_dir=str(settings.paddle_rec_dir),
            cls_model_dir=str(settings.paddle_cls_dir) if settings.paddle_cls_dir else None,
            use_angle_cls=settings.use_cls,
            det_limit_side_len=settings.det_limit_side_len,
            det_limit_type=settings.det_limit_type,
            drop_score=settings.text_score,
            show_log=False,
        )
        self.split_gap = settings.split_gap
        self.capabilities = Capabilities()
        self._use_cls = settings.use_cls
        self._lock = threading.Lock()

    def read_lines(self, image: np.ndarray) -> list[OcrLine]:
        with self._lock:
            result = self._ocr.ocr(image, cls=self._use_cls)
        lines = []
        for page in result or []:
            for quad, (text, score) in page or []:
                corners = tuple((float(x), float(y)) for x, y in quad)
                lines.append(OcrLine(text=text, quad=corners, confidence=float(score)))
        return lines
