"""Real processes for the crash and worker tests: a free port, `fapiao serve` until /health answers, and a
Celery worker in its own session (so a test can kill -9 its whole process group); an app served by uvicorn in a
thread of the test process (`served`)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import uvicorn


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(env: dict, port: int, log: Path) -> subprocess.Popen:
    """`fapiao serve` on ``port`` with ``env``, once it answers /health (output appended to ``log``)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "fapiao.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError(f"server did not start: {log.read_text()[-2000:]}")


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    """`fapiao worker` with ``env`` in a session of its own (output to ``log``)."""
    return subprocess.Popen(
        [sys.executable, "-m", "fapiao.cli", "worker"],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


@contextlib.contextmanager
def served(app) -> Iterator[str]:
    """``app`` behind a real uvicorn server in a thread of this process (access log on, logs at DEBUG, so
    ``caplog`` sees them); yields its base URL and stops it afterwards."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, log_level="debug", access_log=True)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
