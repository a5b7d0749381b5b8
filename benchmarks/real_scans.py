"""Real invoices printed and scanned: the whole OCR pipeline on degraded renders of the real digital invoices.

    .venv/bin/python -m benchmarks.real_scans [--print-scan] [--images] [--dpi 150,200,300] [--limit N]
                                              [--photo-share 0.3] [--no-bare] [--json OUT]
                                              [--only sd_006@150,toll_*]

``--print-scan`` (the default when neither mode is named): every page of the real digital PDFs in
``../shared/real-invoices/files`` (einv_, sd_, toll_; OFD pages are skipped: nothing here renders OFD, and
rail_/other_ are not VAT invoices) is rendered with PyMuPDF at each ``--dpi``, degraded as a flatbed scan or a
phone photo by ``samples/generator/scan.py`` (at that resolution: skew, quarter turns, desk and neighbouring
sheet, blur, noise, JPEG, uneven light, seals, 套打 offset), encoded as JPEG and read by the pipeline.
``--images``: the real screenshots and photos (img_*, photo_*) as they are.

Reports per mode: key-field accuracy (the 12 truth columns, scored as ``benchmarks.real`` does: an
empty truth cell means the field must come out empty; amounts as Decimal; names and IDs without whitespace),
invoices with every key field right, silent errors (``verified`` with a key field wrong), seconds per page
(median, p95; wall and the process's CPU time, which other jobs on a shared machine disturb less) and the
load average — side by side with bare RapidOCR (``RapidOCR()(image)`` at its defaults) on the same images.
"""

from __future__ import annotations

import argparse
import dataclasses
import fnmatch
import json
import os
import statistics
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import pymupdf

from benchmarks import real
from samples.generator.scan import PROFILES, degrade

REAL_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "real-invoices"
PRINTED_KINDS = ("einv", "sd", "toll")
"""Real digital PDFs that are VAT invoices (rail_ and other_ are not scored like them)."""
IMAGE_KINDS = ("img", "photo")


def load_truth(real_dir: Path = REAL_DIR) -> dict[str, dict[str, str]]:
    """truth.tsv as file name → row (read as ``benchmarks.real`` reads it)."""
    return real.load_truth(real_dir / "truth.tsv")


@dataclass
class Score:
    """One invoice against its truth row."""

    file: str
    scored: int = 0
    right: int = 0
    wrong: list[str] = field(default_factory=list)
    verified: bool = False

    @property
    def all_right(self) -> bool:
        return not self.wrong

    @property
    def silent(self) -> bool:
        return self.verified and not self.all_right


def score_invoice(truth: dict[str, str], invoice: dict | None, status: str | None) -> Score:
    """Key fields of one extracted invoice (``Invoice.model_dump(mode='json')``) against its truth row."""
    out = Score(truth["file"], verified=status == "verified")
    inv = invoice or {}
    for name in real.TRUTH_FIELDS:
        expected = truth[name]
        if truth["invoice_type"] == "rail" and expected == "" and name != "invoice_type":
            continue
        out.scored += 1
        if real.field_right(name, expected, inv.get(name)):
            out.right += 1
        else:
            out.wrong.append(f"{name}: {expected or '∅'} → {inv.get(name) or '∅'}")
    return out


@dataclass
class Page:
    name: str
    kind: str
    profile: str
    dpi: int | None
    data: bytes
    truth: dict[str, str]


ONE_PASS = {"offset_mm": 0.0, "seal": 0.0, "title_seal": 0.0}
"""A digital invoice is printed on plain paper in one pass, form and data together, with the seals its PDF
already carries: no 套打 offset and no extra seal (the degrader's defaults model pre-printed paper forms)."""


