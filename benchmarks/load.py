"""Load benchmark: N uploads at concurrency C against a local `fapiao serve`, then wait for every job.

    .venv/bin/python -m benchmarks.load --uploads 1000 --concurrency 20

Starts the server on 127.0.0.1 with a temporary data directory (SQLite, in-process executor), creates an
uploader key with the CLI, uploads distinct generated invoice PDFs, and reports accept latency (p50/p99),
documents processed per minute, and how many accepted documents did not end `done` (lost must be 0).
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from fapiao.core.models import InvoiceType
from samples.generator.pdf import render_pdf
from samples.generator.truth import random_invoice


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _documents(n: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    kinds = [InvoiceType.digital_normal, InvoiceType.digital_special, InvoiceType.e_normal, InvoiceType.e_special]
    return [render_pdf([random_invoice(rng, rng.choice(kinds))], rng) for _ in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--uploads", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="executor threads of the server")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    docs = _documents(args.uploads, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "FAPIAO_DATA_DIR": str(Path(tmp) / "data"),
            "FAPIAO_WORKERS": str(args.workers),
            "FAPIAO_DROP_FOLDER": "false",
        }
        key = (
            subprocess.run(
                [sys.executable, "-m", "fapiao.cli", "keys", "create", "--role", "uploader"],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "fapiao.cli", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {key}"}
        try:
            _wait_up(base)
            report = _run(base, headers, docs, args.concurrency)
        finally:
            server.terminate()
            server.wait(30)
    print(f"load benchmark: {args.uploads} uploads at concurrency {args.concurrency}, {args.workers} executor threads")
    for k, v in report.items():
        print(f"  {k:<28} {v}")


def _wait_up(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("the server did not come up")


def _run(base: str, headers: dict, docs: list[bytes], concurrency: int) -> dict:
    latencies: list[float] = []
    ids: list[str] = []
    failures = 0
    client = httpx.Client(timeout=60, headers=headers, limits=httpx.Limits(max_connections=concurrency))

    def upload(i: int):
        start = time.perf_counter()
        resp = client.post(f"{base}/api/v1/documents", files=[("files", (f"{i}.pdf", docs[i], "application/pdf"))])
        return time.perf_counter() - start, resp

    t0 = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for seconds, resp in pool.map(upload, range(len(docs))):
            latencies.append(seconds)
            if resp.status_code == 202:
                ids.append(resp.json()["documents"][0]["id"])
            else:
                failures += 1
    accepted_at = time.perf_counter()
    pending = set(ids)
    statuses: dict[str, str] = {}
    deadline = time.monotonic() + 1800
    while pending and time.monotonic() < deadline:
        for doc_id in list(pending):
            status = client.get(f"{base}/api/v1/documents/{doc_id}").json()["status"]
            if status in {"done", "failed"}:
                statuses[doc_id] = status
                pending.discard(doc_id)
        if pending:
            time.sleep(0.5)
    finished = time.perf_counter()
    lat = sorted(latencies)
    return {
        "accepted (202)": len(ids),
        "refused": failures,
        "accept latency p50 (ms)": round(statistics.median(lat) * 1000, 1),
        "accept latency p99 (ms)": round(lat[int(0.99 * (len(lat) - 1))] * 1000, 1),
        "upload phase (s)": round(accepted_at - t0, 1),
        "all processed after (s)": round(finished - t0, 1),
        "documents per minute": round(len(statuses) / (finished - t0) * 60, 1),
        "done": sum(1 for s in statuses.values() if s == "done"),
        "failed": sum(1 for s in statuses.values() if s == "failed"),
        "lost (accepted, never finished)": len(pending),
    }


if __name__ == "__main__":
    main()
