"""Finding invoices from partial facts, in memory and column-wise so that a million rows answer in
milliseconds: part of a number or code, an amount (exact or a range), a date or a range, part of a buyer's or
seller's name (rapidfuzz, tolerant of a wrong character or two, brackets and 有限公司 variants) or of a tax
ID. Rows are system records, extracted invoices (labelled with their document) and drafts alike; every hit
says why it matched.

Rows live in segments (``fapiao.matching.search_segment``) of at most ``SEGMENT_ROWS``: new rows go to the newest
segment, so keeping the index current while invoices arrive costs a rebuild of that small segment only.
Names are held once, globally: a name query is scored against the distinct names (prefiltered by the
characters they share with it), then mapped onto every segment's rows.

Pure: the service fills the index from the database (``fapiao.service.search``); the benchmark fills it
with generated rows."""

from __future__ import annotations

import datetime as dt
import heapq
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from rapidfuzz import fuzz, process

from fapiao.matching.normalize import company_key, tax_id
from fapiao.matching.search_query import KINDS, Query, Reading, Reason, plan
from fapiao.matching.search_segment import MISSING, Segment, cents

__all__ = ["KINDS", "Hit", "Query", "Reason", "SearchIndex", "SearchResult"]

SEGMENT_ROWS = 200_000
NAME_CUTOFF = 80.0
"""rapidfuzz partial-ratio at or above which a name always matches (one wrong character in six scores ~83)."""


def name_cutoff(typed: str) -> float:
    """The partial-ratio a name must reach for what was typed: two wrong characters are tolerated in six or
    more, one in four or five, none in three or fewer (there is no telling a typo from another name then).
    k wrong characters in n score 100·(1 − k/n) against the right name, so that is the cutoff, never above
    ``NAME_CUTOFF``."""
    n = len(typed)
    wrong = 2 if n >= 6 else 1 if n >= 4 else 0
    return min(NAME_CUTOFF, 100.0 * (1 - wrong / max(n, 1))) - 0.01


_NOT_NAME = re.compile(r"[\s()（）\[\]【】〔〕·.,，、'\"“”‘’_\-—]+")


@dataclass(frozen=True)
class Hit:
    kind: str
    ref: str
    score: float
    reasons: tuple[Reason, ...]
    number: str
    """Code and number together, as a number query matches them."""
    invoice_code: str | None
    invoice_number: str
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


