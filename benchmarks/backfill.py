"""Back-fill benchmark: `fapiao backfill` over a generated year of invoices against a generated records export.

    .venv/bin/python -m benchmarks.backfill --count 1000 --scan-share 0.3 --missing 0.1 --workers 1,2

Documents: ``count`` files, ``1 - scan_share`` of them digital PDFs and the rest scans/photos (rendered and
degraded as in ``benchmarks.scans``, JPEG). The records export (tax-bureau CSV) lists every invoice except a
``missing`` share. For each worker count the command runs from scratch (empty output folder) as a separate
process and is timed; then its drafts.xlsx is scored against the truth: which drafts should exist (the
invoices left out of the export), which exist, and for the right ones whether every key field of the draft
row is right. Generation is not timed.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import cv2
import numpy as np
import openpyxl

from fapiao.core.models import Invoice
from fapiao.matching.export import TAX_BUREAU_HEADERS
from samples.generator.build import generate_set, load_truth
from samples.generator.images import render_pages
from samples.generator.records_export import export_row, write_records_export
from samples.generator.scan import degrade

DRAFT_FIELDS = (
    "发票代码",
    "发票号码",
    "数电票号码",
    "销方识别号",
    "销方名称",
    "购方识别号",
    "购买方名称",
    "开票日期",
    "金额",
    "税额",
    "价税合计",
)


def build_corpus(root: Path, count: int, scan_share: float, seed: int) -> list[Invoice]:
    """Write ``count`` documents into ``root/docs`` (no truth files there); return every invoice they hold."""
    docs = root / "docs"
    docs.mkdir(parents=True)
    scans = round(count * scan_share)
    digital = generate_set(root / "gen-digital", count - scans, seed, formats=("pdf",))
    invoices: list[Invoice] = []
    for path in digital:
        (docs / path.name).write_bytes(path.read_bytes())
        invoices += load_truth(path)
    rng = np.random.default_rng(seed)
    pick = random.Random(seed)
    made = 0
    for path in generate_set(root / "gen-scan", scans * 2, seed + 1, formats=("pdf",)):
        truth = load_truth(path)
        pages = render_pages(path.read_bytes(), dpi=200)
        if len(truth) != 1 or len(pages) != 1:
            continue
        clean = cv2.imdecode(np.frombuffer(pages[0], np.uint8), cv2.IMREAD_COLOR)
        img = degrade(clean, rng, "photo" if pick.random() < 0.3 else "scan")
        ok, jpg = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 92])
        (docs / f"scan_{path.stem}.jpg").write_bytes(jpg.tobytes())
        invoices += truth
        made += 1
        if made == scans:
            break
    return invoices


def run_backfill(docs: Path, export: Path, out: Path, workers: int) -> tuple[float, dict]:
    start = time.perf_counter()
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "fapiao.cli",
            "backfill",
            str(docs),
            "--records",
            str(export),
            "--out",
            str(out),
            "--workers",
            str(workers),
            "--json",
        ],
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    if res.returncode != 0:
        raise SystemExit(f"backfill failed ({res.returncode}): {res.stderr[-2000:]}")
    return wall, json.loads(res.stdout)


def score_drafts(path: Path, invoices: list[Invoice], missing: set[str]) -> dict:
    rows = list(openpyxl.load_workbook(path)["drafts"].iter_rows(values_only=True))
    head = rows[0]
    truth = {inv.key: inv for inv in invoices}
    drafted: dict[str, dict] = {}
    for row in rows[1:]:
        cell = dict(zip(head, row, strict=False))
        key = cell["数电票号码"] or f"{cell['发票代码']}:{cell['发票号码']}"
        drafted[key] = cell
    right_keys = set(drafted) & missing
    all_right = 0
    field_right = field_total = 0
    for key in right_keys:
        expected = dict(zip(TAX_BUREAU_HEADERS, export_row(truth[key]), strict=False))
        ok = True
        for h in DRAFT_FIELDS:
            field_total += 1
            same = _same(h, drafted[key].get(h), expected[h])
            field_right += same
            ok &= same
        all_right += ok
    return {
        "should": len(missing),
        "drafted": len(drafted),
        "right_invoice": len(right_keys),
        "spurious": len(set(drafted) - missing),
        "not_drafted": len(missing - set(drafted)),
        "all_fields_right": all_right,
        "field_accuracy": field_right / field_total if field_total else 1.0,
    }


def _same(header: str, got, expected: str) -> bool:
    if header in ("金额", "税额", "价税合计"):
        return got is not None and expected != "" and Decimal(str(got)).quantize(Decimal("0.01")) == Decimal(expected)
    if header == "开票日期":
        return got is not None and got.date().isoformat() == expected
    return (got or "") == expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--scan-share", type=float, default=0.3)
    parser.add_argument("--missing", type=float, default=0.1)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts to time")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        invoices = build_corpus(root, args.count, args.scan_share, args.seed)
        export = root / "export.csv"
        missing = write_records_export(invoices, export, args.missing, args.seed)
        print(
            f"back-fill benchmark: {args.count} documents ({args.scan_share:.0%} scans/photos), {len(invoices)} "
            f"invoices, {len(missing)} missing from the export"
        )
        for w in (int(x) for x in args.workers.split(",")):
            out = root / f"out-{w}"
            wall, summary = run_backfill(root / "docs", export, out, w)
            score = score_drafts(out / "drafts.xlsx", invoices, missing)
            print(
                f"  workers {w}: wall {wall:.1f} s, {args.count / wall:.2f} documents/s "
                f"({summary['pages_per_second']} pages/s while reading); categories {summary['categories']}"
            )
            print(
                f"    drafts: {score['drafted']} written for {score['should']} missing; right invoice "
                f"{score['right_invoice']}, spurious {score['spurious']}, missing ones not drafted "
                f"{score['not_drafted']}; every field right {score['all_fields_right']}/{score['right_invoice']}, "
                f"field accuracy {score['field_accuracy']:.2%}"
            )


if __name__ == "__main__":
    main()
