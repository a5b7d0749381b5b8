"""Replays OCR output recorded from a real engine, so tests of everything downstream need no model.

The recording is plain JSON (one list of lines per image key), reviewable in a diff and small enough to
commit. ``record`` writes it from any engine.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from fapiao.ocr.engines.base import Capabilities, CharSpan, OcrEngine, OcrEngineUnavailable, OcrLine
from fapiao.ocr.settings import OcrSettings


def image_key(image: np.ndarray) -> str:
    """The image's size plus a hash of its exact pixels: recordings are made from the arrays tests pass."""
    digest = hashlib.sha256(np.ascontiguousarray(image).tobytes()).hexdigest()[:16]
    return f"{image.shape[1]}x{image.shape[0]}:{digest}"


class ReplayEngine(OcrEngine):
    """Returns recorded lines: for the image's own key when recorded, else the ``"*"`` entry, else nothing."""

    name = "replay"

    def __init__(
        self,
        settings: OcrSettings | None = None,
        *,
        path: Path | None = None,
        recording: dict[str, list[dict]] | None = None,
    ) -> None:
        settings = settings or OcrSettings(engine="replay")
        if recording is None:
            path = path or settings.replay_path
            if path is None or not Path(path).is_file():
                raise OcrEngineUnavailable(
                    f"the replay engine needs a recording file; {path or 'none'} is not one",
                    hint="set FAPIAO_OCR_REPLAY_PATH to a JSON file written by ocr.engines.replay.record",
                )
            recording = json.loads(Path(path).read_text(encoding="utf-8"))
        self._recording = {key: [_line_from_json(d) for d in lines] for key, lines in recording.items()}
        self.split_gap = settings.split_gap
        self.capabilities = Capabilities(
            char_positions=any(line.chars for ls in self._recording.values() for line in ls), alternatives=True
        )
        self.calls = 0

    def read_lines(self, image: np.ndarray) -> list[OcrLine]:
        self.calls += 1
        return list(self._recording.get(image_key(image), self._recording.get("*", [])))


def record(engine: OcrEngine, images: list[np.ndarray], path: Path | None = None) -> dict[str, list[dict]]:
    """Run ``engine`` on ``images`` and return (and optionally write) a recording for ``ReplayEngine``."""
    recording = {image_key(img): [_line_to_json(line) for line in engine.read_lines(img)] for img in images}
    if path is not None:
        Path(path).write_text(json.dumps(recording, ensure_ascii=False, indent=1), encoding="utf-8")
    return recording


def _line_to_json(line: OcrLine) -> dict:
    out: dict = {"text": line.text, "quad": [list(p) for p in line.quad], "confidence": round(line.confidence, 5)}
    if line.alternatives:
        out["alternatives"] = list(line.alternatives)
    if line.chars:
        out["chars"] = [[c.char, round(c.start, 5), round(c.end, 5), round(c.confidence, 5)] for c in line.chars]
    return out


def _line_from_json(d: dict) -> OcrLine:
    if "quad" in d:
        quad = tuple((float(x), float(y)) for x, y in d["quad"])
    else:
        x0, y0, x1, y1 = d["bbox"]
        quad = ((x0, y0), (x1, y0), (x1, y1), (x0, y1))
    chars = tuple(CharSpan(c, float(s), float(e), float(p)) for c, s, e, p in d.get("chars", []))
    return OcrLine(
        text=d["text"],
        quad=quad,
        confidence=float(d.get("confidence", 1.0)),
        chars=chars,
        alternatives=tuple(d.get("alternatives", ())),
    )
