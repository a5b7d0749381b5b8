"""Real-invoice benchmark: the pipeline on the hand-checked real documents of ../shared/real-invoices.

    .venv/bin/python -m benchmarks.real [--root ../shared/real-invoices] [--kinds einv,sd] [--json OUT|-]
    .venv/bin/python -m benchmarks.real --print-scan [--images] [--dpi 150,200,300] [--limit N] [--cache DIR]
                                        [--only sd_006@150,toll_*]

``--print-scan`` and ``--images`` hand over to ``benchmarks.real_scans``: every real digital page rendered at
150, 200 and 300 dpi and degraded with the project's scan and phone-photo degrader, and the real screenshots
and photos, read by the whole OCR pipeline beside bare RapidOCR on the same images.

Per kind (the file prefix: einv, sd, toll, ofd, rail, img, photo, other) and overall it reports key-field
accuracy, invoices with every key field right, the share ``verified``, silent errors (``verified`` with a
wrong key field) and seconds per page, then the item-table problems seen (a 合计 row read as an item, empty
names, items that do not add up to 合计). The truth's conventions are in the set's README.md: an empty cell
means the field must come out empty, except for rail tickets where it is not scored; ``other`` documents
(财政电子票据) are right only when rejected; amounts are compared as Decimal.

The pieces are separate so that other modes can reuse them: ``load_truth`` reads truth.tsv, ``run_documents``
runs the pipeline over a list of (name, bytes) documents, ``score`` compares results with the truth and
``summarise`` aggregates the scored rows per kind.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from fapiao.core.models import KEY_FIELDS, ExtractionResult, Status
from fapiao.intake.pipeline import Pipeline, PipelineOptions

DEFAULT_ROOT = Path("../shared/real-invoices")
KINDS = ("einv", "sd", "toll", "ofd", "rail", "img", "photo", "other")
DIGITAL_KINDS = ("einv", "sd", "toll", "ofd")
"""Kinds read from a text layer or OFD text (no OCR)."""
TRUTH_FIELDS = ("invoice_type", *KEY_FIELDS)
"""The truth.tsv columns scored: the type, then the contract's key fields."""
AMOUNT_FIELDS = frozenset({"total_amount", "total_tax", "amount_with_tax"})
TYPE_NAMES: dict[str, frozenset[str]] = {
    "sd_normal": frozenset({"digital_normal"}),
    "sd_special": frozenset({"digital_special"}),
    "e_normal": frozenset({"e_normal"}),
    "e_special": frozenset({"e_special"}),
    "paper_special": frozenset({"special"}),
    "paper_normal": frozenset({"normal"}),
    "rail": frozenset({"rail", "railway"}),
}
"""Truth type → the fapiao invoice types that count as right."""
_TOTAL_ROW_NAME = re.compile(r"^(?:[合含舍台]计?|计|计合|总计|小计)$")


def kind_of(file_name: str) -> str:
    """The file prefix: einv, sd, toll, ofd, rail, img, photo, other."""
    return file_name.split("_", 1)[0]


def load_truth(path: Path) -> dict[str, dict[str, str]]:
    """truth.tsv → {file name: {column: cell}} (cells stripped; an empty string is an empty cell)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return {
            row["file"]: {k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh, delimiter="\t")
        }


@dataclass
class DocumentRun:
    """The pipeline's results for one document, with the time it took."""

    file: str
    results: list[ExtractionResult]
    seconds: float
    pages: int
    truth_file: str = ""
    """The truth row to score against; the file itself when empty (a degraded render of a document keeps
    its original's row: "einv_001.pdf@200dpi" → "einv_001.pdf")."""


def run_documents(documents: Iterable[tuple[str, bytes]], pipeline: Pipeline | None = None) -> dict[str, DocumentRun]:
    """Run the pipeline over (name, bytes) pairs, one at a time, and time each. A name may carry a variant
    after '@' ("einv_001.pdf@150dpi"); it is scored against the row of the name before the '@'."""
    pipeline = pipeline or Pipeline(PipelineOptions())
    runs: dict[str, DocumentRun] = {}
    for name, data in documents:
        start = time.perf_counter()
        results = pipeline.process_bytes(data, name)
        seconds = time.perf_counter() - start
        pages = max((max(r.pages, default=0) for r in results), default=0) or 1
        runs[name] = DocumentRun(name, results, seconds, pages, truth_file=name.split("@", 1)[0])
    return runs


