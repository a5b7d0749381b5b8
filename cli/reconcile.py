"""`fapiao reconcile --records EXPORT PATH... [--out report.xlsx] --json`: read the invoices, match them with the
system's records export and print one JSON line per document, then one per record without a document.
A contract for integrators, like `fapiao extract --json`: JSON Lines on stdout and nothing else; row errors of
the export and the summary go to stderr. ``fapiao.cli.main`` registers it as `fapiao reconcile`."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from fapiao.core.models import ExtractionResult, Status
from fapiao.intake.inputs import iter_inputs
from fapiao.intake.pipeline import Pipeline, PipelineOptions
from fapiao.matching.export import report_lines, write_report
from fapiao.matching.headers import MappingError
from fapiao.matching.parties import PartyMaster
from fapiao.matching.reconcile import reconcile as run_reconcile
from fapiao.matching.records_import import parse_export

err = Console(stderr=True, soft_wrap=True)


def reconcile(
    paths: Annotated[list[Path], typer.Argument(help="Invoice files or folders (walked recursively).")],
    records: Annotated[
        Path, typer.Option("--records", help="The system's invoice list: CSV or XLSX, Chinese or English headers.")
    ],
    out: Annotated[
        Path | None, typer.Option("--out", help="Also write the report: .xlsx (a sheet per category), .csv or .json.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines on stdout.")] = False,
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", help="JSON file {field: header} overriding the automatic header mapping."),
    ] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="Report records without a document from this date (YYYY-MM-DD).")
    ] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="… up to this date (YYYY-MM-DD).")] = None,
    no_ocr: Annotated[
        bool, typer.Option("--no-ocr", help="Reject pages without a text layer instead of OCR'ing them.")
    ] = False,
) -> None:
    """Find which invoices are missing from the system's records, and which records have no invoice."""
    explicit = read_mapping(mapping)
    lo, hi = _date(date_from, "--from"), _date(date_to, "--to")
    if not records.is_file():
        err.print(f"[red]{records}: no such file[/red] — give the system's export with --records")
        raise typer.Exit(2)
    try:
        parsed = parse_export(records, explicit)
    except (MappingError, OSError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    err.print(f"{records}: headers on row {parsed.header_row}; " + "; ".join(parsed.header_map.describe()))
    for e in parsed.errors:
        err.print(f"[yellow]{e.message(str(records))}[/yellow]")
    pipeline = Pipeline(PipelineOptions(ocr=not no_ocr))
    results: list[ExtractionResult] = []
    for path, source in iter_inputs(paths):
        if not path.exists():
            results.append(ExtractionResult(source=source, status=Status.rejected, error=f"{source}: no such file"))
        else:
            results.extend(pipeline.process_path(path, source))
    report = run_reconcile(
        results, parsed.records, master=PartyMaster.from_records(parsed.records), date_from=lo, date_to=hi
    )
    lines = report_lines(report)
    if as_json:
        for line in lines:
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    if out is not None:
        try:
            write_report(lines, out)
        except (ValueError, OSError) as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from None
    counts = ", ".join(f"{k} {v}" for k, v in report.counts().items() if v)
    err.print(
        f"{len(parsed.records)} records loaded ({len(parsed.errors)} bad rows), {len(results)} documents: "
        f"{counts or 'nothing to report'}" + (f"; report written to {out}" if out else "")
    )


def read_mapping(path: Path | None) -> dict[str, str] | None:
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        err.print(
            f"[red]{path}: cannot read the mapping ({exc})[/red] — it must be a JSON object "
            '{"invoice_number": "票号", …}'
        )
        raise typer.Exit(2) from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        err.print(
            f"[red]{path}: the mapping must be a JSON object of field → header text, e.g. "
            '{"invoice_number": "票号"}[/red]'
        )
        raise typer.Exit(2)
    return data


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        err.print(f"[red]{option} {value!r} is not a date[/red] — write it as YYYY-MM-DD")
        raise typer.Exit(2) from None
