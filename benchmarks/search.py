"""Search benchmark: query latency on 1,000,000 system records (and, with ``--with-db``, the time to load them
from a real SQLite database into the service's index).

    .venv/bin/python -m benchmarks.search [--records 1000000] [--queries 300] [--seed 3] [--with-db]

Records are generated as in ``benchmarks.matching`` (runs of consecutive numbers per seller, 20,000 sellers).
Each query type is run ``--queries`` times with a random target record, and counted as found when that record
is among the 50 best hits returned (with the median number of rows the query matches, to show when
a query is simply too broad for its target to be in the first 50):
  partial number (6 digits of it) · whole number with one wrong digit · exact amount · amount ±5 % within the
  month · seller name with one wrong character · part of the seller's tax ID (8 characters) · free text
  "name-part amount".
Latency is wall time of ``SearchIndex.search`` in this process (2 cores, rapidfuzz using both).
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

from benchmarks.matching import WORDS, _sub_char, make_records
from fapiao.matching.records import MISSING
from fapiao.matching.search_index import Query, SearchIndex


def build(table) -> tuple[SearchIndex, float]:
    start = time.perf_counter()
    ix = SearchIndex()
    for i in range(len(table)):
        d = int(table.dates[i])
        ix.add(
            "record",
            str(i),
            number=table.numbers[i],
            seller_tax_id=table.seller_ids[i],
            seller_name=table.raw_names[i],
            issue_date=dt.date.fromordinal(d) if d != MISSING else None,
            total_amount=Decimal(int(table.amounts[i])) / 100,
            amount_with_tax=Decimal(int(table.totals[i])) / 100,
        )
    ix.search(Query(number="0"), limit=1)  # derive the columns now, not in the first query
    return ix, time.perf_counter() - start


def queries(rng: np.random.Generator, table, n: int) -> dict[str, list[tuple[Query, str]]]:
    out: dict[str, list[tuple[Query, str]]] = {
        k: []
        for k in (
            "partial number",
            "number, 1 wrong digit",
            "exact amount",
            "amount ±5 % in month",
            "name, 1 wrong character",
            "tax ID part",
            "free text name + amount",
        )
    }
    for _ in range(n):
        i = int(rng.integers(0, len(table)))
        ref, num = str(i), table.numbers[i]
        j = int(rng.integers(0, len(num) - 6))
        out["partial number"].append((Query(number=num[j : j + 6]), ref))
        out["number, 1 wrong digit"].append((Query(number=_sub_char(rng, num, "0123456789")), ref))
        total = Decimal(int(table.totals[i])) / 100
        out["exact amount"].append((Query(amount=total), ref))
        day = dt.date.fromordinal(int(table.dates[i]))
        first = day.replace(day=1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        out["amount ±5 % in month"].append(
            (
                Query(
                    amount_min=(total * Decimal("0.95")).quantize(Decimal("0.01")),
                    amount_max=(total * Decimal("1.05")).quantize(Decimal("0.01")),
                    date_from=first,
                    date_to=last,
                ),
                ref,
            )
        )
        name = table.raw_names[i]
        out["name, 1 wrong character"].append(
            (Query(name=_sub_char(rng, name, "".join(WORDS)), date_from=day, date_to=day), ref)
        )
        sid = table.seller_ids[i]
        out["tax ID part"].append((Query(tax_id=sid[4:12], amount=total), ref))
        out["free text name + amount"].append((Query(text=f"{name[2:6]} {total}"), ref))
    return out


def run(records: int, n: int, seed: int, with_db: bool) -> None:
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    table, _ = make_records(rng, records, 20_000)
    gen = time.perf_counter() - t0
    ix, build_s = build(table)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(
        f"search benchmark: {len(table):,} records (generated in {gen:.1f} s, not timed); index built in "
        f"{build_s:.1f} s; peak RSS {rss:.2f} GB"
    )
    all_lat: list[float] = []
    for kind, qs in queries(rng, table, n).items():
        lat, found, totals = [], 0, []
        for q, ref in qs:
            start = time.perf_counter()
            result = ix.search(q, limit=50)
            lat.append((time.perf_counter() - start) * 1000)
            found += any(h.ref == ref for h in result.hits)
            totals.append(result.total)
        all_lat += lat
        print(
            f"  {kind:<26} p50 {statistics.median(lat):7.1f} ms  p95 {_pct(lat, 95):7.1f} ms  "
            f"p99 {_pct(lat, 99):7.1f} ms  target in top 50 {found / len(qs):6.1%}  "
            f"matching rows median {statistics.median(totals):,.0f}"
        )
    print(
        f"  {'all queries':<26} p50 {statistics.median(all_lat):7.1f} ms  p95 {_pct(all_lat, 95):7.1f} ms  "
        f"p99 {_pct(all_lat, 99):7.1f} ms"
    )
    if with_db:
        _db_load(table)


def _db_load(table) -> None:
    """Insert the records into a SQLite database through the real tables, then time the service's first
    refresh (what a restarted service pays once)."""
    from sqlalchemy import insert

    from fapiao.core.settings import Settings
    from fapiao.service.runtime import start_service
    from fapiao.service.search import Searcher
    from fapiao.storage.matching_tables import SystemRecord

    with tempfile.TemporaryDirectory() as tmp:
        ctx = start_service(Settings(data_dir=Path(tmp), drop_folder=False, _env_file=None))
        now = dt.datetime.now(dt.UTC)
        start = time.perf_counter()
        rows = []
        with ctx.engine.begin() as conn:
            for i in range(len(table)):
                code = table.has_code[i]
                num = table.numbers[i]
                rows.append(
                    {
                        "invoice_key": table.keys[i],
                        "invoice_code": num[:-8] if code else None,
                        "invoice_number": num[-8:] if code else num,
                        "seller_tax_id": table.seller_ids[i],
                        "seller_name": table.raw_names[i],
                        "issue_date": dt.date.fromordinal(int(table.dates[i])),
                        "total_amount": Decimal(int(table.amounts[i])) / 100,
                        "amount_with_tax": Decimal(int(table.totals[i])) / 100,
                        "status": "normal",
                        "first_seen": now,
                        "last_seen": now,
                        "changed_at": now,
                    }
                )
                if len(rows) == 20_000:
                    conn.execute(insert(SystemRecord), rows)
                    rows = []
            if rows:
                conn.execute(insert(SystemRecord), rows)
        inserted = time.perf_counter() - start
        searcher = Searcher(ctx)
        start = time.perf_counter()
        searcher.refresh()
        first = time.perf_counter() - start
        start = time.perf_counter()
        searcher.refresh()
        again = time.perf_counter() - start
        ctx.close()
    print(
        f"  database: {len(table):,} records inserted into SQLite in {inserted:.1f} s (not part of search); "
        f"the service's first index load {first:.1f} s; a refresh with nothing new {again * 1000:.0f} ms"
    )


def _pct(values: list[float], p: int) -> float:
    return sorted(values)[min(len(values) - 1, int(p / 100 * (len(values) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--with-db", action="store_true")
    args = parser.parse_args()
    run(args.records, args.queries, args.seed, args.with_db)


if __name__ == "__main__":
    main()
