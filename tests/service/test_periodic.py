"""The background loop under the drop folder, the alert webhook and the Celery watch: a failing round does not
end it, ``wait_first`` delays the first round, ``stop`` ends it promptly."""

from __future__ import annotations

import threading
import time

from fapiao.service.periodic import Periodic


def test_a_failing_round_does_not_end_the_loop() -> None:
    calls: list[float] = []
    done = threading.Event()

    def job() -> None:
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise RuntimeError("the database is away for a moment")
        if len(calls) >= 3:
            done.set()

    loop = Periodic("test-loop", 0.02, job)
    loop.start()
    assert done.wait(5), f"only {len(calls)} rounds ran"
    start = time.monotonic()
    loop.stop()
    assert time.monotonic() - start < 1 and not loop._thread.is_alive()


def test_wait_first_delays_the_first_round_and_stop_during_the_wait_runs_nothing() -> None:
    calls: list[int] = []
    loop = Periodic("test-wait", 5.0, lambda: calls.append(1), wait_first=True)
    loop.start()
    time.sleep(0.1)
    loop.stop()
    assert calls == []
