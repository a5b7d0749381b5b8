"""`fapiao backfill SOURCE --records EXPORT [--out DIR]`: read a folder or zip of invoices on every core,
reconcile them with the records export and write the reconciliation, the back-entry drafts in the export's
own layout and a per-document log. Run it again after an interruption, or with a newer export: what was
read is kept by content hash in ``DIR/.fapiao-cache.sqlite`` and is not read twice."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from fapiao.cli.reconcile import read_mapping
from fapiao.core.confidence import DEFAULT_THRESHOLD
from fapiao.core.models import ExtractionResult, Status
from fapiao.core.settings import get_settings
from fapiao.intake.pipeline import PipelineOptions
from fapiao.intake.verify import VerifyOptions, verify
from fapiao.matching.backfill import write_outputs
from fapiao.matching.headers import MappingError
from fapiao.matching.parties import PartyMaster
from fapiao.matching.records_import import ParsedExport, parse_export
from fapiao.service.bulk import runner
from fapiao.service.bulk.cache import ResultCache
from fapiao.service.bulk.sources import SourceError, list_source

err = Console(stderr=True, soft_wrap=True)
CACHE_NAME = ".fapiao-cache.sqlite"


def backfill(
    source: Annotated[Path, typer.Argument(help="A folder of invoices (walked) or a .zip of them.")],
    records: Annotated[Path, typer.Option("--records", help="The system's invoice list: CSV or XLSX.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder (also keeps what was read, for reruns).")] = Path(
        "backfill-out"
    ),
    workers: Annotated[int, typer.Option(min=0, max=256, help="Worker processes (0: one per core).")] = 0,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="JSON {field: header} for the export's headers.")
    ] = None,
    no_ocr: Annotated[
        bool, typer.Option("--no-ocr", help="Refuse pages without a text layer instead of OCR'ing them.")
    ] = False,
    own_tax_id: Annotated[list[str], typer.Option("--own-tax-id", help="Your company's tax IDs (buyer check).")] = [],  # noqa: B006
    threshold: Annotated[
        float, typer.Option(help="A key field's confidence must be above this for `verified`.")
    ] = DEFAULT_THRESHOLD,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object.")] = False,
) -> None:
    """Find and pre-fill every invoice missing from the system: read, reconcile, write drafts."""
    settings = get_settings()
    explicit = read_mapping(mapping)
    try:
        parsed = parse_export(records, explicit) if records.is_file() else None
    except (MappingError, OSError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    if parsed is None:
        err.print(f"[red]{records}: no such file[/red] — give the system's export with --records")
        raise typer.Exit(2)
    for e in parsed.errors:
        err.print(f"[yellow]{e.message(str(records))}[/yellow]")
    try:
        files = list_source(source, settings.max_upload_bytes)
    except SourceError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    options = PipelineOptions(
        limits=settings.limits,
        ocr=not no_ocr,
        verify=VerifyOptions(confidence_threshold=threshold, own_tax_ids=frozenset(own_tax_id)),
    )
    key = json.dumps({"ocr": not no_ocr, "threshold": threshold, "own": sorted(own_tax_id)}, sort_keys=True)
    cache = ResultCache(out / CACHE_NAME, key)
    try:
        stats = runner.run(files, cache, options, workers or os.cpu_count() or 1, console=err)
        if stats.interrupted:
            err.print(
                f"[yellow]interrupted[/yellow]: {stats.read} files read in this run are kept in {out / CACHE_NAME}; "
                "run the same command again to continue"
            )
            raise typer.Exit(130)
        results = runner.collect(files, stats, cache)
    finally:
        cache.close()
    results = confirm_with_records(results, parsed, options.verify)
    outputs = write_outputs(results, parsed, out)
    summary = {
        "files": stats.files,
        "read": stats.read,
        "from_cache": stats.cached,
        "refused": stats.refused,
        "documents": len(results),
        "records": len(parsed.records),
        "bad_record_rows": len(parsed.errors),
        "categories": outputs.counts(),
        "drafts": outputs.drafts,
        "seconds": round(stats.seconds, 2),
        "files_per_second": round(stats.read / stats.seconds, 2) if stats.seconds and stats.read else None,
        "pages_per_second": round(stats.pages / stats.seconds, 2) if stats.seconds and stats.pages else None,
        "outputs": [str(p) for p in outputs.paths],
    }
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
        return
    _print_summary(summary)


def confirm_with_records(
    results: list[ExtractionResult], parsed: ParsedExport, options: VerifyOptions
) -> list[ExtractionResult]:
    """Verify again with the records' party master, which confirms (or questions) the names OCR read. Done here,
    not in the workers, so that what the cache keeps does not depend on the records file."""
    parties = PartyMaster.from_records(parsed.records).lookup()
    if not len(parties):
        return results
    again = replace(options, parties=parties)
    return [verify(r, again) if r.invoice is not None and r.status is not Status.rejected else r for r in results]


def _print_summary(s: dict) -> None:
    console = Console()
    table = Table(title="fapiao backfill", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    for cat, n in s["categories"].items():
        table.add_row(cat, str(n))
    table.add_row("drafts written", str(s["drafts"]))
    table.add_row(
        "files (read / from cache / refused)", f"{s['files']} ({s['read']} / {s['from_cache']} / {s['refused']})"
    )
    table.add_row("records", f"{s['records']} ({s['bad_record_rows']} bad rows)")
    table.add_row("time", f"{s['seconds']:.1f} s")
    if s["pages_per_second"]:
        table.add_row("throughput", f"{s['files_per_second']} files/s, {s['pages_per_second']} pages/s")
    console.print(table)
    for p in s["outputs"]:
        console.print(f"  {p}")
