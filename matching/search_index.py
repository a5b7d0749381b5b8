"""Finding invoices from partial facts, in memory and column-wise so that a million rows answer in
milliseconds: part of a number or code, an amount (exact or a range), a date or a range, part of a buyer's or
seller's name (rapidfuzz, tolerant of a wrong character or two, brackets and 有限公司 variants) or of a tax
ID. Rows are system records, extracted invoices (labelled with their document) and drafts alike; every hit
says why it matched.

Pure: the service fills the index from the database (``intake.service.search``); the benchmark fills it
with generated rows."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from matching.normalize import company_key, tax_id

KINDS = ("record", "invoice", "draft")
MISSING = -(2**62)
NAME_CUTOFF = 80.0
"""rapidfuzz partial-ratio below which a name is not taken to match (one wrong character in six scores ~83)."""
MAX_HITS = 200_000
"""A criterion that matches more rows than this (e.g. the digit "1") is too broad to rank; it is cut there."""


@dataclass(frozen=True)
class Query:
    """What to look for; every given criterion must hold (AND). ``text`` is free text: each word is read as
    whatever it can be (a number, a tax ID, an amount, a date, a name) and must match one of those."""

    text: str | None = None
    number: str | None = None
    tax_id: str | None = None
    name: str | None = None
    amount: Decimal | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    kinds: tuple[str, ...] = KINDS

    def is_empty(self) -> bool:
        return not any((self.text and self.text.strip(), self.number, self.tax_id, self.name,
                        self.amount is not None, self.amount_min is not None, self.amount_max is not None,
                        self.date_from, self.date_to))


@dataclass(frozen=True)
class Hit:
    kind: str
    ref: str
    score: float
    reasons: tuple[str, ...]
    number: str
    issue_date: str | None
    seller_name: str | None
    seller_tax_id: str | None
    buyer_name: str | None
    amount_with_tax: str | None
    label: str | None


@dataclass(frozen=True)
class SearchResult:
    total: int
    """Rows meeting the query (before ``limit``)."""
    hits: list[Hit]


@dataclass
class _Criterion:
    rows: np.ndarray
    scores: np.ndarray
    reason: str


@dataclass
class _Columns:
    kind: list[int] = field(default_factory=list)
    ref: list[str] = field(default_factory=list)
    number: list[str] = field(default_factory=list)
    seller_id: list[str] = field(default_factory=list)
    buyer_id: list[str] = field(default_factory=list)
    seller_name: list[int] = field(default_factory=list)
    buyer_name: list[int] = field(default_factory=list)
    date: list[int] = field(default_factory=list)
    amount: list[int] = field(default_factory=list)
    total: list[int] = field(default_factory=list)
    label: list[str | None] = field(default_factory=list)


class SearchIndex:
    """Rows are appended (``add``) and retired (``retire``, by kind and ref); a changed row is retired and
    added again. Derived structures (numpy columns, joined strings) are rebuilt lazily after a change."""

    def __init__(self) -> None:
        self._c = _Columns()
        self._alive: list[bool] = []
        self._where: dict[tuple[int, str], int] = {}
        self._names: list[str] = []
        """Original name per name id (shown in results)."""
        self._name_keys: list[str] = []
        """``company_key`` of each name (legal forms unified, brackets dropped)."""
        self._name_plain: list[str] = []
        """Each name folded but with its legal form as written ("恒瑞有限" should find "恒瑞有限公司")."""
        self._name_id: dict[str, int] = {}
        self._dirty = True

    def __len__(self) -> int:
        return len(self._where)

    # -- filling -------------------------------------------------------------------------------------------

    def add(self, kind: str, ref: str, *, number: str = "", seller_tax_id: str | None = None,
            buyer_tax_id: str | None = None, seller_name: str | None = None, buyer_name: str | None = None,
            issue_date: dt.date | None = None, total_amount: Decimal | None = None,
            amount_with_tax: Decimal | None = None, label: str | None = None) -> None:
        k = KINDS.index(kind)
        self.retire(kind, ref)
        c = self._c
        self._where[(k, ref)] = len(c.ref)
        c.kind.append(k)
        c.ref.append(ref)
        c.number.append(re.sub(r"[^0-9A-Za-z]", "", number or "").upper())
        c.seller_id.append(tax_id(seller_tax_id))
        c.buyer_id.append(tax_id(buyer_tax_id))
        c.seller_name.append(self._name(seller_name))
        c.buyer_name.append(self._name(buyer_name))
        c.date.append(issue_date.toordinal() if issue_date else MISSING)
        c.amount.append(_cents(total_amount))
        c.total.append(_cents(amount_with_tax))
        c.label.append(label)
        self._alive.append(True)
        self._dirty = True

    def refs(self, kind: str) -> set[str]:
        k = KINDS.index(kind)
        return {ref for (kk, ref) in self._where if kk == k}

    def retire(self, kind: str, ref: str) -> None:
        i = self._where.pop((KINDS.index(kind), ref), None)
        if i is not None:
            self._alive[i] = False
            self._dirty = True

    def _name(self, name: str | None) -> int:
        if not name or not name.strip():
            return -1
        i = self._name_id.get(name)
        if i is None:
            i = self._name_id[name] = len(self._names)
            self._names.append(name)
            self._name_keys.append(company_key(name))
            self._name_plain.append(_plain(name))
        return i

    def _prepare(self) -> None:
        if not self._dirty:
            return
        c = self._c
        self.kind_a = np.array(c.kind, dtype=np.int8)
        self.alive_a = np.array(self._alive, dtype=bool)
        self.seller_a = np.array(c.seller_name, dtype=np.int32)
        self.buyer_a = np.array(c.buyer_name, dtype=np.int32)
        self.date_a = np.array(c.date, dtype=np.int64)
        self.amount_a = np.array(c.amount, dtype=np.int64)
        self.total_a = np.array(c.total, dtype=np.int64)
        self._numbers = _Joined(c.number)
        self._ids = _Joined([f"{s}\x01{b}" for s, b in zip(c.seller_id, c.buyer_id)])
        self._dirty = False

    # -- searching ------------------------------------------------------------------------------------------

    def search(self, q: Query, limit: int = 50) -> SearchResult:
        """Best hits first. Raises ValueError for a query with nothing to look for."""
        if q.is_empty():
            raise ValueError("nothing to search for: give a number, amount, date, name or tax ID")
        self._prepare()
        criteria: list[list[_Criterion]] = []  # AND over the outer list, OR inside each
        if q.number:
            criteria.append(self._by_number(q.number))
        if q.tax_id:
            criteria.append([self._by_tax_id(q.tax_id)])
        if q.name:
            criteria.append([self._by_name(q.name)])
        if q.amount is not None:
            criteria.append([self._by_amount(q.amount, q.amount)])
        if q.amount_min is not None or q.amount_max is not None:
            criteria.append([self._by_amount(q.amount_min, q.amount_max)])
        if q.date_from or q.date_to:
            criteria.append([self._by_date(q.date_from, q.date_to)])
        for word in (q.text or "").split():
            criteria.append(self._by_word(word))
        rows, scores, per_criterion = self._combine(criteria)
        keep = self.alive_a[rows] & np.isin(self.kind_a[rows], [KINDS.index(k) for k in q.kinds])
        rows, scores = rows[keep], scores[keep]
        order = np.lexsort((-self.date_a[rows], -scores))[:limit]
        return SearchResult(len(rows), [self._hit(int(rows[i]), float(scores[i]), _reasons(int(rows[i]), per_criterion))
                                        for i in order])

    def _combine(self, criteria: list[list[_Criterion]]):
        """Rows meeting every criterion (each by its best reading), their mean score, and per criterion the
        sorted rows with the reading that won (to say why, for the few rows shown)."""
        rows = total = None
        per_criterion: list[tuple[np.ndarray, np.ndarray, list[str]]] = []
        for options in criteria:
            if not options:
                return np.empty(0, np.int64), np.empty(0), []
            alt_rows = np.concatenate([o.rows for o in options])
            alt_scores = np.concatenate([o.scores for o in options])
            alt_which = np.concatenate([np.full(len(o.rows), i) for i, o in enumerate(options)])
            order = np.lexsort((-alt_scores, alt_rows))  # by row, best reading first
            alt_rows, alt_scores, alt_which = alt_rows[order], alt_scores[order], alt_which[order]
            first = np.r_[True, alt_rows[1:] != alt_rows[:-1]] if len(alt_rows) else np.empty(0, bool)
            alt_rows, alt_scores, alt_which = alt_rows[first], alt_scores[first], alt_which[first]
            per_criterion.append((alt_rows, alt_which, [o.reason for o in options]))
            if rows is None:
                rows, total = alt_rows, alt_scores.astype(float)
            else:
                rows, ia, ib = np.intersect1d(rows, alt_rows, assume_unique=True, return_indices=True)
                total = total[ia] + alt_scores[ib]
        return rows, total / len(criteria), per_criterion

    def _by_word(self, word: str) -> list[_Criterion]:
        """Every reading of a free-text word: digits are a number, a code, a tax ID or an amount; a date looks
        like one; letters are a name or a tax ID."""
        w = unicodedata.normalize("NFKC", word).strip()
        out: list[_Criterion] = []
        day = _date(w)
        if day is not None:
            out.append(self._by_date(*day))
        rng = _amount_range(w)
        if rng is not None:
            out.append(self._by_amount(*rng))
            return out
        money = _money(w)
        if money is not None:
            out.append(self._by_amount(money, money))
        digits = re.sub(r"[\s-]", "", w)
        if re.fullmatch(r"[0-9A-Za-z]+", digits):
            out.extend(self._by_number(digits))
            if len(digits) >= 4:
                out.append(self._by_tax_id(digits))
        if re.search(r"[^\x00-\x7f]", w) or (re.search(r"[A-Za-z]", w) and not re.fullmatch(r"[0-9A-Za-z]{15,20}", w)):
            out.append(self._by_name(w))
        return out

    def _by_number(self, text: str) -> list[_Criterion]:
        """Rows whose code + number contains ``text``; for a whole number (8+ characters) with few such rows,
        also rows within two edits of it (a digit misread or mistyped)."""
        q = re.sub(r"[^0-9A-Za-z]", "", text).upper()
        rows = self._numbers.containing(q)
        out = [_Criterion(rows, np.full(len(rows), 100.0 if len(q) >= 8 else 90.0), f"number contains {q}")]
        if len(q) >= 8 and len(rows) < 20:
            near, edits = self._numbers.near(q, 2, exclude=rows)
            out += [_Criterion(near[edits == e], np.full(int((edits == e).sum()), 100.0 - 12.0 * e),
                               f"number {e:.0f} digit{'s' if e > 1 else ''} away from {q}") for e in (1.0, 2.0)]
        return out

    def _by_tax_id(self, text: str) -> _Criterion:
        q = tax_id(text)
        rows = self._ids.containing(q)
        return _Criterion(rows, np.full(len(rows), 95.0 if len(q) >= 15 else 85.0), f"tax ID contains {q}")

    def _by_name(self, text: str) -> _Criterion:
        key, plain = company_key(text), _plain(text)
        if not key:
            return _Criterion(np.empty(0, np.int64), np.empty(0), "")
        if len(plain) <= 2:  # too short to be fuzzy about: the characters must appear as typed
            scores = np.array([100.0 if plain in n else 0.0 for n in self._name_plain])
        else:
            scores = np.maximum(
                process.cdist([key], self._name_keys, scorer=fuzz.partial_ratio, score_cutoff=NAME_CUTOFF,
                              workers=-1, dtype=np.float32)[0],
                process.cdist([plain], self._name_plain, scorer=fuzz.partial_ratio, score_cutoff=NAME_CUTOFF,
                              workers=-1, dtype=np.float32)[0])
        ids = np.flatnonzero(scores >= NAME_CUTOFF)
        if not len(ids):
            return _Criterion(np.empty(0, np.int64), np.empty(0), "")
        table = np.zeros(len(self._names) + 1, dtype=np.float32)
        table[ids] = scores[ids]
        s = np.maximum(table[self.seller_a], table[self.buyer_a])  # -1 (no name) indexes the zero at the end
        rows = np.flatnonzero(s)[:MAX_HITS]
        return _Criterion(rows, s[rows].astype(float), f"name ≈ {text}")

    def _by_amount(self, lo: Decimal | None, hi: Decimal | None) -> _Criterion:
        a, b = (_cents(lo) if lo is not None else -(2**61)), (_cents(hi) if hi is not None else 2**61)
        mask = ((self.total_a >= a) & (self.total_a <= b)) | ((self.amount_a >= a) & (self.amount_a <= b))
        rows = np.flatnonzero(mask)[:MAX_HITS]
        what = f"amount {lo}" if lo == hi else f"amount in [{lo if lo is not None else '…'}, {hi if hi is not None else '…'}]"
        return _Criterion(rows, np.full(len(rows), 100.0 if lo == hi else 80.0), what)

    def _by_date(self, lo: dt.date | None, hi: dt.date | None) -> _Criterion:
        a = lo.toordinal() if lo else -(2**61)
        b = hi.toordinal() if hi else 2**61
        rows = np.flatnonzero((self.date_a >= a) & (self.date_a <= b) & (self.date_a != MISSING))[:MAX_HITS]
        what = f"issued {lo}" if lo == hi else f"issued {lo or '…'} – {hi or '…'}"
        return _Criterion(rows, np.full(len(rows), 90.0), what)

    def _hit(self, i: int, score: float, reasons: tuple[str, ...]) -> Hit:
        c = self._c
        d = c.date[i]
        return Hit(kind=KINDS[c.kind[i]], ref=c.ref[i], score=round(score, 1), reasons=reasons, number=c.number[i],
                   issue_date=dt.date.fromordinal(d).isoformat() if d != MISSING else None,
                   seller_name=self._names[c.seller_name[i]] if c.seller_name[i] >= 0 else None,
                   seller_tax_id=c.seller_id[i] or None,
                   buyer_name=self._names[c.buyer_name[i]] if c.buyer_name[i] >= 0 else None,
                   amount_with_tax=f"{Decimal(c.total[i]) / 100:.2f}" if c.total[i] != MISSING else None,
                   label=c.label[i])


class _Joined:
    """Strings joined with a separator, so that "which rows contain q" is a loop of C-speed ``str.find``."""

    def __init__(self, values: Sequence[str]) -> None:
        self.values = values
        self.text = "\x00".join(values) + "\x00"
        self.starts = np.cumsum([0, *(len(v) + 1 for v in values)])[:-1] if values else np.empty(0, np.int64)

    def containing(self, q: str) -> np.ndarray:
        if not q or "\x00" in q:
            return np.empty(0, np.int64)
        found: list[int] = []
        text, find = self.text, self.text.find
        pos = find(q)
        while pos >= 0 and len(found) < MAX_HITS:
            row = int(np.searchsorted(self.starts, pos, side="right")) - 1
            found.append(row)
            nxt = text.find("\x00", pos)  # next row: one hit per row
            pos = find(q, nxt + 1)
        return np.array(found, dtype=np.int64)

    def near(self, q: str, max_edits: int, exclude: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rows whose whole value is within ``max_edits`` edits of ``q`` (values of about q's length only)."""
        d = process.cdist([q], self.values, scorer=Levenshtein.distance, score_cutoff=max_edits, workers=-1,
                          dtype=np.int32)[0]
        rows = np.flatnonzero(d <= max_edits)
        rows = rows[~np.isin(rows, exclude)]
        return rows, d[rows].astype(float)


