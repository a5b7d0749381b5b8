"""Digital-invoice benchmark: field accuracy and invoices per second on a generated set.

    .venv/bin/python -m benchmarks.digital --count 200 --seed 7 [--formats pdf,ofd,xml]

Generation is not timed; extraction (load → extract → verify, one process, one core) is. Prints per-field
accuracy, the share of invoices with every key field right, the share `verified`, the silent error rate
(`verified` with a wrong key field) and throughput.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from fapiao.core.models import KEY_FIELDS, Status
from fapiao.intake.pipeline import Pipeline, PipelineOptions
from samples.generator.build import generate_set
from samples.generator.quirks import QUIRK_NAMES, Quirks
from samples.scoring import compare


def run(
    count: int, seed: int, formats: tuple[str, ...], workdir: Path, show_errors: int, quirks: Quirks | None = None
) -> dict:
    files = generate_set(workdir, count, seed, formats=formats, quirks=quirks)
    pipeline = Pipeline(PipelineOptions(ocr=False))
    field_right: Counter[str] = Counter()
    field_total: Counter[str] = Counter()
    invoices = all_right = items_right = verified = silent = rejected = 0
    per_file: list[float] = []
    errors: list[str] = []
    for path in files:
        truth = json.loads(Path(str(path) + ".truth.json").read_text(encoding="utf-8"))
        start = time.perf_counter()
        results = pipeline.process_path(path)
        per_file.append(time.perf_counter() - start)
        got = [r for r in results if r.invoice is not None]
        rejected += sum(1 for r in results if r.status is Status.rejected)
        for i, entry in enumerate(truth["invoices"]):
            invoices += 1
            result = got[i] if i < len(got) else None
            cmp = compare(entry["invoice"], result.invoice if result else None)
            for name, ok in cmp.fields.items():
                field_total[name] += 1
                field_right[name] += ok
            all_right += cmp.all_key_fields_right
            items_right += cmp.items_right
            is_verified = result is not None and result.status is Status.verified
            verified += is_verified
            silent += is_verified and not cmp.all_key_fields_right
            if (not cmp.all_key_fields_right or not cmp.items_right) and len(errors) < show_errors:
                errors.append(f"{path.name}: " + "; ".join(cmp.wrong[:4]))
    elapsed = sum(per_file)
    return {
        "documents": len(files),
        "invoices": invoices,
        "field_accuracy": {k: field_right[k] / field_total[k] for k in KEY_FIELDS if field_total[k]},
        "key_field_accuracy": sum(field_right.values()) / max(1, sum(field_total.values())),
        "all_key_fields_right": all_right / max(1, invoices),
        "items_right": items_right / max(1, invoices),
        "verified": verified / max(1, invoices),
        "silent_errors": silent,
        "rejected_documents": rejected,
        "invoices_per_second": invoices / elapsed if elapsed else 0.0,
        "ms_per_document_median": statistics.median(per_file) * 1000 if per_file else 0.0,
        "ms_per_document_p95": sorted(per_file)[int(0.95 * (len(per_file) - 1))] * 1000 if per_file else 0.0,
        "examples_of_errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--formats", default="pdf")
    parser.add_argument("--show-errors", type=int, default=10)
    parser.add_argument("--keep", type=Path, help="write the generated set here instead of a temporary folder")
    parser.add_argument("--quirks", default="", help=f"real-invoice habits to draw: {','.join(QUIRK_NAMES)}")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    quirks = Quirks.parse(args.quirks) if args.quirks else None
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        report = run(args.count, args.seed, formats, args.keep, args.show_errors, quirks)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            report = run(args.count, args.seed, formats, Path(tmp), args.show_errors, quirks)
    _print(report, formats)


def _print(r: dict, formats: tuple[str, ...]) -> None:
    print(f"digital benchmark — formats {','.join(formats)}: {r['documents']} documents, {r['invoices']} invoices")
    for name, acc in r["field_accuracy"].items():
        print(f"  {name:<18} {acc:8.2%}")
    print(f"  key-field accuracy      {r['key_field_accuracy']:.2%}")
    print(f"  all key fields right    {r['all_key_fields_right']:.2%}")
    print(f"  items all right         {r['items_right']:.2%}")
    print(f"  verified                {r['verified']:.2%}")
    print(f"  silent errors           {r['silent_errors']}")
    print(f"  rejected documents      {r['rejected_documents']}")
    print(f"  invoices per second     {r['invoices_per_second']:.1f}  (one process)")
    print(f"  ms per document         median {r['ms_per_document_median']:.1f}, p95 {r['ms_per_document_p95']:.1f}")
    for e in r["examples_of_errors"]:
        print(f"  ! {e}")


if __name__ == "__main__":
    main()
