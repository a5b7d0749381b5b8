"""``python -m samples.generator --out DIR --count N --seed S --formats pdf,ofd,xml,png [--kinds …]``"""

from __future__ import annotations

import argparse
import sys
import time

from samples.generator.build import FORMATS, generate_set
from samples.generator.quirks import QUIRK_NAMES, Quirks
from samples.generator.truth import KINDS


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m samples.generator",
        description="Generate synthetic invoices with ground truth (<file>.truth.json).",
    )
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--formats", default="pdf", help=f"comma-separated, from {','.join(FORMATS)}")
    ap.add_argument("--kinds", default="", help=f"comma-separated, from {','.join(k.value for k in KINDS)}")
    ap.add_argument("--quirks", default="", help=f"real-invoice habits to draw, from {','.join(QUIRK_NAMES)}")
    args = ap.parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()] or None
    start = time.perf_counter()
    try:
        quirks = Quirks.parse(args.quirks) if args.quirks else None
        paths = generate_set(args.out, args.count, args.seed, formats, kinds, quirks)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    took = time.perf_counter() - start
    print(f"wrote {len(paths)} documents (+ .truth.json) to {args.out} in {took:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