def _reasons(row: int, per_criterion: list[tuple[np.ndarray, np.ndarray, list[str]]]) -> tuple[str, ...]:
    out = []
    for rows, which, texts in per_criterion:
        pos = int(np.searchsorted(rows, row))
        out.append(texts[int(which[pos])])
    return tuple(out)


_NOT_NAME = re.compile(r"[\s()（）\[\]【】〔〕·.,，、'\"“”‘’_\-—]+")


def _plain(name: str) -> str:
    return _NOT_NAME.sub("", unicodedata.normalize("NFKC", name)).upper()


def _cents(v: Decimal | None) -> int:
    return MISSING if v is None else int((Decimal(v) * 100).to_integral_value())


_DATE = re.compile(r"(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?)?$")


def _date(w: str) -> tuple[dt.date, dt.date] | None:
    """2024-03-08 → that day; 2024-03 or 2024年3月 → that month; 20240308 → that day (also a number)."""
    m = re.fullmatch(r"(20\d{2}|19\d{2})(\d{2})(\d{2})", w) or _DATE.fullmatch(w)
    if not m or (m.re is _DATE and m.group(2) is None):
        return None
    y, mo, d = int(m.group(1)), int(m.group(2)), m.group(3)
    try:
        if d is not None:
            day = dt.date(y, mo, int(d))
            return day, day
        first = dt.date(y, mo, 1)
    except ValueError:
        return None
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return first, last


def _money(w: str) -> Decimal | None:
    s = w.replace(",", "").replace("¥", "").replace("￥", "").replace("元", "")
    if not re.fullmatch(r"-?\d{1,12}(\.\d{1,2})?", s):
        return None
    if "." not in s and len(s) > 7:  # long digit strings are numbers, not amounts
        return None
    try:
        return Decimal(s)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None


def _amount_range(w: str) -> tuple[Decimal | None, Decimal | None] | None:
    """"100-200", "100~200", ">1000", "<=50" as amounts."""
    m = re.fullmatch(r"([\d,.]+)\s*[~～–—-]\s*([\d,.]+)", w)
    if m:
        lo, hi = _money(m.group(1)), _money(m.group(2))
        if lo is not None and hi is not None and lo <= hi and ("." in w or len(m.group(1)) < 8):
            return lo, hi
        return None
    m = re.fullmatch(r"(>=?|<=?|≥|≤)\s*([\d,.]+)", w)
    if m:
        v = _money(m.group(2))
        if v is None:
            return None
        return (v, None) if m.group(1) in (">", ">=", "≥") else (None, v)
    return None
