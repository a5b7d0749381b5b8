"""The system's invoice records in memory: one row type for what an export row says, and a columnar table of
many of them that the matcher indexes (a million ``Record`` objects would cost gigabytes; columns do not)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from fapiao.matching import normalize

STATUSES = ("normal", "voided", "red_letter")


@dataclass(frozen=True, slots=True)
class Record:
    """One invoice as the system knows it; ``key`` is built like ``Invoice.key``."""

    invoice_number: str
    invoice_code: str | None = None
    issue_date: dt.date | None = None
    seller_tax_id: str | None = None
    seller_name: str | None = None
    buyer_tax_id: str | None = None
    buyer_name: str | None = None
    total_amount: Decimal | None = None
    total_tax: Decimal | None = None
    amount_with_tax: Decimal | None = None
    status: str = "normal"
    invoice_kind: str | None = None
    row: int | None = None
    """Row number in the file it was read from (1-based), for messages."""

    @property
    def key(self) -> str:
        return normalize.invoice_key(self.invoice_code, self.invoice_number)  # type: ignore[return-value]


def cents(value: Decimal | None) -> int:
    """Money as integer cents for the numeric arrays; -1 stands for "unknown" only through ``MISSING``."""
    return MISSING if value is None else int((value * 100).to_integral_value())


MISSING = -(2**62)
"""Marks a missing date or amount in the int64 columns."""


class RecordTable:
    """Records (or the documents matched against them) as parallel columns: strings in lists (seller strings
    shared), dates and amounts in int64 arrays. ``records`` keeps the originals when the table was built from
    ``Record`` objects."""

    def __init__(
        self,
        *,
        keys: list[str],
        numbers: list[str],
        seller_ids: list[str],
        seller_names: list[str],
        dates: np.ndarray,
        amounts: np.ndarray,
        totals: np.ndarray,
        statuses: np.ndarray,
        has_code: np.ndarray,
        records: list[Record] | None = None,
    ) -> None:
        self.keys = keys
        self.numbers = numbers
        """code + number without separator (20 characters for both families), the string numbers are matched on."""
        self.seller_ids = seller_ids
        self.seller_names = seller_names
        """Normalised with ``company_key``."""
        self.dates = dates
        self.amounts = amounts
        """Tax-exclusive totals in cents."""
        self.totals = totals
        """价税合计 in cents."""
        self.statuses = statuses
        """0 normal, 1 voided, 2 red_letter."""
        self.has_code = has_code
        """True where the number string starts with an invoice code (its last 8 characters are the number)."""
        self.records = records

    def __len__(self) -> int:
        return len(self.keys)

    @classmethod
    def from_records(cls, records: Iterable[Record]) -> RecordTable:
        recs = list(records)
        shared: dict[str, str] = {}
        names: dict[str | None, str] = {}

        def name_key(n: str | None) -> str:
            if n not in names:
                names[n] = normalize.company_key(n)
            return names[n]

        return cls(
            keys=[r.key for r in recs],
            numbers=[(r.invoice_code or "") + r.invoice_number for r in recs],
            seller_ids=[shared.setdefault(r.seller_tax_id or "", r.seller_tax_id or "") for r in recs],
            seller_names=[name_key(r.seller_name) for r in recs],
            dates=np.array([r.issue_date.toordinal() if r.issue_date else MISSING for r in recs], dtype=np.int64),
            amounts=np.array([cents(r.total_amount) for r in recs], dtype=np.int64),
            totals=np.array([cents(r.amount_with_tax) for r in recs], dtype=np.int64),
            statuses=np.array([STATUSES.index(r.status) for r in recs], dtype=np.int8),
            has_code=np.array([bool(r.invoice_code) for r in recs], dtype=bool),
            records=recs,
        )
