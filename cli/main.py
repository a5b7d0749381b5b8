"""The `fapiao` command. `fapiao extract PATH... --json` is a contract other tools depend on: one JSON
object per invoice per line on stdout and nothing else; diagnostics go to stderr."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from fapiao.cli.backfill import backfill
from fapiao.cli.reconcile import reconcile
from fapiao.cli.search import search
from fapiao.core.confidence import DEFAULT_THRESHOLD
from fapiao.core.models import ExtractionResult, Status
from fapiao.core.settings import get_settings
from fapiao.intake.inputs import iter_inputs
from fapiao.intake.pipeline import Pipeline, PipelineOptions
from fapiao.intake.verify import VerifyOptions

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="fapiao: read, verify and reconcile Chinese VAT invoices."
)
err = Console(stderr=True)


@app.command()
def extract(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (walked recursively).")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines on stdout, one object per invoice.")] = False,
    no_ocr: Annotated[
        bool, typer.Option("--no-ocr", help="Reject pages without a text layer instead of OCR'ing them.")
    ] = False,
    own_tax_id: Annotated[list[str], typer.Option("--own-tax-id", help="Your company's tax IDs (buyer check).")] = [],  # noqa: B006
    threshold: Annotated[
        float, typer.Option(help="A key field's confidence must be above this for `verified`.")
    ] = DEFAULT_THRESHOLD,
    parties: Annotated[
        Path | None,
        typer.Option(
            "--parties",
            help="A records export (CSV/XLSX): the buyers' and sellers' names and tax IDs in it"
            " confirm names read by OCR.",
        ),
    ] = None,
) -> None:
    """Read invoices and print what was found, verified and doubted."""
    verify_options = VerifyOptions(
        confidence_threshold=threshold,
        own_tax_ids=frozenset(own_tax_id),
        parties=_party_master(parties) if parties else None,
    )
    options = PipelineOptions(ocr=not no_ocr, verify=verify_options)
    pipeline = Pipeline(options)
    results: list[ExtractionResult] = []
    for path, source in iter_inputs(paths):
        if not path.exists():
            out = [ExtractionResult(source=source, status=Status.rejected, error=f"{source}: no such file")]
        else:
            out = pipeline.process_path(path, source)
        for result in out:
            if as_json:
                sys.stdout.write(json.dumps(result.to_contract(), ensure_ascii=False) + "\n")
                sys.stdout.flush()
            else:
                results.append(result)
    if not as_json:
        _print_table(results)


def _party_master(path: Path):
    from fapiao.matching.headers import MappingError
    from fapiao.matching.parties import PartyMaster
    from fapiao.matching.records_import import parse_export

    if not path.is_file():
        err.print(f"[red]{path}: no such file[/red] — give a records export (CSV or XLSX) with --parties")
        raise typer.Exit(2)
    try:
        parsed = parse_export(path)
    except (MappingError, OSError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    return PartyMaster.from_records(parsed.records).lookup()


def _print_table(results: list[ExtractionResult]) -> None:
    table = Table(title="fapiao extract", show_lines=False)
    for col in ("file", "status", "type", "code / number", "date", "seller", "total", "tax", "with tax"):
        table.add_column(col, overflow="fold")
    notes: list[str] = []
    for r in results:
        inv = r.invoice
        style = {"verified": "green", "needs_review": "yellow", "rejected": "red"}[r.status.value]
        name = Path(r.source).name + (f" p{r.page}" if r.page and r.page > 1 else "")
        if r.error:
            notes.append(f"[red]{name}[/red]: {r.error}")
        for f in r.findings:
            if f.severity.value != "info":
                notes.append(f"{name}: {f.severity.value} {f.code} — {f.message}")
        if inv is None:
            table.add_row(name, f"[{style}]{r.status.value}[/{style}]", *[""] * 7)
            continue
        number = " / ".join(x for x in (inv.invoice_code, inv.invoice_number) if x)
        table.add_row(
            name,
            f"[{style}]{r.status.value}[/{style}]",
            inv.invoice_type.value,
            number,
            str(inv.issue_date or ""),
            inv.seller_name or "",
            _m(inv.total_amount),
            _m(inv.total_tax),
            _m(inv.amount_with_tax),
        )
    console = Console()
    console.print(table)
    for note in notes:
        console.print(note)


def _m(v) -> str:
    return "" if v is None else f"{v:.2f}"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Start the service: API under /api/v1 (docs at /docs), job executor and drop folder, with the data
    directory from FAPIAO_DATA_DIR (default ./data)."""
    import uvicorn

    settings = get_settings()
    err.print(f"fapiao serving on http://{host}:{port} (docs at /docs); data in {settings.data_dir.resolve()}")
    # By name, so the command line and the web layer stay siblings (neither imports the other).
    uvicorn.run("fapiao.api.app:create_app", factory=True, host=host, port=port, log_level="info")


