"""OCR configuration, read once from the environment (prefix ``FAPIAO_OCR_``).

One frozen object goes into the engine registry and the preprocessing, so nothing reads the environment
behind the caller's back and tests can pass their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class OcrSettings(BaseSettings):
    """Which engine reads images, where its models live, and how hard it works."""

    model_config = SettingsConfigDict(env_prefix="FAPIAO_OCR_", frozen=True, extra="forbid")

    engine: Literal["rapidocr", "paddleocr", "replay"] = "rapidocr"
    """``rapidocr`` (default, models inside the wheel), ``paddleocr`` (needs PaddlePaddle and local model
    directories), ``replay`` (recorded output from ``replay_path``; tests and demos only)."""

    det_limit_side_len: int = Field(default=1600, ge=32, le=4096)
    """Largest detection input along the *long* side (``det_limit_type='max'``; smaller images are not
    upscaled). Before rapidocr's own size choice was overridden (``fapiao.ocr.engines.rapid._honour_det_limit``) a
    1200 px crop was detected at full size whatever this said; forcing 960 saves ≈ 0.1 s/page but merges
    neighbouring cells into one box and lost 2.4 points of key-field accuracy on 60 degraded pages
    (99.2 % → 96.8 %), so the default keeps the prepared crop's full size."""
    det_limit_type: Literal["max", "min"] = "max"
    det_box_thresh: float = Field(default=0.5, ge=0.0, le=1.0)
    """Detected regions whose mean text probability is below this are dropped (PP-OCR's default 0.5)."""
    det_score_mode: Literal["fast", "slow"] = "slow"
    """How a detected region's score is taken: the mean text probability over its bounding rectangle
    (``fast``, PP-OCR's default) or over the region itself (``slow``). A label printed half a line off its
    value (套打) makes one stepped region whose rectangle is mostly background, so ``fast`` scores it under
    ``det_box_thresh`` and drops the line — a seller's whole 名称 line vanished that way."""
    det_dilation: bool = False
    """Dilate the detector's text mask before finding regions (PP-OCR's default: on). Off here: at the
    working resolution the dilation joins a line to its neighbour, the joint region's mean score falls under
    ``det_box_thresh`` and the whole line is dropped (a buyer's 纳税人识别号 line vanished). Measured on the
    150 seed-5 scan benchmark pages: all key fields right 94.7 % with, 96.0 % without."""
    work_long_side: int = Field(default=1200, ge=640, le=4000)
    """Prepared invoice crops are resampled to this long side (≈ 130 dpi for a 240 mm invoice; 8 pt print
    stays ≈ 15 px high). Measured on 10 degraded pages (benchmarks/ocr_speed.py): 1000 → 1.40 s/page,
    88/90 fields; 1200 → 1.47 s, 87/90; 1600 → 1.83 s, 85/90 (recognition time grows with pixels, accuracy
    does not); 1200 keeps a margin for the small print of real invoices."""
    crops_from_original: bool = True
    """Recognise lines from crops of the original upload rather than of the working image (see
    ``fapiao.ocr.preprocess.crops``)."""
    crop_margin: float = Field(default=0.0, ge=0.0, le=2.0)
    """Recognition crops (cut from the original upload, see ``fapiao.ocr.preprocess.crops``) are extended at both ends
    by this many line heights."""
    use_cls: bool = True
    """Run the 0/180° text-line classifier (PP-OCR cls) on every line; cheap, and catches upside-down
    lines the page-level orientation step missed."""
    skip_cls_when_upright: bool = True
    """Skip the per-line classifier when the page's orientation is settled (QR code read, or the page-level
    direction vote decided): the lines are then upright by construction."""
    rec_batch: int = Field(default=1, ge=1, le=64)
    """Text lines per recognition run. Crops are sorted by aspect ratio and each batch is padded to its
    widest, so batches waste work on padding; with one single-threaded run per core (see ``threads``) single
    lines are fastest (8 prepared pages, 2 cores: 0.81 s/page of recognition with 1, 0.85 with 2; one
    two-threaded run at a time: 1.40 s/page with 3, 2.6 s/page with 16). With 1 and a pool, each line is cut,
    read and tail-checked in one task, so cutting overlaps with other lines' recognition."""
    rec_min_width: float = Field(default=4.0, ge=1.0, le=20.0)
    """Shorter text lines are padded to this many line heights before recognition. PP-OCR pads every line
    to 320 × 48 px (6.7 heights), but half of an invoice's lines are labels and figures under 3.6 heights,
    so a third of the recognition work was padding. Measured on 426 lines of 8 prepared pages: 4.0 takes 20 %
    less time, and of the 8 lines read differently 6 only gained or lost a space or a bracket's width, one
    was read better (开票人：), one differently in noise; 3.0 saves 28 % but misreads a ¥ figure."""
    threads: int = Field(default=0, ge=0, le=256)
    """CPU cores OCR uses in this process; 0 means every core this process may run on. Detection runs one
    page on that many ONNX Runtime threads; recognition runs that many text lines at once, one thread each
    (the bulk runner gives each worker process its share)."""
    device: Literal["auto", "cuda", "cpu"] = "auto"
    """``auto`` uses onnxruntime-gpu's CUDA provider when it is installed, else the CPU; ``cuda`` asks for
    CUDA and logs a warning when it is missing; ``cpu`` never touches a GPU."""
    skip_cipher: bool = True
    """Leave the 密码区 cipher rows of old-layout VAT invoices unread (≈ 18 % of an old-layout page's recognised
    width; fapiao extracts nothing from them): a stack of detected lines with the cipher block's shape is
    skipped when one of its rows, recognised with the page, reads as cipher (see ``fapiao.ocr.engines.cipher``)."""
    fuse_models: bool = True
    """On the CPU, run the detection, classification and recognition models with their per-layer scalar
    affines folded into the convolutions and their hard-swish chains as HardSigmoid × x (``fapiao.ocr.engines.fuse``:
    the same function in fewer kernels; 35 % less recognition and 24 % less detection CPU time, no change
    in the recognised text on the scan benchmark). Off: the models as shipped."""
    text_score: float = Field(default=0.5, ge=0.0, le=1.0)
    """Lines the recogniser is less sure of than this are dropped (PP-OCR's default)."""

    models: Literal["ppocrv4", "ppocrv6"] = "ppocrv4"
    """RapidOCR's detection and recognition models: ``ppocrv4`` (inside the rapidocr_onnxruntime wheel) or
    ``ppocrv6`` (PP-OCRv6 small, inside the ``rapidocr`` 3.x wheel: ``pip install --no-deps rapidocr==3.10.0``;
    only its model files are read, from the installed package; nothing is downloaded). The classifier stays
    the wheel's; ``det_model`` and ``rec_model`` still override either. Compared on the real invoices printed
    and scanned in docs/BENCHMARKS.md."""
    det_model: Path | None = None
    """RapidOCR: an ONNX detection model to use instead of the one ``models`` names."""
    rec_model: Path | None = None
    cls_model: Path | None = None
    rec_keys: Path | None = None
    """Character dictionary for a replacement recognition model (the wheel's model embeds its own)."""

    paddle_det_dir: Path | None = None
    """PaddleOCR: local inference-model directories (PaddleOCR would otherwise download them)."""
    paddle_rec_dir: Path | None = None
    paddle_cls_dir: Path | None = None

    replay_path: Path | None = None
    """ReplayEngine: JSON file written by ``fapiao.ocr.engines.replay.record``."""

    split_gap: float = Field(default=2.5, ge=0.5)
    """Split a recognised line where the gap between two characters exceeds this many line heights."""
    alternatives: int = Field(default=3, ge=0, le=10)
    """How many alternative readings to keep per box (from the recogniser's runner-up characters)."""

    @field_validator(
        "det_model",
        "rec_model",
        "cls_model",
        "rec_keys",
        "paddle_det_dir",
        "paddle_rec_dir",
        "paddle_cls_dir",
        "replay_path",
        mode="before",
    )
    @classmethod
    def _empty_is_none(cls, v: object) -> object:
        return None if v == "" else v
