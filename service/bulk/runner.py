"""Reading many files on every core: a process pool (one pipeline per process, models loaded once per
process), a Rich progress bar on stderr (files, pages per second, ETA), results committed to the cache as
they arrive, and a clean stop on Ctrl-C (workers ignore SIGINT; the parent stops them and keeps what is done).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from fapiao.core.models import ExtractionResult, Status
from fapiao.intake.pipeline import Pipeline, PipelineOptions
from fapiao.service.bulk.cache import ResultCache
from fapiao.service.bulk.sources import SourceFile, iter_bytes

_pipeline: Pipeline | None = None


def _no_duplicates_lookup(_key: str) -> None:
    """In bulk, duplicates are decided once, by reconciliation over all files (workers see only their share)."""
    return None


def _init_worker(options: PipelineOptions, ocr_threads: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    os.environ.setdefault("FAPIAO_OCR_THREADS", str(ocr_threads))
    global _pipeline
    _pipeline = Pipeline(options)


def read_one(name: str, data: bytes) -> tuple[list[ExtractionResult], int, float]:
    """Runs in a worker: the whole pipeline on one file; returns its results, pages read and seconds."""
    assert _pipeline is not None, "worker not initialised"
    start = time.perf_counter()
    results = _pipeline.process_bytes(data, name, seen=_no_duplicates_lookup)
    return results, pages_of(results), time.perf_counter() - start


def pages_of(results: list[ExtractionResult]) -> int:
    return max(1, sum(len(r.pages) for r in results if r.pages))


@dataclass
class RunStats:
    files: int = 0
    read: int = 0
    """Files read in this run (not taken from the cache)."""
    cached: int = 0
    refused: int = 0
    pages: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    shas: dict[int, str] = field(default_factory=dict)
    """File index → content hash (files refused unread have none)."""
    errors: dict[int, str] = field(default_factory=dict)


def run(
    files: list[SourceFile],
    cache: ResultCache,
    options: PipelineOptions,
    workers: int,
    console: Console | None = None,
    on_result: Callable[[int], None] | None = None,
) -> RunStats:
    """Read every file not yet in ``cache``. Returns how it went; results are in the cache."""
    console = console or Console(stderr=True)
    stats = RunStats(files=len(files))
    known = frozenset(cache.known())
    """Read by an earlier run."""
    start = time.perf_counter()
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    pool = _pool(options, workers) if workers > 1 else None
    local = Pipeline(options) if pool is None else None
    pending: dict[Future, tuple[int, str, SourceFile]] = {}
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("reading", total=len(files), rate="")

        def done(i: int, sha: str, f: SourceFile, results, pages: int, seconds: float) -> None:
            cache.put(sha, f.name, results, pages, seconds)
            stats.read += 1
            stats.pages += pages
            elapsed = max(time.perf_counter() - start, 1e-6)
            bar.update(task, advance=1, rate=f"{stats.pages / elapsed:.1f} pages/s")
            if on_result:
                on_result(i)

        def drain(block_until: int) -> None:
            while len(pending) > block_until:
                finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                for fut in finished:
                    stop.check()
                    i, sha, f = pending.pop(fut)
                    try:
                        results, pages, seconds = fut.result()
                    except Exception as exc:  # a worker died (OOM killer) or a bug: this file only
                        stats.errors[i] = f"{f.name}: reading failed ({type(exc).__name__}: {exc}); run again"
                        bar.update(task, advance=1)
                        continue
                    done(i, sha, f, results, pages, seconds)

        stop = _StopRequest()
        try:
            in_run: set[str] = set()
            for i, (f, data, error) in enumerate(iter_bytes(files)):
                stop.check()
                if error is not None:
                    stats.refused += 1
                    stats.errors[i] = error.text
                    bar.update(task, advance=1)
                    continue
                sha = hashlib.sha256(data).hexdigest()
                stats.shas[i] = sha
                if sha in known or sha in in_run:
                    stats.cached += sha in known  # an identical file earlier in this run is not "cached"
                    bar.update(task, advance=1)
                    continue
                in_run.add(sha)
                if pool is None:
                    t0 = time.perf_counter()
                    results = local.process_bytes(data, f.name, seen=_no_duplicates_lookup)
                    done(i, sha, f, results, pages_of(results), time.perf_counter() - t0)
                    continue
                pending[pool.submit(read_one, f.name, data)] = (i, sha, f)
                drain(2 * workers)  # bounded: at most a few files' bytes in flight
            drain(0)
        except KeyboardInterrupt:
            stats.interrupted = True
            if pool is not None:
                for p in list(getattr(pool, "_processes", {}).values()):  # stop work in progress now
                    p.terminate()
                pool.shutdown(wait=False, cancel_futures=True)
                pool = None
        finally:
            stop.release()
            if pool is not None:
                pool.shutdown(wait=True)
    stats.seconds = time.perf_counter() - start
    return stats


class _StopRequest:
    """Ctrl-C as a request the run honours between files (``check`` raises KeyboardInterrupt there), not an
    exception raised wherever the main thread happens to be: landing inside a cache write, it came out of
    pydantic's serialiser wrapped in another error, and the run died with a traceback instead of stopping
    cleanly. Only the main thread can own the handler; elsewhere Ctrl-C is not this run's to handle."""

    def __init__(self) -> None:
        self._asked = threading.Event()
        self._previous = None
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, lambda _sig, _frame: self._asked.set())

    def check(self) -> None:
        if self._asked.is_set():
            raise KeyboardInterrupt

    def release(self) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None


def _pool(options: PipelineOptions, workers: int) -> ProcessPoolExecutor:
    """Spawned (not forked) workers: nothing of the parent's threads or half-initialised libraries leaks in.
    ONNX Runtime threads are shared out so that the workers together use the cores once."""
    threads = max(1, (os.cpu_count() or workers) // workers)
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(options, threads),
    )


def collect(files: list[SourceFile], stats: RunStats, cache: ResultCache) -> list[ExtractionResult]:
    """Results in file order, each labelled with its own file name (identical files share one reading)."""
    out: list[ExtractionResult] = []
    for i, f in enumerate(files):
        sha = stats.shas.get(i)
        cached = cache.get(sha) if sha else None
        if cached is None:
            error = stats.errors.get(i) or f"{f.name}: not read (the run was interrupted); run the command again"
            out.append(ExtractionResult(source=f.name, status=Status.rejected, error=error))
            continue
        out.extend(r if r.source == f.name else r.model_copy(update={"source": f.name}) for r in cached)
    return out
