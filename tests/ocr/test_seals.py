"""Seal suppression on small synthetic pieces of page: the red seal goes, the 数电 form's maroon labels stay,
however blurred a low-resolution scan leaves them."""

from __future__ import annotations

import cv2
import numpy as np

from fapiao.ocr.preprocess.seals import seal_mask, suppress_seals
from samples.generator.scan import _text_alpha, stamp_seal

MAROON = np.array([0, 0, 128], np.float32)
"""BGR of the 数电 form's labels (#800000 in the PDFs)."""


def _label_page(dpi: int, blur: float, quality: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A strip of paper with a maroon 9 pt label, printed at ``dpi``, blurred and JPEG'd as a scan is; a seal
    stamped on its right half. Returns the image, the label's ink and the seal's ink (boolean masks)."""
    alpha = _text_alpha("统一社会信用代码/纳税人识别号：", int(9 / 72 * dpi * 1.3))
    h, w = alpha.shape[0] + 40, alpha.shape[1] + int(1.6 * dpi)
    paper = np.full((h, w, 3), 242, np.float32)
    label = np.zeros((h, w), np.float32)
    label[20 : 20 + alpha.shape[0], 20 : 20 + alpha.shape[1]] = alpha
    img = paper * (1 - label[..., None] + label[..., None] * MAROON / 255.0)
    img = img.astype(np.uint8)
    clean = img.copy()
    stamp_seal(img, (w - 0.8 * dpi, h / 2), np.random.default_rng(3), dpi / 25.4)
    seal = (img.astype(int) - clean.astype(int)).any(axis=2) & (label < 0.05)
    img = cv2.GaussianBlur(img, (0, 0), blur)
    img = cv2.imdecode(cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])[1], cv2.IMREAD_COLOR)
    return img, label > 0.3, seal


def test_maroon_form_labels_are_not_taken_for_seal_ink_at_low_resolution() -> None:
    for dpi, blur in ((150, 1.0), (150, 0.6), (200, 0.8), (300, 0.6)):
        img, label, seal = _label_page(dpi, blur, 75)
        mask = seal_mask(img)
        assert mask[label].mean() < 0.05, (dpi, blur, mask[label].mean())
        assert mask[seal].mean() > 0.4, (dpi, blur, mask[seal].mean())
        cleaned, _ = suppress_seals(img)
        grey = cv2.cvtColor(cleaned, cv2.COLOR_BGR2GRAY).astype(int)
        before = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(int)
        assert np.abs(grey[label] - before[label]).mean() < 5  # the label's strokes keep their darkness


def _stamped_figures(dpi: int, quality: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grey paper with rows of black figures and a seal stamped across them, blurred and JPEG'd (at low quality
    JPEG smears the seal's colour and rings bright beside its strokes). Returns the image, the seal's ink away
    from the figures and the figures' ink."""
    h, w = int(1.8 * dpi), int(2.2 * dpi)
    img = np.full((h, w, 3), 217, np.uint8)
    for y in range(int(0.2 * dpi), h, int(0.25 * dpi)):
        cv2.putText(img, "3825108455 39 86.92", (10, y), cv2.FONT_HERSHEY_SIMPLEX, dpi / 250, (30, 30, 30), dpi // 100)
    figures = img.min(axis=2) < 100
    clean = img.copy()
    stamp_seal(img, (w / 2, h / 2), np.random.default_rng(1), dpi / 25.4)
    seal = (np.abs(img.astype(int) - clean.astype(int)).max(axis=2) > 40) & (clean.min(axis=2) > 150)
    img = cv2.GaussianBlur(img, (0, 0), 0.7)
    img = cv2.imdecode(cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])[1], cv2.IMREAD_COLOR)
    return img, seal, figures


def test_a_seal_over_figures_is_removed_at_low_jpeg_quality() -> None:
    for dpi in (150, 300):
        img, seal, figures = _stamped_figures(dpi, 60)
        cleaned = cv2.cvtColor(suppress_seals(img)[0], cv2.COLOR_BGR2GRAY).astype(int)
        assert (217 - cleaned[seal]).mean() < 6, dpi  # 88–99 grey levels of seal ink before
        before = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(int)
        assert (cleaned[figures] - before[figures]).mean() < 10, dpi  # the figures stay as dark as they were