def truth_documents(root: Path, truth: dict[str, dict[str, str]], kinds: Iterable[str]) -> list[tuple[str, bytes]]:
    wanted = set(kinds)
    return [(f, (root / "files" / f).read_bytes()) for f in sorted(truth) if kind_of(f) in wanted]


@dataclass
class Scored:
    """One document compared with its truth row."""

    file: str
    kind: str
    status: str
    scored: int = 0
    right: int = 0
    wrong: list[tuple[str, str, str]] = field(default_factory=list)
    """(field, expected, got) for every wrong scored field."""
    item_problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    pages: int = 1

    @property
    def all_right(self) -> bool:
        return not self.wrong

    @property
    def silent_error(self) -> bool:
        return self.status == Status.verified.value and bool(self.wrong)


def _decimal(value: object) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return None


def field_right(name: str, expected: str, got: object) -> bool:
    """One key field: amounts as Decimal, the type through ``TYPE_NAMES``, text with all whitespace removed."""
    if name in AMOUNT_FIELDS:
        return _decimal(expected) == _decimal(got) and (expected == "") == (got in (None, ""))
    if name == "invoice_type":
        return str(got) in TYPE_NAMES.get(expected, frozenset())
    return re.sub(r"\s+", "", expected) == re.sub(r"\s+", "", "" if got is None else str(got))


def item_problems(result: ExtractionResult) -> list[str]:
    """What is visibly wrong with the item table of one result (not scored against a truth: the truth has
    no items)."""
    inv = result.invoice
    if inv is None:
        return []
    problems: list[str] = []
    for i, item in enumerate(inv.items):
        name = re.sub(r"\s+", "", item.name or "")
        if name and _TOTAL_ROW_NAME.match(name):
            problems.append(f"items[{i}] is the 合计 row ({item.name!r})")
        elif not name:
            problems.append(f"items[{i}] has no name")
    if not inv.items and inv.total_amount is not None:
        problems.append("no items although 合计 is printed")
    amounts = [it.amount for it in inv.items if it.amount is not None]
    if amounts and inv.total_amount is not None and sum(amounts) != inv.total_amount:
        problems.append(f"items add up to {sum(amounts)}, 合计 is {inv.total_amount}")
    return problems


def score(runs: dict[str, DocumentRun], truth: dict[str, dict[str, str]]) -> list[Scored]:
    """Compare each run with its truth row. The first result of a document is scored."""
    rows: list[Scored] = []
    for file, run in sorted(runs.items()):
        expected = truth[run.truth_file or file]
        first = run.results[0] if run.results else None
        status = first.status.value if first else "no-result"
        row = Scored(file, kind_of(file), status, seconds=run.seconds, pages=run.pages)
        inv = first.invoice.model_dump(mode="json") if first and first.invoice else {}
        if expected["invoice_type"] == "other":
            row.scored = 1
            row.right = int(status == Status.rejected.value)
            if not row.right:
                invented = ", ".join(f"{k}={inv[k]}" for k in TRUTH_FIELDS[1:] if inv.get(k) not in (None, ""))
                row.wrong.append(("document", "rejected", f"{status}; invented: {invented or 'nothing'}"))
        else:
            for name in TRUTH_FIELDS:
                if expected["invoice_type"] == "rail" and name != "invoice_type" and not expected[name]:
                    continue  # rail tickets: empty cells are not scored
                got = inv.get(name)
                row.scored += 1
                if field_right(name, expected[name], got):
                    row.right += 1
                else:
                    row.wrong.append((name, expected[name] or "∅", "∅" if got in (None, "") else str(got)))
            if expected["invoice_type"] != "rail":  # tickets have no item table
                row.item_problems = [p for r in run.results for p in item_problems(r)]
        rows.append(row)
    return rows


