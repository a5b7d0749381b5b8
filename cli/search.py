"""`fapiao search [WORDS…] [--number …] [--amount …] …`: the service's search from the command line, on the
database the settings name (FAPIAO_DATA_DIR / FAPIAO_DATABASE_URL)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from fapiao.core.settings import get_settings
from fapiao.matching.search_index import KINDS, Query

err = Console(stderr=True)


def search(
    words: Annotated[
        list[str] | None,
        typer.Argument(help="Free text: numbers, amounts (1058.94, 100-200), dates (2024-03), names, tax IDs."),
    ] = None,
    number: Annotated[str | None, typer.Option(help="Part of an invoice number or code.")] = None,
    tax_id: Annotated[str | None, typer.Option("--tax-id", help="Part of a tax ID.")] = None,
    name: Annotated[str | None, typer.Option(help="Part of a buyer's or seller's name (typos tolerated).")] = None,
    amount: Annotated[str | None, typer.Option(help="Exact amount (金额 or 价税合计).")] = None,
    amount_min: Annotated[str | None, typer.Option("--min", help="Smallest amount.")] = None,
    amount_max: Annotated[str | None, typer.Option("--max", help="Largest amount.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Issued on or after (YYYY-MM-DD).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Issued on or before (YYYY-MM-DD).")] = None,
    kind: Annotated[list[str] | None, typer.Option(help="record, invoice or draft (repeatable).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per hit, one per line.")] = False,
) -> None:
    """Find invoices, records and drafts from whatever you have: part of a number, an amount, half a name."""
    from fapiao.service.runtime import start_service
    from fapiao.service.search import searcher

    bad = [k for k in kind or [] if k not in KINDS]
    if bad:
        err.print(f"[red]unknown kind {bad[0]!r}[/red]: choose from {', '.join(KINDS)}")
        raise typer.Exit(2)
    query = Query(
        text=" ".join(words or []) or None,
        number=number,
        tax_id=tax_id,
        name=name,
        amount=_money(amount, "--amount"),
        amount_min=_money(amount_min, "--min"),
        amount_max=_money(amount_max, "--max"),
        date_from=_day(date_from, "--from"),
        date_to=_day(date_to, "--to"),
        kinds=tuple(kind) if kind else KINDS,
    )
    if query.is_empty():
        err.print(
            "[red]nothing to search for[/red]: give words, or --number, --tax-id, --name,"
            " --amount, --min/--max, --from/--to"
        )
        raise typer.Exit(2)
    ctx = start_service(get_settings())
    try:
        found = searcher(ctx).search(query, limit)
    finally:
        ctx.close()
    hits = found["hits"]
    if as_json:
        for h in hits:
            print(json.dumps(h, ensure_ascii=False))
        return
    table = Table(
        title=f"fapiao search: {found['total']} match(es)"
        + (f", best {len(hits)} shown" if found["total"] > len(hits) else "")
    )
    for col in ("kind", "id", "code", "number", "date", "seller", "amount", "score", "why"):
        table.add_column(col, overflow="fold")
    for h in hits:
        table.add_row(
            h["kind"],
            h["ref"],
            h["invoice_code"] or "",
            h["invoice_number"],
            h["issue_date"] or "",
            h["seller_name"] or "",
            h["amount_with_tax"] or "",
            f"{h['score']:.0f}",
            "; ".join(h["reasons"]),
        )
    Console().print(table)


def _money(v: str | None, option: str) -> Decimal | None:
    if v is None:
        return None
    try:
        return Decimal(v.replace(",", ""))
    except InvalidOperation:
        err.print(f"[red]{option} {v!r} is not an amount[/red] — write it as 1058.94")
        raise typer.Exit(2) from None


def _day(v: str | None, option: str) -> dt.date | None:
    if v is None:
        return None
    try:
        return dt.date.fromisoformat(v)
    except ValueError:
        err.print(f"[red]{option} {v!r} is not a date[/red] — write it as YYYY-MM-DD")
        raise typer.Exit(2) from None
