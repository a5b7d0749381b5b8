"""Statistics over the invoices read: counts and amounts (金额, 税额, 价税合计) by month, seller, invoice type and
tax rate, and per month the shares that reconciliation found matched or missing and that still need review.
Grouped in Python over a narrow column selection, so SQLite and PostgreSQL give the same answer."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

import openpyxl
from sqlalchemy import select
from sqlalchemy.orm import Session

from fapiao.core.models import Status
from fapiao.core.states import ReviewState
from fapiao.matching.cell_text import as_text
from fapiao.storage.service_tables import ExtractedInvoice

GROUPS = ("month", "seller", "type", "rate")
TOTAL_COLUMNS = ("key", "label", "invoices", "total_amount", "total_tax", "amount_with_tax", "duplicates")
"""``duplicates``: further copies of invoices already counted (the same invoice uploaded as a PDF and as a
scan); they add nothing to the counts and amounts."""
SHARE_COLUMNS = (
    "month",
    "invoices",
    "reconciled",
    "matched",
    "missing_in_system",
    "needs_review",
    "matched_share",
    "missing_share",
    "needs_review_share",
)
ZERO = Decimal("0.00")


def _rows(s: Session, date_from: dt.date | None, date_to: dt.date | None, with_items: bool = False):
    """Each invoice read, with whether it is a further copy of an invoice (the same key) read before: every
    invoice is counted once, however many times it was uploaded."""
    t = ExtractedInvoice
    cols = [
        t.issue_date,
        t.seller_name,
        t.seller_tax_id,
        t.invoice_type,
        t.total_amount,
        t.total_tax,
        t.amount_with_tax,
        t.status,
        t.review,
        t.match_category,
    ]
    if with_items:
        cols.append(t.payload)
    stmt = select(*cols, t.invoice_key).where(t.review != ReviewState.rejected).order_by(t.id)
    if date_from:
        stmt = stmt.where(t.issue_date >= date_from)
    if date_to:
        stmt = stmt.where(t.issue_date <= date_to)
    seen: set[str] = set()
    for r in s.execute(stmt):
        copy = r.invoice_key is not None and r.invoice_key in seen
        if r.invoice_key is not None:
            seen.add(r.invoice_key)
        yield r, copy


def totals(s: Session, group: str, date_from: dt.date | None = None, date_to: dt.date | None = None) -> list[dict]:
    """One row per month / seller (tax ID) / invoice type / tax rate, largest 价税合计 first (months in order)."""
    if group not in GROUPS:
        raise ValueError(f"group must be one of {', '.join(GROUPS)}")
    acc: dict[str, dict] = {}

    def add(key: str, label: str, amount, tax, with_tax, copy: bool = False) -> None:
        row = acc.setdefault(
            key,
            {
                "key": key,
                "label": label,
                "invoices": 0,
                "total_amount": ZERO,
                "total_tax": ZERO,
                "amount_with_tax": ZERO,
                "duplicates": 0,
            },
        )
        if copy:
            row["duplicates"] += 1
            return
        row["invoices"] += 1
        row["total_amount"] += amount or ZERO
        row["total_tax"] += tax or ZERO
        row["amount_with_tax"] += with_tax or ZERO

    for r, copy in _rows(s, date_from, date_to, with_items=group == "rate"):
        if group == "month":
            key = r.issue_date.strftime("%Y-%m") if r.issue_date else "unknown"
            add(key, key, r.total_amount, r.total_tax, r.amount_with_tax, copy)
        elif group == "seller":
            add(
                r.seller_tax_id or r.seller_name or "unknown",
                r.seller_name or "",
                r.total_amount,
                r.total_tax,
                r.amount_with_tax,
                copy,
            )
        elif group == "type":
            kind = r.invoice_type or "unknown"
            add(kind, kind, r.total_amount, r.total_tax, r.amount_with_tax, copy)
        else:
            for rate, (amount, tax) in _by_rate(r.payload).items():
                add(rate, rate, amount, tax, amount + tax, copy)
    rows = list(acc.values())
    if group == "month":
        return sorted(rows, key=lambda x: x["key"])
    return sorted(rows, key=lambda x: (-x["amount_with_tax"], x["key"]))


def _by_rate(payload: dict) -> dict[str, tuple[Decimal, Decimal]]:
    """Line amounts and taxes of one invoice per tax rate (免税 / 不征税 / *** kept as printed)."""
    out: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for item in ((payload or {}).get("invoice") or {}).get("items") or []:
        rate = item.get("tax_rate") or "unknown"
        out[rate][0] += _dec(item.get("amount"))
        out[rate][1] += _dec(item.get("tax"))
    return {k: (v[0], v[1]) for k, v in out.items()}


def _dec(v) -> Decimal:
    try:
        return Decimal(str(v)) if v not in (None, "") else ZERO
    except InvalidOperation:
        return ZERO


def shares(s: Session, date_from: dt.date | None = None, date_to: dt.date | None = None) -> list[dict]:
    """Per month of issue: how many invoices, how many the latest reconciliation matched (with or without
    differences) or found missing in the system, and how many still wait for a reviewer. Each invoice is counted
    once (a further copy of it is not); the reviewer's work counts every copy waiting in the queue."""
    acc: dict[str, dict] = {}
    for r, copy in _rows(s, date_from, date_to):
        month = r.issue_date.strftime("%Y-%m") if r.issue_date else "unknown"
        row = acc.setdefault(
            month,
            {"month": month, "invoices": 0, "reconciled": 0, "matched": 0, "missing_in_system": 0, "needs_review": 0},
        )
        row["needs_review"] += r.status == Status.needs_review and r.review == ReviewState.pending  # a copy is work too
        if copy:
            continue
        row["invoices"] += 1
        row["reconciled"] += r.match_category is not None
        row["matched"] += r.match_category in ("matched", "matched_with_differences")
        row["missing_in_system"] += r.match_category == "missing_in_system"
    out = []
    for row in sorted(acc.values(), key=lambda x: x["month"]):
        n, rec = row["invoices"], row["reconciled"]
        row["matched_share"] = round(row["matched"] / rec, 4) if rec else None
        row["missing_share"] = round(row["missing_in_system"] / rec, 4) if rec else None
        row["needs_review_share"] = round(row["needs_review"] / n, 4) if n else None
        out.append(row)
    return out


def to_xlsx(rows: Sequence[dict], columns: Sequence[str], sheet: str, headers: Sequence[str] | None = None) -> bytes:
    """A table as a workbook: amounts as numbers with two decimals, shares as percentages. ``headers`` are the
    column titles a person reads (the UI gives them in its language); the column keys by default."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    ws.append(list(headers or columns))
    for row in rows:
        ws.append([row.get(c) for c in columns])
    for idx, c in enumerate(columns, start=1):
        fmt = (
            "0.00"
            if c in ("total_amount", "total_tax", "amount_with_tax")
            else "0.0%"
            if c.endswith("_share")
            else None
        )
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, min_col=idx, max_col=idx):
                cell.number_format = fmt
    as_text(ws)  # a seller named "=…" stays text
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def json_rows(rows: Sequence[dict]) -> list[dict]:
    """Amounts as strings with two decimals, as everywhere in the API."""
    return [{k: (f"{v:.2f}" if isinstance(v, Decimal) else v) for k, v in r.items()} for r in rows]
