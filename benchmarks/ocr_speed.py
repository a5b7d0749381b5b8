"""Seconds per page: bare full-page RapidOCR at its defaults vs fapiao's prepare + OCR, on degraded renders.

Run: ``.venv/bin/python -m benchmarks.ocr_speed [--pages 10] [--sweep]``. Pages are the invoice-like renders
from ``tests/ocr/pages.py`` degraded with ``samples/generator/scan.py`` (scan and photo profiles, fixed
seeds); "fields" counts how many of 9 known data strings appear in the OCR text (spaces ignored).
``--sweep`` also tries other working resolutions and detector sizes (how the defaults were chosen).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "ocr"))

from pages import render_page  # noqa: E402

from fapiao.ocr.engines.rapid import RapidOcrEngine  # noqa: E402
from fapiao.ocr.read import ocr_page  # noqa: E402
from fapiao.ocr.settings import OcrSettings  # noqa: E402
from samples.generator.scan import degrade  # noqa: E402

KEYS = (
    "invoice_code",
    "invoice_number",
    "issue_date",
    "check_code",
    "buyer_name",
    "buyer_tax_id",
    "seller_name",
    "seller_tax_id",
    "amount",
)


def make_pages(n: int) -> list[tuple[str, np.ndarray, dict[str, str]]]:
    out = []
    for i in range(n):
        clean, truth = render_page(seed=i)
        profile = "photo" if i % 2 else "scan"
        out.append((profile, degrade(clean, np.random.default_rng(1000 + i), profile), truth))
    return out


def hits(texts: list[str], truth: dict[str, str]) -> int:
    joined = "".join(texts).replace(" ", "")
    return sum(truth[k].replace(" ", "") in joined for k in KEYS)


def run_bare(pages) -> tuple[float, int]:
    from rapidocr_onnxruntime import RapidOCR

    ocr = RapidOCR()
    ocr(pages[0][1])  # warm-up
    t0, total = time.perf_counter(), 0
    for _, img, truth in pages:
        result, _ = ocr(img)
        total += hits([r[1] for r in result or []], truth)
    return (time.perf_counter() - t0) / len(pages), total


def run_prepared(pages, settings: OcrSettings) -> tuple[float, int, float]:
    engine = RapidOcrEngine(settings)
    ocr_page(pages[0][1], engine=engine, settings=settings)  # warm-up
    t0, total, prep = time.perf_counter(), 0, 0.0
    for _, img, truth in pages:
        res = ocr_page(img, engine=engine, settings=settings)
        prep += res.timings_ms["prepare"] / 1000
        total += hits([b.text for b in res.boxes], truth)
    return (time.perf_counter() - t0) / len(pages), total, prep / len(pages)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--sweep", action="store_true")
    args = parser.parse_args()
    pages = make_pages(args.pages)
    possible = len(KEYS) * len(pages)
    print(
        f"{len(pages)} pages ({sum(p[0] == 'scan' for p in pages)} scans, {sum(p[0] == 'photo' for p in pages)} "
        f"photos), mean size {np.mean([p[1].shape[1] for p in pages]):.0f}"
        f"×{np.mean([p[1].shape[0] for p in pages]):.0f}"
    )
    sec, found = run_bare(pages)
    print(f"bare RapidOCR defaults (full page)           : {sec:5.2f} s/page, fields {found}/{possible}")
    configs = [OcrSettings()]
    if args.sweep:
        configs += [
            OcrSettings(work_long_side=w, det_limit_side_len=d, use_cls=c)
            for w, d, c in [
                (1000, 960, True),
                (1600, 960, True),
                (1200, 736, True),
                (1200, 1280, True),
                (1200, 960, False),
            ]
        ]
    for s in configs:
        sec, found, prep = run_prepared(pages, s)
        print(
            f"prepare+OCR long side {s.work_long_side:4d}, det {s.det_limit_side_len:4d}, cls {int(s.use_cls)}: "
            f"{sec:5.2f} s/page (prepare {prep:4.2f}), fields {found}/{possible}"
        )


if __name__ == "__main__":
    main()