def printed_pages(
    truth: dict[str, dict[str, str]],
    dpis: list[int],
    photo_share: float,
    limit: int | None,
    cache: Path | None = None,
    real_dir: Path = REAL_DIR,
) -> list[Page]:
    """Each real digital invoice's first page, rendered at each dpi and degraded (deterministically per
    file and dpi) as a scan or, for ``photo_share`` of them, as a phone photo at that resolution. Degrading
    takes seconds a page, so with ``cache`` the JPEGs are kept there and read back on the next run."""
    files = sorted(f for f in truth if f.endswith(".pdf") and f.split("_", 1)[0] in PRINTED_KINDS)
    out = []
    for file in _spread(files, limit):
        for dpi in dpis:
            rng = np.random.default_rng(zlib.crc32(f"{file}@{dpi}".encode()))
            kind = "photo" if rng.random() < photo_share else "scan"
            kept = cache / f"{Path(file).stem}@{dpi}-{kind}-one-pass.jpg" if cache else None
            if kept is not None and kept.exists():
                data = kept.read_bytes()
            else:
                with pymupdf.open(real_dir / "files" / file) as doc:
                    png = doc[0].get_pixmap(dpi=dpi, alpha=False).tobytes("png")
                profile = dataclasses.replace(PROFILES[kind], dpi=(dpi, dpi), **ONE_PASS)
                clean = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
                img = degrade(clean, rng, profile, source_dpi=dpi)
                data = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 92])[1].tobytes()
                if kept is not None:
                    kept.parent.mkdir(parents=True, exist_ok=True)
                    kept.write_bytes(data)
            out.append(Page(f"{file}@{dpi}", file.split("_", 1)[0], kind, dpi, data, truth[file]))
    return out


def _spread(files: list[str], limit: int | None) -> list[str]:
    """``limit`` files taken in turn from each kind (file-name prefix), so a quick run sees every layout."""
    if limit is None or limit >= len(files):
        return files
    kinds: dict[str, list[str]] = {}
    for f in files:
        kinds.setdefault(f.split("_", 1)[0], []).append(f)
    out: list[str] = []
    while len(out) < limit:
        for group in kinds.values():
            if group and len(out) < limit:
                out.append(group.pop(0))
    return sorted(out)


def real_images(truth: dict[str, dict[str, str]], limit: int | None, real_dir: Path = REAL_DIR) -> list[Page]:
    """The real screenshots (img_*) and phone photos (photo_*) as they are."""
    files = sorted(f for f in truth if f.split("_", 1)[0] in IMAGE_KINDS)
    return [
        Page(f, f.split("_", 1)[0], f.split("_", 1)[0], None, (real_dir / "files" / f).read_bytes(), truth[f])
        for f in files[:limit]
    ]


def selected(name: str, patterns: list[str]) -> bool:
    """``--only``: a page ("sd_006.pdf@150", "img_001.png") is run when a pattern (shell wildcards) names
    its file with or without the extension, alone ("sd_006": every resolution) or with "@dpi"."""
    if not patterns:
        return True
    file, _, dpi = name.partition("@")
    stem = file.rsplit(".", 1)[0]
    names = {file, stem} | ({f"{file}@{dpi}", f"{stem}@{dpi}"} if dpi else set())
    return any(fnmatch.fnmatchcase(n, p) for p in patterns for n in names)


def _p95(values: list[float]) -> float:
    return sorted(values)[int(0.95 * (len(values) - 1))] if values else float("nan")


def summarise(scores: list[Score], seconds: list[float], cpu: list[float]) -> dict:
    scored = sum(s.scored for s in scores)
    right = sum(s.right for s in scores)
    per_field: Counter[str] = Counter(w.split(":", 1)[0] for s in scores for w in s.wrong)
    return {
        "pages": len(scores),
        "key_fields": f"{right}/{scored}",
        "key_field_accuracy": right / max(1, scored),
        "all_key_fields_right": f"{sum(s.all_right for s in scores)}/{len(scores)}",
        "all_right_share": sum(s.all_right for s in scores) / max(1, len(scores)),
        "verified": sum(s.verified for s in scores),
        "silent_errors": [s.file for s in scores if s.silent],
        "wrong_by_field": dict(per_field.most_common()),
        "s_per_page_median": statistics.median(seconds) if seconds else None,
        "s_per_page_p95": _p95(seconds),
        "cpu_s_per_page_median": statistics.median(cpu) if cpu else None,
        "cpu_s_per_page_p95": _p95(cpu),
    }


