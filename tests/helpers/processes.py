"""Real processes for the crash and worker tests: a free port, `fapiao serve` until /health answers, and a
Celery worker in its own session (so a test can kill -9 its whole process group)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


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
