"""A system-records export (the tax bureau's invoice list) for generated invoices, with a share left out as
"missing in the system": what `fapiao backfill` and its benchmark reconcile against. Returns which invoice
keys were left out, so drafts can be scored against the truth."""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from pathlib import Path

from fapiao.core.models import Invoice
from fapiao.matching.export import KIND_ZH, TAX_BUREAU_HEADERS


def export_row(inv: Invoice) -> list[str]:
    digital = not inv.invoice_code
    return [
        inv.invoice_code or "",
        "" if digital else (inv.invoice_number or ""),
        inv.invoice_number if digital else "",
        inv.seller_tax_id or "",
        inv.seller_name or "",
        inv.buyer_tax_id or "",
        inv.buyer_name or "",
        inv.issue_date.isoformat() if inv.issue_date else "",
        _m(inv.total_amount),
        _m(inv.total_tax),
        _m(inv.amount_with_tax),
        "正常",
        KIND_ZH.get(inv.invoice_type, ""),
    ]


def write_records_export(invoices: Sequence[Invoice], path: Path, missing_share: float, seed: int) -> set[str]:
    """CSV with the tax bureau's headers; each invoice is left out with probability ``missing_share``.
    Returns the keys left out."""
    rng = random.Random(seed)
    missing: set[str] = set()
    seen: set[str] = set()
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(TAX_BUREAU_HEADERS)
        for inv in invoices:
            if not inv.key or inv.key in seen:
                continue
            seen.add(inv.key)
            if rng.random() < missing_share:
                missing.add(inv.key)
                continue
            w.writerow(export_row(inv))
    return missing


def _m(v) -> str:
    return "" if v is None else f"{v:.2f}"