def run_pipeline(pages: list[Page]) -> tuple[list[Score], list[float], list[float]]:
    from fapiao.intake.pipeline import Pipeline

    pipeline = Pipeline()
    if pages:
        pipeline.process_bytes(pages[0].data, "warm-up")  # model loading is not a per-page cost
    scores, seconds, cpu = [], [], []
    for page in pages:
        start, start_cpu = time.perf_counter(), time.process_time()
        results = pipeline.process_bytes(page.data, page.name)
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        result = next((r for r in results if r.invoice is not None), None)
        invoice = result.invoice.model_dump(mode="json") if result else None
        score = score_invoice(page.truth, invoice, result.status.value if result else None)
        score.file = f"{page.name} ({page.profile})"
        scores.append(score)
    return scores, seconds, cpu


def bare_rapidocr(pages: list[Page]) -> dict:
    """``RapidOCR()(image)`` at its defaults on the same images: wall and CPU seconds per page."""
    from rapidocr_onnxruntime import RapidOCR

    engine = RapidOCR()
    images = [cv2.imdecode(np.frombuffer(p.data, np.uint8), cv2.IMREAD_COLOR) for p in pages]
    if images:
        engine(images[0])
    seconds, cpu = [], []
    for img in images:
        start, start_cpu = time.perf_counter(), time.process_time()
        engine(img)
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return {
        "bare_s_per_page_median": statistics.median(seconds) if seconds else None,
        "bare_s_per_page_p95": _p95(seconds),
        "bare_cpu_s_per_page_median": statistics.median(cpu) if cpu else None,
    }


def run_mode(pages: list[Page], bare: bool) -> dict:
    load_before = os.getloadavg()
    scores, seconds, cpu = run_pipeline(pages)
    report = summarise(scores, seconds, cpu)
    by: dict[str, list[Score]] = {}
    for page, score in zip(pages, scores, strict=True):
        by.setdefault(f"dpi {page.dpi}" if page.dpi else page.kind, []).append(score)
        if page.dpi:
            by.setdefault(page.profile, []).append(score)
            by.setdefault(page.kind, []).append(score)
    report["by"] = {
        k: {
            "key_fields": f"{sum(s.right for s in v)}/{sum(s.scored for s in v)}",
            "all_right": f"{sum(s.all_right for s in v)}/{len(v)}",
        }
        for k, v in sorted(by.items())
    }
    report["errors"] = [f"{s.file}: " + "; ".join(s.wrong) for s in scores if s.wrong]
    if bare:
        report.update(bare_rapidocr(pages))
    report["load_average"] = [round(x, 2) for x in load_before] + [round(x, 2) for x in os.getloadavg()]
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--print-scan", action="store_true", help="degraded renders of the real digital PDFs")
    parser.add_argument("--images", action="store_true", help="the real screenshots and photos (img_*, photo_*)")
    parser.add_argument("--dpi", default="150,200,300", help="comma-separated render resolutions")
    parser.add_argument("--limit", type=int, default=None, help="only the first N files of each mode")
    parser.add_argument("--photo-share", type=float, default=0.3, help="share of renders degraded as phone photos")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare RapidOCR comparison")
    parser.add_argument("--json", type=Path, default=None, help="also write the report here")
    parser.add_argument("--cache", type=Path, default=None, help="keep the degraded pages here and reuse them")
    parser.add_argument("--only", default="", help="comma-separated pages to run: sd_006@150, toll_*, img_001")
    args = parser.parse_args(argv)
    if not (REAL_DIR / "truth.tsv").exists():
        raise SystemExit(f"the real-invoice set is not at {REAL_DIR.resolve()}: nothing to measure")
    modes = [m for m, on in (("print_scan", args.print_scan), ("images", args.images)) if on] or [
        "print_scan",
        "images",
    ]
    truth = load_truth()
    dpis = [int(d) for d in args.dpi.split(",") if d.strip()]
    report = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "dpi": dpis}
    for mode in modes:
        if mode == "print_scan":
            pages = printed_pages(truth, dpis, args.photo_share, args.limit, args.cache)
        else:
            pages = real_images(truth, args.limit)
        only = [p.strip() for p in args.only.split(",") if p.strip()]
        pages = [p for p in pages if selected(p.name, only)]
        report[mode] = run_mode(pages, not args.no_bare)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
