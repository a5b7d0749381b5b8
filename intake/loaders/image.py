"""Decode image files (JPEG, PNG, multi-page TIFF, BMP, WebP) into BGR pages for OCR.

The pixel count is checked from the header before any pixel is decoded, so a 50,000 × 50,000 header costs
nothing (decompression bombs).
"""

from __future__ import annotations

import io
import threading
import warnings

import cv2
import numpy as np
from PIL import Image, ImageFile, ImageOps, ImageSequence, UnidentifiedImageError

from fapiao.core.errors import CorruptDocument, LimitExceeded
from fapiao.core.messages import Message
from fapiao.intake.loaders.base import LoadedDocument, LoadedPage, LoadLimits


def load_image(data: bytes, kind: str, limits: LoadLimits, name: str = "") -> LoadedDocument:
    img = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own pixel limit decides
            img = Image.open(io.BytesIO(data))
            pages = _pages(img, limits, name)
    except (LimitExceeded, CorruptDocument):
        raise
    except Image.DecompressionBombError as exc:
        raise LimitExceeded(Message.of("image_too_large", name=name, error=exc), hint="scan at 200–300 dpi") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        page = _partial(data) if img is not None else None  # the header was read and its size is within limits
        if page is None:
            raise CorruptDocument(
                Message.of("image_undecodable", name=name, kind=kind, error=exc), hint="re-scan or re-export it"
            ) from exc
        damage = (f"the image is cut short or corrupt ({exc})", f"图像文件不完整或已损坏（{exc}）")
        return LoadedDocument(kind=kind, pages=[page], damage=[damage])
    return LoadedDocument(kind=kind, pages=pages)


def _partial(data: bytes) -> LoadedPage | None:
    """What can still be decoded of an image Pillow refuses, or None. A JPEG cut short is given back its end
    marker and decoded by OpenCV (the rows that arrived, grey below); a PNG cut short is decoded by Pillow with
    truncated images allowed, under a lock, since that switch is global."""
    bgr = None
    if data[:3] == b"\xff\xd8\xff":
        try:
            bgr = cv2.imdecode(np.frombuffer(data + b"\xff\xd9", dtype=np.uint8), cv2.IMREAD_COLOR)
        except cv2.error:
            bgr = None
    elif data[:8] == b"\x89PNG\r\n\x1a\n":
        with _TRUNCATED_LOCK:
            ImageFile.LOAD_TRUNCATED_IMAGES = True
            try:
                rgb = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
                bgr = np.ascontiguousarray(rgb[:, :, ::-1])
            except Exception:  # nothing decodable
                bgr = None
            finally:
                ImageFile.LOAD_TRUNCATED_IMAGES = False
    if bgr is None or bgr.size == 0 or bgr.min() == bgr.max():
        return None  # nothing of the picture arrived: a single flat colour is the decoder's filler
    return LoadedPage(number=1, width=bgr.shape[1], height=bgr.shape[0], unit="px", image=bgr, needs_ocr=True)


_TRUNCATED_LOCK = threading.Lock()


def _pages(img: Image.Image, limits: LoadLimits, name: str) -> list[LoadedPage]:
    pages: list[LoadedPage] = []
    for index, frame in enumerate(ImageSequence.Iterator(img)):
        if index >= limits.max_pages:
            raise LimitExceeded(
                Message.of("image_too_many_pages", name=name, limit=limits.max_pages), hint="split the file"
            )
        w, h = frame.size
        if w * h > limits.max_pixels:
            raise LimitExceeded(
                Message.of(
                    "image_too_many_pixels", name=name, page=index + 1, width=w, height=h, limit=limits.max_pixels
                ),
                hint="scan at 200–300 dpi or raise FAPIAO_MAX_PIXELS",
            )
        frame = ImageOps.exif_transpose(frame.copy()) if index == 0 else frame.copy()
        rgb = np.asarray(frame.convert("RGB"))
        bgr = np.ascontiguousarray(rgb[:, :, ::-1])
        pages.append(
            LoadedPage(number=index + 1, width=bgr.shape[1], height=bgr.shape[0], unit="px", image=bgr, needs_ocr=True)
        )
    if not pages:
        raise CorruptDocument(Message.of("image_no_frames", name=name), hint="re-scan it")
    return pages
