"""The drop folder: files put into ``inbox/`` are ingested once they stop changing, then moved to
``processed/<date>/`` — or to ``failed/`` with a ``.reason.txt`` beside them. A file is only moved after its
original is stored and its job committed, and files that arrived while the service was down are picked up
at the next scan."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import threading
from pathlib import Path

from intake.errors import FapiaoError
from intake.service.context import ServiceContext
from intake.service.documents import Accepted, accept

log = logging.getLogger(__name__)


class DropFolder:
    def __init__(self, ctx: ServiceContext, root: Path, settle_seconds: float = 1.0, on_accept=None) -> None:
        self.ctx = ctx
        self.inbox = root / "inbox"
        self.processed = root / "processed"
        self.failed = root / "failed"
        for d in (self.inbox, self.processed, self.failed):
            d.mkdir(parents=True, exist_ok=True)
        self.settle_seconds = settle_seconds
        self.on_accept = on_accept
        self._last: dict[Path, tuple[int, int]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def scan(self) -> list[Accepted]:
        """One pass: ingest every file whose size and mtime did not change since the previous pass."""
        accepted: list[Accepted] = []
        current: dict[Path, tuple[int, int]] = {}
        for path in sorted(self.inbox.rglob("*")):
            if not path.is_file() or path.name.startswith(".") or path.suffix in {".part", ".tmp", ".crdownload"}:
                continue
            try:
                st = path.stat()
            except FileNotFoundError:  # removed while we looked
                continue
            sig = (st.st_size, st.st_mtime_ns)
            if self._last.get(path) != sig:
                current[path] = sig  # still changing (or new): look again next pass
                continue
            result = self._ingest(path)
            if result is not None:
                accepted.append(result)
        self._last = current
        return accepted

    def _ingest(self, path: Path) -> Accepted | None:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        rel = path.relative_to(self.inbox)
        try:
            result = accept(self.ctx, data, str(rel), source="drop_folder")
        except FapiaoError as exc:
            self._move(path, self.failed / rel)
            (self.failed / rel).with_name(rel.name + ".reason.txt").write_text(str(exc) + "\n", encoding="utf-8")
            return None
        self._move(path, self.processed / dt.date.today().isoformat() / rel)
        if self.on_accept:
            self.on_accept(result)
        return result

    @staticmethod
    def _move(src: Path, dest: Path) -> None:
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():
            dest = dest.with_name(f"{dest.stem}-{dt.datetime.now():%H%M%S%f}{dest.suffix}")
        shutil.move(str(src), str(dest))

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="fapiao-drop-folder", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.scan()
            except Exception:
                log.exception("drop folder scan failed")
            self._stop.wait(self.settle_seconds)
