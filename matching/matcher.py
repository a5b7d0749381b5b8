"""Matching documents to system records, in bulk and in memory (pure: no database, no I/O).

1. Exact key (code + number, or the 20-digit number): accepted at once when the other fields agree.
2. Otherwise candidates from blocking (``fapiao.matching.blocking``): number within one edit (deletion
   neighbourhood) or two substitutions (pigeonhole slices), same seller ID and date, same seller ID and
   amount, same amount within a date window.
3. Every candidate pair is scored 0–100 from the number (Levenshtein), the seller (tax ID, or the normalised
   name with rapidfuzz), the amounts and the date difference; rapidfuzz ``process.cpdist`` scores the pairs
   in C. Thresholds and a margin over the runner-up decide matched / suggested / no match.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from fapiao.matching.blocking import HashIndex, deletion_keys, exact_keys, mix, slice_keys
from fapiao.matching.records import MISSING, RecordTable

NO_MATCH, SUGGESTED, MATCHED = 0, 1, 2
DECISIONS = ("no_match", "suggested", "matched")


@dataclass(frozen=True)
class MatchOptions:
    match_threshold: float = 85.0
    suggest_threshold: float = 60.0
    exact_accept: float = 95.0
    """An exact key is accepted at once only with this score; below it, the key's record competes with the
    blocked candidates (a misread digit can turn a number into its neighbour's)."""
    margin: float = 5.0
    """The best candidate must beat the runner-up by this much to be matched rather than suggested."""
    date_window: int = 3
    """Days either side for the amount block."""
    bucket_cap: int = 256
    weights: dict[str, float] = field(
        default_factory=lambda: {"number": 0.45, "seller": 0.20, "amount": 0.20, "date": 0.15}
    )
    workers: int = -1
    """rapidfuzz workers for pair scoring (-1: all cores)."""


@dataclass
class MatchResult:
    """Per document (query): the best record (-1 for none), its score, the runner-up's score, the decision."""

    record: np.ndarray
    score: np.ndarray
    second: np.ndarray
    decision: np.ndarray
    candidates: int = 0
    """Pairs scored in total (for the benchmark)."""


class RecordIndex:
    """The blocking indexes over one ``RecordTable``; build once, match many batches."""

    def __init__(self, table: RecordTable, options: MatchOptions | None = None) -> None:
        self.table = table
        self.options = options or MatchOptions()
        self.seller_codes: dict[str, int] = {}
        seller = self._seller_column(table)
        self.exact = HashIndex(*exact_keys(table.numbers))
        self.deletions = HashIndex(*deletion_keys(table.numbers))
        self.slices = HashIndex(*slice_keys(table.numbers))
        ids = np.arange(len(table), dtype=np.int64)
        blocks = []
        for tag, cols in (
            (1, (seller, table.dates)),
            (2, (seller, table.totals)),
            (3, (table.totals, table.dates)),
            (4, (table.amounts, table.dates)),
            (5, (seller, table.amounts)),
        ):
            ok = np.ones(len(table), dtype=bool)
            for c in cols:
                ok &= c != MISSING
            blocks.append((tag, mix(*(c[ok] for c in cols), tag=tag), ids[ok]))
        self.by_fields = {tag: HashIndex(h, i) for tag, h, i in blocks}

    def _seller_column(self, table: RecordTable, add: bool = True) -> np.ndarray:
        """Seller tax IDs as integer codes (MISSING for none, or for an ID the records never had)."""
        codes = self.seller_codes
        out = np.empty(len(table), dtype=np.int64)
        for i, sid in enumerate(table.seller_ids):
            if not sid:
                out[i] = MISSING
            elif add:
                out[i] = codes.setdefault(sid, len(codes))
            else:
                out[i] = codes.get(sid, MISSING)
        return out

    # -- matching ---------------------------------------------------------------------------------------

    def match(self, queries: RecordTable) -> MatchResult:
        n = len(queries)
        cap = self.options.bucket_cap
        # 1. exact key, accepted at once when everything else agrees too
        q, r = self.exact.lookup(*exact_keys(queries.numbers), cap)
        keep = np.fromiter(
            (queries.numbers[a] == self.table.numbers[b] for a, b in zip(q.tolist(), r.tolist(), strict=False)),
            dtype=bool,
            count=len(q),
        )
        q, r = q[keep], r[keep]
        scores, strong = self.score_pairs(queries, q, r)
        done = np.zeros(n, dtype=bool)
        accepted = (scores >= self.options.exact_accept) & strong
        done[q[accepted]] = True
        pairs_q, pairs_r = [q], [r]
        # 2. blocking for the rest
        rest = ~done
        sub = _Subset(queries, rest)
        seller = self._seller_column(sub.table, add=False)
        for index, (h, ids) in (
            (self.deletions, deletion_keys(sub.table.numbers)),
            (self.slices, slice_keys(sub.table.numbers)),
        ):
            a, b = index.lookup(h, ids, cap)
            pairs_q.append(sub.ids[a])
            pairs_r.append(b)
        t = sub.table
        for tag, cols in ((1, (seller, t.dates)), (2, (seller, t.totals)), (5, (seller, t.amounts))):
            a, b = self._probe(tag, cols, cap)
            pairs_q.append(sub.ids[a])
            pairs_r.append(b)
        for shift in range(-self.options.date_window, self.options.date_window + 1):
            dates = np.where(t.dates == MISSING, MISSING, t.dates + shift)
            for tag, money in ((3, t.totals), (4, t.amounts)):
                a, b = self._probe(tag, (money, dates), cap)
                pairs_q.append(sub.ids[a])
                pairs_r.append(b)
        q = np.concatenate(pairs_q)
        r = np.concatenate(pairs_r)
        if len(q):
            pair = np.unique(q * len(self.table) + r) if len(self.table) else np.zeros(0, np.int64)
            q, r = pair // max(len(self.table), 1), pair % max(len(self.table), 1)
        scores, strong = self.score_pairs(queries, q, r)
        return _decide(n, q, r, scores, strong, self.options)

    def _probe(self, tag: int, cols: tuple[np.ndarray, ...], cap: int) -> tuple[np.ndarray, np.ndarray]:
        ok = np.ones(len(cols[0]), dtype=bool)
        for c in cols:
            ok &= c != MISSING
        ids = np.nonzero(ok)[0]
        if len(ids) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return self.by_fields[tag].lookup(mix(*(c[ok] for c in cols), tag=tag), ids, cap)

    # -- scoring ----------------------------------------------------------------------------------------

    def score_pairs(self, queries: RecordTable, q: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Scores 0–100 of (query, record) pairs, and whether each pair has enough evidence to be matched
        automatically (three of the four components present, one of them the number or the amount)."""
        parts = self.components(queries, q, r)
        w = self.options.weights
        total = np.zeros(len(q))
        weight = np.zeros(len(q))
        for name, (score, present) in parts.items():
            total += np.where(present, score * w[name], 0.0)
            weight += np.where(present, w[name], 0.0)
        scores = np.where(weight > 0, total / np.maximum(weight, 1e-9), 0.0)
        count = sum(p.astype(int) for _, p in parts.values())
        strong = (count >= 3) & (parts["number"][1] | parts["amount"][1])
        return scores, strong

    def components(
        self, queries: RecordTable, q: np.ndarray, r: np.ndarray
    ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Each component's score (0–100) and whether both sides had the data. Amounts are strict: a different
        amount is a different invoice unless one misread digit explains it."""
        rt = self.table
        ql, rl = q.tolist(), r.tolist()
        workers = self.options.workers
        # number: Levenshtein on code+number; a document without its code is compared with the number part
        qn = [queries.numbers[i] for i in ql]
        rn = [rt.numbers[j] for j in rl]
        qlen = np.fromiter((len(s) for s in qn), dtype=np.int32, count=len(qn))
        for k in np.nonzero((qlen == 8) & ~queries.has_code[q] & rt.has_code[r])[0].tolist():
            rn[k] = rn[k][-8:]
        num_present = np.fromiter((bool(s) for s in qn), dtype=bool, count=len(qn)) & np.fromiter(
            (bool(s) for s in rn), dtype=bool, count=len(rn)
        )
        dist = process.cpdist(qn, rn, scorer=Levenshtein.distance, workers=workers) if ql else np.zeros(0)
        num_score = np.select([dist == 0, dist == 1, dist == 2, dist == 3, dist == 4], [100, 90, 80, 55, 35], 0)
        # seller: the tax ID when both have one, else (or when better) the normalised name
        qs = [queries.seller_ids[i] for i in ql]
        rs = [rt.seller_ids[j] for j in rl]
        id_present = np.fromiter((bool(a) and bool(b) for a, b in zip(qs, rs, strict=False)), dtype=bool, count=len(qs))
        id_dist = process.cpdist(qs, rs, scorer=Levenshtein.distance, workers=workers) if ql else np.zeros(0)
        id_score = np.where(id_present, np.select([id_dist == 0, id_dist == 1], [100, 85], 0), 0)
        qnm = [queries.seller_names[i] for i in ql]
        rnm = [rt.seller_names[j] for j in rl]
        name_present = np.fromiter(
            (bool(a) and bool(b) for a, b in zip(qnm, rnm, strict=False)), dtype=bool, count=len(qnm)
        )
        name_score = np.where(
            name_present, process.cpdist(qnm, rnm, scorer=fuzz.ratio, workers=workers) if ql else np.zeros(0), 0
        )
        seller_score = np.maximum(id_score, name_score)
        seller_present = id_present | name_present
        # amount: equal tax-exclusive or tax-inclusive totals; within a yuan (rounding) scores 80
        diffs, present = [], np.zeros(len(q), dtype=bool)
        for qa, ra in ((queries.amounts[q], rt.amounts[r]), (queries.totals[q], rt.totals[r])):
            ok = (qa != MISSING) & (ra != MISSING)
            diffs.append(np.where(ok, np.abs(qa - ra), np.iinfo(np.int64).max))
            present |= ok
        best = np.minimum(*diffs)
        amount_score = np.select([best == 0, best <= 100, _one_digit(best)], [100.0, 80.0, 50.0], 0.0)
        # date: days apart
        qd, rd = queries.dates[q], rt.dates[r]
        date_present = (qd != MISSING) & (rd != MISSING)
        days = np.where(date_present, np.abs(qd - rd), 10**6)
        date_score = np.select([days == 0, days == 1, days <= 3, days <= 7, days <= 31], [100, 85, 70, 50, 20], 0)
        return {
            "number": (num_score.astype(float), num_present),
            "seller": (seller_score.astype(float), seller_present),
            "amount": (amount_score.astype(float), present),
            "date": (date_score.astype(float), date_present),
        }

    def explain(self, queries: RecordTable, qi: int, ri: int) -> list[str]:
        """The reasons behind one pair's score, for people."""
        q, r = np.array([qi]), np.array([ri])
        parts = self.components(queries, q, r)
        reasons = []
        for name, (score, present) in parts.items():
            reasons.append(f"{name} {score[0]:.0f}" if present[0] else f"{name} missing")
        return reasons


def _one_digit(diff: np.ndarray) -> np.ndarray:
    """Differences of the form d × 10^k: what one misread digit does to an amount (OCR damage)."""
    d = np.where((diff > 0) & (diff < 10**15), diff, 1).astype(np.float64)
    power = 10.0 ** np.floor(np.log10(d))
    return (diff > 100) & (diff < 10**15) & (np.mod(d, power) == 0)


class _Subset:
    """The queries still unmatched, as their own table, with their original positions."""

    def __init__(self, table: RecordTable, mask: np.ndarray) -> None:
        self.ids = np.nonzero(mask)[0]
        idl = self.ids.tolist()
        self.table = RecordTable(
            keys=[table.keys[i] for i in idl],
            numbers=[table.numbers[i] for i in idl],
            seller_ids=[table.seller_ids[i] for i in idl],
            seller_names=[table.seller_names[i] for i in idl],
            dates=table.dates[self.ids],
            amounts=table.amounts[self.ids],
            totals=table.totals[self.ids],
            statuses=table.statuses[self.ids],
            has_code=table.has_code[self.ids],
        )


def _decide(
    n: int, q: np.ndarray, r: np.ndarray, scores: np.ndarray, strong: np.ndarray, options: MatchOptions
) -> MatchResult:
    record = np.full(n, -1, dtype=np.int64)
    best = np.zeros(n)
    second = np.zeros(n)
    decision = np.zeros(n, dtype=np.int8)
    if len(q):
        order = np.lexsort((-scores, q))
        q, r, scores, strong = q[order], r[order], scores[order], strong[order]
        first = np.ones(len(q), dtype=bool)
        first[1:] = q[1:] != q[:-1]
        fi = np.nonzero(first)[0]
        record[q[fi]] = r[fi]
        best[q[fi]] = scores[fi]
        nxt = fi + 1
        has_second = nxt < len(q)
        has_second[has_second] &= q[nxt[has_second]] == q[fi[has_second]]
        second[q[fi[has_second]]] = scores[nxt[has_second]]
        matched = (scores[fi] >= options.match_threshold) & strong[fi] & (scores[fi] - second[q[fi]] >= options.margin)
        suggested = ~matched & (scores[fi] >= options.suggest_threshold)
        decision[q[fi[matched]]] = MATCHED
        decision[q[fi[suggested]]] = SUGGESTED
    record[decision == NO_MATCH] = -1
    return MatchResult(record=record, score=best, second=second, decision=decision, candidates=len(q))
