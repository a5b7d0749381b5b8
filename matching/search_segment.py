"""One segment of the search index: rows added together, kept as columns, with the derived structures a
query needs (numpy arrays, joined strings for substring search, a slice index for near numbers) built once —
so a change to the newest, small segment never rebuilds the million rows before it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from fapiao.matching.blocking import HashIndex, slice_keys
from fapiao.matching.search_query import FILE_KINDS, KINDS, Reading

MISSING = -(2**62)
MAX_HITS = 200_000
"""A reading that matches more rows than this in one segment (e.g. the digit "1") is cut there."""
SLICE_CAP = 20_000
"""Buckets of the near-number slice index larger than this are skipped (a prefix every number shares)."""
_EMPTY = np.empty(0, np.int64)
_FILE_KIND_IDS = frozenset(KINDS.index(k) for k in FILE_KINDS)


@dataclass
class Criterion:
    rows: np.ndarray
    scores: np.ndarray


@dataclass
class Columns:
    kind: list[int] = field(default_factory=list)
    ref: list[str] = field(default_factory=list)
    number: list[str] = field(default_factory=list)
    """Invoice code and number together (what a number query matches)."""
    code_len: list[int] = field(default_factory=list)
    """How many leading characters of ``number`` are the invoice code (0 without one): results show them apart."""
    seller_id: list[str] = field(default_factory=list)
    buyer_id: list[str] = field(default_factory=list)
    seller_name: list[int] = field(default_factory=list)
    buyer_name: list[int] = field(default_factory=list)
    date: list[int] = field(default_factory=list)
    amount: list[int] = field(default_factory=list)
    total: list[int] = field(default_factory=list)
    label: list[str | None] = field(default_factory=list)


class Segment:
    def __init__(self) -> None:
        self.c = Columns()
        self.alive: list[bool] = []
        self._ready = False
        self._slices: HashIndex | None = None
        self._near_cache: tuple[str, np.ndarray, np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self.c.ref)

    def append(
        self,
        kind: int,
        ref: str,
        number: str,
        code_len: int,
        seller_id: str,
        buyer_id: str,
        seller_name: int,
        buyer_name: int,
        date: int,
        amount: int,
        total: int,
        label: str | None,
    ) -> int:
        c = self.c
        for col, v in (
            (c.kind, kind),
            (c.ref, ref),
            (c.number, number),
            (c.code_len, code_len),
            (c.seller_id, seller_id),
            (c.buyer_id, buyer_id),
            (c.seller_name, seller_name),
            (c.buyer_name, buyer_name),
            (c.date, date),
            (c.amount, amount),
            (c.total, total),
            (c.label, label),
        ):
            col.append(v)
        self.alive.append(True)
        self._ready = False
        self._slices = None
        self._near_cache = None
        return len(c.ref) - 1

    def retire(self, i: int) -> None:
        self.alive[i] = False
        if self._ready:
            self.alive_a[i] = False  # no rebuild: a retired row is only masked

    def prepare(self) -> None:
        if self._ready:
            return
        c = self.c
        self.kind_a = np.array(c.kind, dtype=np.int8)
        self.alive_a = np.array(self.alive, dtype=bool)
        self.seller_a = np.array(c.seller_name, dtype=np.int32)
        self.buyer_a = np.array(c.buyer_name, dtype=np.int32)
        self.date_a = np.array(c.date, dtype=np.int64)
        self.amount_a = np.array(c.amount, dtype=np.int64)
        self.total_a = np.array(c.total, dtype=np.int64)
        self.numbers = Joined(c.number)
        self.ids = Joined([f"{s}\x01{b}" for s, b in zip(c.seller_id, c.buyer_id, strict=False)])
        self.files = Joined(
            [(lb or "").casefold() if k in _FILE_KIND_IDS else "" for k, lb in zip(c.kind, c.label, strict=False)]
        )
        self._ready = True

    # -- readings ----------------------------------------------------------------------------------------------

    def evaluate(self, r: Reading, name_table: np.ndarray | None) -> Criterion:
        if r.what == "number":
            rows = self.numbers.containing(r.text)
            return Criterion(rows, np.full(len(rows), 100.0 if len(r.text) >= 8 else 90.0))
        if r.what == "near_number":
            rows, edits = self._near(r.text)
            rows = rows[edits == r.lo]
            return Criterion(rows, np.full(len(rows), 100.0 - 12.0 * r.lo))
        if r.what == "tax_id":
            rows = self.ids.containing(r.text)
            return Criterion(rows, np.full(len(rows), 95.0 if len(r.text) >= 15 else 85.0))
        if r.what == "file":
            rows = self.files.containing(r.text)
            return Criterion(rows, np.full(len(rows), 75.0))
        if r.what == "name":
            if name_table is None:
                return Criterion(_EMPTY, np.empty(0))
            s = np.maximum(name_table[self.seller_a], name_table[self.buyer_a])  # -1 (no name) → the zero at the end
            rows = np.flatnonzero(s)[:MAX_HITS]
            return Criterion(rows, s[rows].astype(float))
        if r.what == "amount":
            a = cents(r.lo) if r.lo is not None else -(2**61)
            b = cents(r.hi) if r.hi is not None else 2**61
            mask = ((self.total_a >= a) & (self.total_a <= b)) | ((self.amount_a >= a) & (self.amount_a <= b))
            rows = np.flatnonzero(mask)[:MAX_HITS]
            return Criterion(rows, np.full(len(rows), 100.0 if r.lo == r.hi else 80.0))
        a = r.lo.toordinal() if r.lo else -(2**61)
        b = r.hi.toordinal() if r.hi else 2**61
        rows = np.flatnonzero((self.date_a >= a) & (self.date_a <= b) & (self.date_a != MISSING))[:MAX_HITS]
        return Criterion(rows, np.full(len(rows), 90.0))

    def _near(self, q: str) -> tuple[np.ndarray, np.ndarray]:
        """Rows whose number is one or two substitutions from ``q`` (not equal to it): candidates from the
        pigeonhole slice index (two wrong digits leave one third intact), checked with Levenshtein. The last
        answer is kept: the one- and two-digit readings of a query ask the same question."""
        if self._near_cache is not None and self._near_cache[0] == q:
            return self._near_cache[1], self._near_cache[2]
        rows, edits = self._near_uncached(q)
        self._near_cache = (q, rows, edits)
        return rows, edits

    def _near_uncached(self, q: str) -> tuple[np.ndarray, np.ndarray]:
        if self._slices is None:
            self._slices = HashIndex(*slice_keys(self.c.number))
        probes, _ = slice_keys([q])
        if not len(probes):
            return _EMPTY, np.empty(0)
        _, cand = self._slices.lookup(probes, np.zeros(len(probes), np.int64), cap=SLICE_CAP)
        cand = np.unique(cand)
        if not len(cand):
            return _EMPTY, np.empty(0)
        d = process.cdist(
            [q], [self.c.number[i] for i in cand], scorer=Levenshtein.distance, score_cutoff=2, dtype=np.int32
        )[0]
        keep = (d >= 1) & (d <= 2)
        return cand[keep], d[keep].astype(float)

    def combine(self, criteria: list[list[Reading]], tables: dict[str, np.ndarray | None]):
        """Rows meeting every criterion (each by its best reading), their mean score, and per criterion the
        sorted rows with the index of the reading that won (to say why, for the few rows shown)."""
        rows = total = None
        per: list[tuple[np.ndarray, np.ndarray]] = []
        for readings in criteria:
            found = [self.evaluate(r, tables.get(r.text) if r.what == "name" else None) for r in readings]
            if not found:
                return _EMPTY, np.empty(0), []
            alt_rows = np.concatenate([f.rows for f in found])
            alt_scores = np.concatenate([f.scores for f in found])
            alt_which = np.concatenate([np.full(len(f.rows), i) for i, f in enumerate(found)])
            order = np.lexsort((-alt_scores, alt_rows))  # by row, best reading first
            alt_rows, alt_scores, alt_which = alt_rows[order], alt_scores[order], alt_which[order]
            first = np.r_[True, alt_rows[1:] != alt_rows[:-1]] if len(alt_rows) else np.empty(0, bool)
            alt_rows, alt_scores, alt_which = alt_rows[first], alt_scores[first], alt_which[first]
            per.append((alt_rows, alt_which))
            if rows is None:
                rows, total = alt_rows, alt_scores.astype(float)
            else:
                rows, ia, ib = np.intersect1d(rows, alt_rows, assume_unique=True, return_indices=True)
                total = total[ia] + alt_scores[ib]
            if not len(rows):
                return _EMPTY, np.empty(0), []
        return rows, total / len(criteria), per

    def date_of(self, i: int) -> str | None:
        d = self.c.date[i]
        return dt.date.fromordinal(d).isoformat() if d != MISSING else None

    def amount_of(self, i: int) -> str | None:
        t = self.c.total[i]
        return f"{Decimal(t) / 100:.2f}" if t != MISSING else None


class Joined:
    """Strings joined with a separator, so that "which rows contain q" is a loop of C-speed ``str.find``."""

    def __init__(self, values: Sequence[str]) -> None:
        self.text = "\x00".join(values) + "\x00"
        self.starts = np.cumsum([0, *(len(v) + 1 for v in values)])[:-1] if values else _EMPTY

    def containing(self, q: str) -> np.ndarray:
        if not q or "\x00" in q:
            return _EMPTY
        found: list[int] = []
        text, find = self.text, self.text.find
        pos = find(q)
        while pos >= 0 and len(found) < MAX_HITS:
            found.append(int(np.searchsorted(self.starts, pos, side="right")) - 1)
            pos = find(q, text.find("\x00", pos) + 1)  # next row: one hit per row
        return np.array(found, dtype=np.int64)


def cents(v: Decimal | None) -> int:
    return MISSING if v is None else int((Decimal(v) * 100).to_integral_value())