class SearchIndex:
    """Rows are appended (``add``) and retired (``retire``, by kind and ref); a changed row is retired and
    added again."""

    def __init__(self) -> None:
        self._segments: list[Segment] = [Segment()]
        self._where: dict[tuple[int, str], tuple[int, int]] = {}
        self._names: list[str] = []
        """Original name per name id (shown in results)."""
        self._name_keys: list[str] = []
        """``company_key`` of each name (legal forms unified, brackets dropped)."""
        self._name_plain: list[str] = []
        """Each name folded but with its legal form as written ("恒瑞有限" should find "恒瑞有限公司")."""
        self._name_id: dict[str, int] = {}
        self._chars: dict[str, list[int]] = {}
        """Character → ids of the names containing it (the name prefilter)."""
        self._char_arrays: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._where)

    # -- filling ---------------------------------------------------------------------------------------------

    def add(
        self,
        kind: str,
        ref: str,
        *,
        code: str | None = None,
        number: str | None = "",
        seller_tax_id: str | None = None,
        buyer_tax_id: str | None = None,
        seller_name: str | None = None,
        buyer_name: str | None = None,
        issue_date: dt.date | None = None,
        total_amount: Decimal | None = None,
        amount_with_tax: Decimal | None = None,
        label: str | None = None,
    ) -> None:
        k = KINDS.index(kind)
        self.retire(kind, ref)
        if len(self._segments[-1]) >= SEGMENT_ROWS:
            self._segments.append(Segment())
        seg = len(self._segments) - 1
        code_part = _alnum(code)
        i = self._segments[seg].append(
            k,
            ref,
            code_part + _alnum(number),
            len(code_part),
            tax_id(seller_tax_id),
            tax_id(buyer_tax_id),
            self._name(seller_name),
            self._name(buyer_name),
            issue_date.toordinal() if issue_date else MISSING,
            cents(total_amount),
            cents(amount_with_tax),
            label,
        )
        self._where[(k, ref)] = (seg, i)

    def refs(self, kind: str) -> set[str]:
        k = KINDS.index(kind)
        return {ref for (kk, ref) in self._where if kk == k}

    def retire(self, kind: str, ref: str) -> None:
        at = self._where.pop((KINDS.index(kind), ref), None)
        if at is not None:
            self._segments[at[0]].retire(at[1])

    def _name(self, name: str | None) -> int:
        if not name or not name.strip():
            return -1
        i = self._name_id.get(name)
        if i is None:
            i = self._name_id[name] = len(self._names)
            self._names.append(name)
            self._name_keys.append(company_key(name))
            plain = _plain(name)
            self._name_plain.append(plain)
            for ch in set(plain):
                self._chars.setdefault(ch, []).append(i)
                self._char_arrays.pop(ch, None)
        return i

    # -- searching -------------------------------------------------------------------------------------------

    def search(self, q: Query, limit: int = 50) -> SearchResult:
        """Best hits first. Raises ValueError for a query with nothing to look for."""
        if q.is_empty():
            raise ValueError("nothing to search for: give a number, amount, date, name or tax ID")
        criteria = plan(q)
        tables = {r.text: self._name_table(r.text) for c in criteria for r in c if r.what == "name"}
        kinds = [KINDS.index(k) for k in q.kinds]
        total = 0
        best: list[tuple[float, int, int, int, tuple[Reason, ...]]] = []
        for s, seg in enumerate(self._segments):
            if not len(seg):
                continue
            seg.prepare()
            rows, scores, per = seg.combine(criteria, tables)
            if not len(rows):
                continue
            keep = seg.alive_a[rows] & np.isin(seg.kind_a[rows], kinds)
            rows, scores = rows[keep], scores[keep]
            total += len(rows)
            order = np.lexsort((-seg.date_a[rows], -scores))[:limit]
            for i in order:
                row = int(rows[i])
                best.append((float(scores[i]), int(seg.date_a[row]), s, row, _reasons(row, per, criteria)))
        top = heapq.nlargest(limit, best, key=lambda t: (t[0], t[1]))
        return SearchResult(total, [self._hit(self._segments[s], row, score, why) for score, _, s, row, why in top])

    def _name_table(self, text: str) -> np.ndarray | None:
        """Score per name id (0 where below the cutoff), with a trailing zero for rows without a name."""
        key, plain = company_key(text), _plain(text)
        if not key or not self._names:
            return None
        if len(plain) <= 2:  # too short to be fuzzy about: the characters must appear as typed
            ids = np.array([i for i, n in enumerate(self._name_plain) if plain in n], dtype=np.int64)
            scores = np.full(len(ids), 100.0, dtype=np.float32)
            cutoff = NAME_CUTOFF
        else:
            ids = self._share_characters(plain)
            if not len(ids):
                return None
            keys = [self._name_keys[i] for i in ids]
            plains = [self._name_plain[i] for i in ids]
            cutoff = min(name_cutoff(key), name_cutoff(plain))
            scores = np.maximum(
                process.cdist(
                    [key], keys, scorer=fuzz.partial_ratio, score_cutoff=name_cutoff(key), workers=-1, dtype=np.float32
                )[0],
                process.cdist(
                    [plain],
                    plains,
                    scorer=fuzz.partial_ratio,
                    score_cutoff=name_cutoff(plain),
                    workers=-1,
                    dtype=np.float32,
                )[0],
            )
        if not (scores >= cutoff).any():
            return None
        table = np.zeros(len(self._names) + 1, dtype=np.float32)
        table[ids] = np.where(scores >= cutoff, scores, 0)
        return table

    def _share_characters(self, plain: str) -> np.ndarray:
        """Ids of names holding at least 60 % of the query's distinct characters: a name within the fuzzy
        cutoff shares most of them, and the rest need not be scored."""
        chars = set(plain)
        counts = np.zeros(len(self._names), dtype=np.int16)
        for ch in chars:
            arr = self._char_arrays.get(ch)
            if arr is None:
                arr = self._char_arrays[ch] = np.array(self._chars.get(ch, ()), dtype=np.int64)
            counts[arr] += 1
        return np.flatnonzero(counts >= max(1, int(0.6 * len(chars))))

    def _hit(self, seg: Segment, i: int, score: float, reasons: tuple[Reason, ...]) -> Hit:
        c = seg.c
        cut = c.code_len[i]
        return Hit(
            kind=KINDS[c.kind[i]],
            ref=c.ref[i],
            score=round(score, 1),
            reasons=reasons,
            number=c.number[i],
            invoice_code=c.number[i][:cut] or None,
            invoice_number=c.number[i][cut:],
            issue_date=seg.date_of(i),
            seller_name=self._names[c.seller_name[i]] if c.seller_name[i] >= 0 else None,
            seller_tax_id=c.seller_id[i] or None,
            buyer_name=self._names[c.buyer_name[i]] if c.buyer_name[i] >= 0 else None,
            amount_with_tax=seg.amount_of(i),
            label=c.label[i],
        )


def _alnum(text: str | None) -> str:
    """A code or number as it is matched: letters and digits only, upper case."""
    return re.sub(r"[^0-9A-Za-z]", "", text or "").upper()


def _reasons(row: int, per: list[tuple[np.ndarray, np.ndarray]], criteria: list[list[Reading]]) -> tuple[Reason, ...]:
    out = []
    for (rows, which), readings in zip(per, criteria, strict=False):
        pos = int(np.searchsorted(rows, row))
        out.append(readings[int(which[pos])].reason)
    return tuple(out)


def _plain(name: str) -> str:
    return _NOT_NAME.sub("", unicodedata.normalize("NFKC", name)).upper()