@app.command()
def worker(concurrency: Annotated[int, typer.Option(help="Processes of this worker.")] = 1) -> None:
    """Run a Celery worker for the jobs (needs FAPIAO_BROKER_URL, e.g. redis://127.0.0.1:6379/0)."""
    settings = get_settings()
    if not settings.broker_url:
        err.print("[red]FAPIAO_BROKER_URL is not set[/red]: without a broker, `fapiao serve` processes jobs itself.")
        raise typer.Exit(2)
    from fapiao.service.celery_app import run_worker

    run_worker(settings, concurrency=concurrency)


app.command()(reconcile)
app.command()(backfill)
app.command()(search)

db_app = typer.Typer(help="Database maintenance.")
keys_app = typer.Typer(help="API keys.")
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema (also done at every start)."""
    from fapiao.service.runtime import start_service

    ctx = start_service(get_settings())
    ctx.close()
    err.print("database schema is up to date")


@db_app.command("backup")
def db_backup(dest: Annotated[Path, typer.Argument(help="A new (or empty) folder for the backup.")]) -> None:
    """Copy the database (consistently, while the service runs) and the originals, with a manifest of SHA-256s."""
    from fapiao.service.backup import BackupError, backup

    try:
        manifest = backup(get_settings(), dest)
    except BackupError as exc:
        err.print(f"[red]backup failed[/red]: {exc}")
        raise typer.Exit(2) from None
    err.print(
        f"backed up the {manifest['database']['kind']} database and {len(manifest['files']) - 1} originals to {dest}"
    )


@db_app.command("restore")
def db_restore(src: Annotated[Path, typer.Argument(help="A folder made by `fapiao db backup`.")]) -> None:
    """Bring a backup back (stop the service first): its hashes are checked before anything is written."""
    from fapiao.service.backup import BackupError, restore

    try:
        manifest = restore(get_settings(), src)
    except BackupError as exc:
        err.print(f"[red]restore failed[/red]: {exc}")
        raise typer.Exit(2) from None
    err.print(
        f"restored the {manifest['database']['kind']} database and originals from {src} ({manifest['created_at']})"
    )


@db_app.command("check")
def db_check() -> None:
    """Report documents without their original, damaged originals, invoices without their document and jobs stuck
    in processing; exits 1 when anything is wrong."""
    from fapiao.service.backup import check

    problems = check(get_settings())
    for line in problems:
        print(line)
    if problems:
        err.print(f"[red]{len(problems)} problem(s) found[/red]")
        raise typer.Exit(1)
    err.print("no problems found")


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="uploader | reviewer | admin")],
    name: Annotated[str, typer.Option(help="Who or what the key is for.")] = "",
) -> None:
    """Create an API key; the key is printed alone on the last line (store it: it is not kept)."""
    from fapiao.service.keys import ROLES, create_key
    from fapiao.service.runtime import start_service

    if role not in ROLES:
        err.print(f"[red]unknown role {role!r}[/red]: choose one of {', '.join(ROLES)}")
        raise typer.Exit(2)
    ctx = start_service(get_settings())
    try:
        token = create_key(ctx, role, name)
    finally:
        ctx.close()
    err.print(f"created a {role} key{f' for {name}' if name else ''}; it is shown once:")
    print(token)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