@dataclass
class Summary:
    documents: int
    fields_scored: int
    fields_right: int
    all_right: int
    verified: int
    silent_errors: list[str]
    seconds_per_page: float
    item_problems: int

    @property
    def key_field_accuracy(self) -> float:
        return self.fields_right / self.fields_scored if self.fields_scored else 0.0


def summarise(rows: list[Scored]) -> dict[str, Summary]:
    """Aggregate per kind, plus ``all`` and ``vat`` (everything except ``other``)."""

    def agg(sel: list[Scored]) -> Summary:
        pages = sum(r.pages for r in sel)
        return Summary(
            documents=len(sel),
            fields_scored=sum(r.scored for r in sel),
            fields_right=sum(r.right for r in sel),
            all_right=sum(r.all_right for r in sel),
            verified=sum(r.status == Status.verified.value for r in sel),
            silent_errors=[r.file for r in sel if r.silent_error],
            seconds_per_page=sum(r.seconds for r in sel) / pages if pages else 0.0,
            item_problems=sum(1 for r in sel if r.item_problems),
        )

    out = {k: agg([r for r in rows if r.kind == k]) for k in KINDS if any(r.kind == k for r in rows)}
    out["vat"] = agg([r for r in rows if r.kind != "other"])
    out["all"] = agg(rows)
    return out


def report_json(rows: list[Scored], summary: dict[str, Summary]) -> dict:
    return {
        "summary": {k: {**asdict(s), "key_field_accuracy": round(s.key_field_accuracy, 4)} for k, s in summary.items()},
        "files": [
            {**asdict(r), "all_right": r.all_right, "silent_error": r.silent_error, "seconds": round(r.seconds, 3)}
            for r in rows
        ],
    }


def print_report(rows: list[Scored], summary: dict[str, Summary], out=sys.stdout) -> None:
    for r in rows:
        wrong = "; ".join(f"{f}: {e} → {g}" for f, e, g in r.wrong)
        print(f"{r.file:15} {r.status:13} {r.right:2}/{r.scored:2}  {wrong}", file=out)
    print(file=out)
    print(
        f"{'kind':6} {'docs':>4} {'key fields':>16} {'all right':>9} {'verified':>8} {'silent':>6} {'s/page':>6}",
        file=out,
    )
    for k, s in summary.items():
        print(
            f"{k:6} {s.documents:4} {s.fields_right:5}/{s.fields_scored:<4} {s.key_field_accuracy:6.1%}"
            f" {s.all_right:4}/{s.documents:<4} {s.verified:3}/{s.documents:<4} {len(s.silent_errors):6}"
            f" {s.seconds_per_page:6.2f}",
            file=out,
        )
    silent = summary["all"].silent_errors
    if silent:
        print(f"silent errors: {', '.join(silent)}", file=out)
    problems = [(r.file, p) for r in rows for p in r.item_problems]
    print(f"\nitem problems ({len({f for f, _ in problems})} documents):", file=out)
    for file, p in problems:
        print(f"  {file}: {p}", file=out)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--print-scan" in argv or "--images" in argv:  # the OCR side: renders printed and scanned, real photos
        from benchmarks import real_scans

        real_scans.main(argv)
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="the real-invoice folder (truth.tsv, files/)")
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated file prefixes to run")
    parser.add_argument("--json", metavar="OUT", help="also write the report as JSON to OUT ('-' for stdout only)")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    truth_path = args.root / "truth.tsv"
    if not truth_path.is_file():
        print(f"{truth_path}: not found; pass --root with the folder that holds truth.tsv and files/", file=sys.stderr)
        return 2
    truth = load_truth(truth_path)
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    runs = run_documents(truth_documents(args.root, truth, kinds))
    rows = score(runs, truth)
    summary = summarise(rows)
    if args.json == "-":
        json.dump(report_json(rows, summary), sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    print_report(rows, summary)
    if args.json:
        Path(args.json).write_text(
            json.dumps(report_json(rows, summary), ensure_ascii=False, indent=1), encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
