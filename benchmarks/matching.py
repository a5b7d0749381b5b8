"""Matching benchmark: 1,000,000 synthetic system records, 100,000 extracted invoices with OCR damage; reports
precision and recall of the match decisions, wall time, peak memory, and the speed of naive all-pairs
rapidfuzz on a 10,000 × 10,000 subset beside the blocked matcher on the same subset.

    .venv/bin/python -m benchmarks.matching [--records 1000000] [--queries 100000] [--seed 5]

Records come in runs of consecutive numbers from one seller on neighbouring days (as real issuers produce
them), so many records are one digit apart from another record of the same seller: the hard case.
Damage per extracted invoice (independent): invoice number with one (20 %) or two (10 %) wrong digits or a
dropped digit (2 %); seller name with one or two wrong characters (30 %); seller tax ID with a wrong
character (10 %) or missing (5 %); issue date missing (5 %); tax-exclusive amount missing (5 %); 价税合计
missing (5 %); invoice code missing (3 % of the coded ones); seller name missing (3 %). 5 % of the invoices are
truly missing from the records; 1 % are a second copy of another invoice (with their own damage).
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time

import numpy as np
from rapidfuzz import fuzz, process

from fapiao.matching.matcher import MATCHED, SUGGESTED, MatchOptions, RecordIndex
from fapiao.matching.normalize import company_key
from fapiao.matching.records import MISSING, RecordTable

ALPHABET = np.array(list("0123456789ABCDEFGHJKLMNPQRTUWXY"))
REGIONS = [
    "北京",
    "上海",
    "广州",
    "深圳",
    "杭州",
    "南京",
    "成都",
    "武汉",
    "西安",
    "苏州",
    "天津",
    "重庆",
    "青岛",
    "厦门",
]
WORDS = list(
    "华泰恒瑞信达宏远鑫盛海天中科创新智能电子科技贸易实业建筑工程物流供应链医疗器械食品餐饮酒店管理咨询服务"
    "文化传媒网络软件信息技术材料化工机械设备制造能源环保汽车销售租赁"
)
FORMS = ["有限公司", "股份有限公司", "有限责任公司", "科技有限公司", "贸易有限公司"]
DAY0 = dt.date(2023, 1, 1).toordinal()


def make_sellers(rng: np.random.Generator, n: int) -> tuple[list[str], list[str]]:
    ids = ["".join(row) for row in ALPHABET[rng.integers(0, 31, size=(n, 18))]]
    ids = [("91" + s[2:]) for s in ids]
    names = []
    for i in range(n):
        word = "".join(rng.choice(WORDS, size=int(rng.integers(2, 5))))
        names.append(f"{REGIONS[i % len(REGIONS)]}{word}{FORMS[i % len(FORMS)]}")
    return ids, names


def make_records(rng: np.random.Generator, n: int, sellers: int) -> tuple[RecordTable, list[str]]:
    """``n`` records in runs of 1–20 consecutive numbers per seller; returns the table and seller names."""
    seller_ids, seller_names = make_sellers(rng, sellers)
    weights = 1.0 / np.arange(1, sellers + 1) ** 0.8
    weights /= weights.sum()
    run_len = rng.integers(1, 21, size=n // 5 + 10)
    run_len = run_len[: np.searchsorted(np.cumsum(run_len), n) + 1]
    runs = len(run_len)
    run_seller = rng.choice(sellers, size=runs, p=weights)
    run_day = rng.integers(0, 730, size=runs)
    run_digital = rng.random(runs) < 0.7
    run_base = rng.integers(10**11, 10**15 - 10**3, size=runs)
    run_prov = rng.integers(11, 66, size=runs)
    run_code = rng.integers(10**11, 10**12 - 1, size=runs)
    idx = np.repeat(np.arange(runs), run_len)[:n]
    offset = np.arange(len(idx)) - np.repeat(np.cumsum(run_len) - run_len, run_len)[:n]
    seq = run_base[idx] + offset
    numbers = [
        (f"{24 + (day > 365)}{prov}{int(d)}{s:015d}" if dig else f"0{c % 10**11:011d}{s % 10**8:08d}")
        for dig, prov, d, s, c, day in zip(
            run_digital[idx].tolist(),
            run_prov[idx].tolist(),
            (seq % 2).tolist(),
            seq.tolist(),
            run_code[idx].tolist(),
            run_day[idx].tolist(),
            strict=False,
        )
    ]
    has_code = ~run_digital[idx]
    # runs of different issuers may collide: keep the first of each number
    seen: set[str] = set()
    keep = np.fromiter((not (s in seen or seen.add(s)) for s in numbers), dtype=bool, count=len(numbers))
    numbers = [s for s, k in zip(numbers, keep, strict=False) if k]
    idx, offset, has_code = idx[keep], offset[keep], has_code[keep]
    m = len(numbers)
    dates = DAY0 + run_day[idx] + (offset // 7)
    amounts = np.round(rng.lognormal(8.0, 1.5, size=m) * 100).astype(np.int64) + 100
    rates = rng.choice(np.array([13, 9, 6, 3, 1]), size=m, p=[0.5, 0.15, 0.25, 0.07, 0.03])
    taxes = np.round(amounts * rates / 100).astype(np.int64)
    statuses = rng.choice(np.array([0, 1, 2], dtype=np.int8), size=m, p=[0.97, 0.02, 0.01])
    name_keys = [company_key(s) for s in seller_names]
    sel = run_seller[idx].tolist()
    table = RecordTable(
        keys=[f"{s[:-8]}:{s[-8:]}" if c else s for s, c in zip(numbers, has_code.tolist(), strict=False)],
        numbers=numbers,
        seller_ids=[seller_ids[i] for i in sel],
        seller_names=[name_keys[i] for i in sel],
        dates=dates.astype(np.int64),
        amounts=amounts,
        totals=amounts + taxes,
        statuses=statuses,
        has_code=has_code,
    )
    table.raw_names = [seller_names[i] for i in sel]  # type: ignore[attr-defined]
    return table, seller_names


def _sub_char(rng: np.random.Generator, s: str, pool: str) -> str:
    if not s:
        return s
    i = int(rng.integers(0, len(s)))
    c = pool[int(rng.integers(0, len(pool)))]
    while c == s[i]:
        c = pool[int(rng.integers(0, len(pool)))]
    return s[:i] + c + s[i + 1 :]


def make_queries(
    rng: np.random.Generator, records: RecordTable, n: int, missing: RecordTable
) -> tuple[RecordTable, np.ndarray]:
    """``n`` extracted invoices: 94 % from the records, 5 % from ``missing``, 1 % second copies; damaged."""
    n_missing = int(n * 0.05)
    n_dup = int(n * 0.01)
    n_found = n - n_missing - n_dup
    picks = rng.choice(len(records), size=n_found, replace=False)
    truth = np.concatenate([picks, np.full(n_missing, -1)])
    src = [(records, int(i)) for i in picks] + [(missing, i) for i in range(n_missing)]
    dup = rng.choice(len(src), size=n_dup, replace=False)
    src += [src[int(i)] for i in dup]
    truth = np.concatenate([truth, truth[dup]])
    order = rng.permutation(len(src))
    src = [src[i] for i in order]
    truth = truth[order]
    digits, cjk = "0123456789", "".join(WORDS)
    keys, numbers, sids, names = [], [], [], []
    dates = np.empty(n, np.int64)
    amounts = np.empty(n, np.int64)
    totals = np.empty(n, np.int64)
    has_code = np.empty(n, bool)
    u = rng.random((n, 12))
    for k, (t, i) in enumerate(src):
        num, code = t.numbers[i], bool(t.has_code[i])
        if u[k, 0] < 0.20:
            num = _sub_char(rng, num, digits)
        elif u[k, 0] < 0.30:
            num = _sub_char(rng, _sub_char(rng, num, digits), digits)
        elif u[k, 0] < 0.32:
            j = int(rng.integers(0, len(num)))
            num = num[:j] + num[j + 1 :]
        if code and u[k, 1] < 0.03:
            num, code = num[-8:], False
        name = t.raw_names[i]
        if u[k, 2] < 0.30:
            name = _sub_char(rng, name, cjk)
            if u[k, 2] < 0.10:
                name = _sub_char(rng, name, cjk)
        if u[k, 3] < 0.03:
            name = ""
        sid = t.seller_ids[i]
        if u[k, 4] < 0.10:
            sid = _sub_char(rng, sid, "0123456789ABCDEFGHJKLMNPQRTUWXY")
        elif u[k, 4] < 0.15:
            sid = ""
        keys.append(num)
        numbers.append(num)
        sids.append(sid)
        names.append(company_key(name))
        dates[k] = MISSING if u[k, 5] < 0.05 else t.dates[i]
        amounts[k] = MISSING if u[k, 6] < 0.05 else t.amounts[i]
        totals[k] = MISSING if u[k, 7] < 0.05 else t.totals[i]
        has_code[k] = code
    table = RecordTable(
        keys=keys,
        numbers=numbers,
        seller_ids=sids,
        seller_names=names,
        dates=dates,
        amounts=amounts,
        totals=totals,
        statuses=np.zeros(n, np.int8),
        has_code=has_code,
    )
    return table, truth


def evaluate(decision: np.ndarray, record: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    matched = decision == MATCHED
    correct = matched & (record == truth)
    positives = truth >= 0
    return {
        "precision": correct.sum() / max(matched.sum(), 1),
        "recall": correct.sum() / max(positives.sum(), 1),
        "matched": int(matched.sum()),
        "wrong": int((matched & (record != truth)).sum()),
        "suggested": int((decision == SUGGESTED).sum()),
        "missing_declared": int((decision != MATCHED).sum()),
        "missing_true_not_matched": int((~matched & ~positives).sum()),
        "missing_true": int((~positives).sum()),
    }


def subset(table: RecordTable, ids: np.ndarray) -> RecordTable:
    il = ids.tolist()
    out = RecordTable(
        keys=[table.keys[i] for i in il],
        numbers=[table.numbers[i] for i in il],
        seller_ids=[table.seller_ids[i] for i in il],
        seller_names=[table.seller_names[i] for i in il],
        dates=table.dates[ids],
        amounts=table.amounts[ids],
        totals=table.totals[ids],
        statuses=table.statuses[ids],
        has_code=table.has_code[ids],
    )
    if hasattr(table, "raw_names"):
        out.raw_names = [table.raw_names[i] for i in il]  # type: ignore[attr-defined]
    return out


def naive(records: RecordTable, queries: RecordTable, options: MatchOptions) -> tuple[np.ndarray, np.ndarray, float]:
    """All pairs: rapidfuzz cdist on numbers and names, numpy broadcasting on amounts and dates."""
    start = time.perf_counter()
    num = process.cdist(queries.numbers, records.numbers, scorer=fuzz.ratio, workers=-1, dtype=np.uint8)
    name = process.cdist(queries.seller_names, records.seller_names, scorer=fuzz.ratio, workers=-1, dtype=np.uint8)
    score = num.astype(np.float32) * 0.45 + name.astype(np.float32) * 0.20
    del num, name
    score += np.where(queries.totals[:, None] == records.totals[None, :], 20.0, 0.0).astype(np.float32)
    score += np.where(queries.dates[:, None] == records.dates[None, :], 15.0, 0.0).astype(np.float32)
    best = score.argmax(axis=1)
    top = score[np.arange(len(best)), best]
    decision = np.where(top >= options.match_threshold, MATCHED, 0)
    return decision, best, time.perf_counter() - start


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=100_000)
    ap.add_argument("--sellers", type=int, default=20_000)
    ap.add_argument("--subset", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    pool, _ = make_records(rng, args.records + int(args.queries * 0.05) + 1000, args.sellers)
    n_missing = int(args.queries * 0.05)
    perm = rng.permutation(len(pool))
    records = subset(pool, np.sort(perm[: args.records]))
    missing = subset(pool, perm[args.records : args.records + n_missing])
    del pool
    queries, truth = make_queries(rng, records, args.queries, missing)
    gen = time.perf_counter() - t0
    print(
        f"generated {len(records):,} records, {len(queries):,} invoices in {gen:.1f} s; rss {peak_mb():.0f} MB",
        file=sys.stderr,
    )

    options = MatchOptions()
    t1 = time.perf_counter()
    index = RecordIndex(records, options)
    t_index = time.perf_counter() - t1
    result = index.match(queries)
    t_match = time.perf_counter() - t1 - t_index
    full = evaluate(result.decision, result.record, truth)
    peak = peak_mb()

    # the same scoring, all pairs, on a subset: 10,000 invoices and 10,000 records holding their matches
    q_ids = np.nonzero(truth >= 0)[0][: int(args.subset * 0.95)]
    q_ids = np.concatenate([q_ids, np.nonzero(truth < 0)[0][: args.subset - len(q_ids)]])
    r_true = np.unique(truth[q_ids][truth[q_ids] >= 0])
    others = np.setdiff1d(rng.choice(len(records), size=args.subset * 2, replace=False), r_true)
    r_ids = np.concatenate([r_true, others[: args.subset - len(r_true)]])
    sub_r, sub_q = subset(records, r_ids), subset(queries, q_ids)
    remap = np.full(len(records), -1)
    remap[r_ids] = np.arange(len(r_ids))
    sub_truth = np.where(truth[q_ids] >= 0, remap[np.maximum(truth[q_ids], 0)], -1)
    n_dec, n_rec, t_naive = naive(sub_r, sub_q, options)
    t2 = time.perf_counter()
    sub_res = RecordIndex(sub_r, options).match(sub_q)
    t_blocked = time.perf_counter() - t2
    naive_eval = evaluate(n_dec, n_rec, sub_truth)
    blocked_eval = evaluate(sub_res.decision, sub_res.record, sub_truth)

    def pct(x: float) -> str:
        return f"{100 * x:.2f} %"

    print(f"date {dt.date.today().isoformat()}, machine: {args.__dict__}")
    print(f"full run: {len(records):,} records × {len(queries):,} invoices")
    print(
        f"  precision {pct(full['precision'])}, recall {pct(full['recall'])}; matched {full['matched']:,}, "
        f"wrong {full['wrong']}, suggested {full['suggested']:,}, truly missing {full['missing_true']:,} "
        f"of which not matched {full['missing_true_not_matched']:,}"
    )
    print(
        f"  index build {t_index:.1f} s, matching {t_match:.1f} s, total {t_index + t_match:.1f} s; "
        f"candidate pairs scored {result.candidates:,}; peak RSS {peak:.0f} MB (incl. generation)"
    )
    print(
        f"subset {len(sub_r):,} × {len(sub_q):,}: naive all-pairs {t_naive:.2f} s (precision "
        f"{pct(naive_eval['precision'])}, recall {pct(naive_eval['recall'])}); blocked {t_blocked:.2f} s "
        f"(precision {pct(blocked_eval['precision'])}, recall {pct(blocked_eval['recall'])}); "
        f"ratio {t_naive / t_blocked:.1f}×"
    )
    pairs_full = len(records) * len(queries)
    print(f"  naive extrapolated to the full run: {t_naive * pairs_full / (len(sub_r) * len(sub_q)) / 3600:.1f} h")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
