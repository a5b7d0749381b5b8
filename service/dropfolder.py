"""The drop folder: files put into ``inbox/`` are ingested once they stop changing, then moved to
``processed/<date>/`` — or to ``failed/`` with a ``.reason.txt`` beside them. A file is only moved after its
original is stored and its job committed, and files that arrived while the service was down are picked up
at the next scan."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import time
from pathlib import Path

from fapiao.core.errors import FapiaoError
from fapiao.core.messages import Message
from fapiao.service.complete_file import looks_complete
from fapiao.service.context import ServiceContext
from fapiao.service.documents import Accepted, accept
from fapiao.service.periodic import Periodic

log = logging.getLogger(__name__)


QUIET_SECONDS = 120.0
"""A file that still looks cut off is taken as it is once unchanged this long (it then fails with its reason)."""
_INCOMPLETE = object()


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_size, st.st_mtime_ns)


class DropFolder:
    def __init__(
        self,
        ctx: ServiceContext,
        root: Path,
        settle_seconds: float = 1.0,
        on_accept=None,
        quiet_seconds: float = QUIET_SECONDS,
    ) -> None:
        self.ctx = ctx
        self.inbox = root / "inbox"
        self.processed = root / "processed"
        self.failed = root / "failed"
        for d in (self.inbox, self.processed, self.failed):
            d.mkdir(parents=True, exist_ok=True)
        self.settle_seconds = settle_seconds
        self.quiet_seconds = quiet_seconds
        self.on_accept = on_accept
        self._last: dict[Path, tuple[int, int]] = {}
        self._incomplete: dict[Path, tuple[int, int]] = {}
        """Files read and found cut off, by the signature they had: not read again until they change."""
        self._loop = Periodic("fapiao-drop-folder", settle_seconds, self.scan)

    def scan(self) -> list[Accepted]:
        """One pass: ingest every file whose size and mtime did not change since the previous pass. A file that
        cannot be handled is logged and left for the next pass; it never stops the others."""
        accepted: list[Accepted] = []
        current: dict[Path, tuple[int, int]] = {}
        for path in sorted(self.inbox.rglob("*")):
            if path.name.startswith(".") or path.suffix in {".part", ".tmp", ".crdownload"}:
                continue
            try:
                if path.is_symlink():  # it could point anywhere on the server: never followed
                    self._refuse(
                        path,
                        Message.of("file_symlink", name=path.relative_to(self.inbox)).text
                        + " — copy the file itself into the inbox",
                    )
                    continue
                if not path.is_file():
                    continue
                st = path.stat()
            except FileNotFoundError:  # removed while we looked
                continue
            sig = (st.st_size, st.st_mtime_ns)
            if self._last.get(path) != sig:
                current[path] = sig  # still changing (or new): look again next pass
                continue
            quiet = time.time() - st.st_mtime >= self.quiet_seconds
            if self._incomplete.get(path) == sig and not quiet:
                current[path] = sig  # cut off when read, unchanged since: wait for the rest (or the quiet period)
                continue
            try:
                result = self._ingest(path, sig, quiet)
            except Exception:
                log.exception("drop folder: %s could not be handled; it is tried again at the next pass", path)
                current[path] = sig
                continue
            if result is _INCOMPLETE:
                self._incomplete[path] = current[path] = sig
            elif result is not None:
                accepted.append(result)
        self._last = current
        self._incomplete = {p: sig for p, sig in self._incomplete.items() if p in current}
        return accepted

    def _ingest(self, path: Path, sig: tuple[int, int], quiet: bool):
        """Read, check and accept one settled file, then move it. Returns the acceptance, ``_INCOMPLETE`` for a
        file that is visibly cut off (a copy still under way) before the long quiet period, or None."""
        size = sig[0]
        rel = path.relative_to(self.inbox)
        limit = self.ctx.settings.max_upload_bytes
        if size > limit:  # refused from its size: reading it first took the server down (and again at each restart)
            self._refuse(
                path,
                Message.of("file_too_large", name=rel, size=size, limit=limit).text
                + "; split the file or raise FAPIAO_MAX_UPLOAD_BYTES, then put it into the inbox again",
            )
            return None
        try:
            with path.open("rb") as f:
                data = f.read(size + 1)  # never more than was looked at (and the limit), even if it grew since
        except FileNotFoundError:
            return None
        if len(data) != size:  # still being written: looked at again from the next pass on
            return None
        if not quiet and not looks_complete(data):
            return _INCOMPLETE
        try:
            result = accept(self.ctx, data, str(rel), source="drop_folder")
        except FapiaoError as exc:
            self._refuse(path, str(exc))
            return None
        now = _signature(path)
        if now is not None and now != sig:  # written to again after it was read: the new content is read again
            log.info("drop folder: %s changed after it was read; its new content is read at a later pass", rel)
            return result
        try:
            self._move(path, self.processed / dt.date.today().isoformat() / rel)
        except FileNotFoundError:  # removed after it was read: its job is committed, nothing is lost
            log.info("drop folder: %s was removed before it could be moved; its document is %s", rel, result.id)
        if self.on_accept:
            self.on_accept(result)
        return result

    def _refuse(self, path: Path, reason: str) -> None:
        """Move ``path`` to failed/ with a ``.reason.txt`` beside it (beside the name it got there)."""
        rel = path.relative_to(self.inbox)
        try:
            dest = self._move(path, self.failed / rel)
        except FileNotFoundError:
            return
        dest.with_name(_fit(dest.name, ".reason.txt") + ".reason.txt").write_text(reason + "\n", encoding="utf-8")

    @staticmethod
    def _move(src: Path, dest: Path) -> Path:
        """Move ``src`` to ``dest`` (a name already taken gets a time stamp) and return where it went."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists() or dest.is_symlink():
            stamp = f"-{dt.datetime.now():%H%M%S%f}"
            suffix = dest.suffix if len(dest.suffix) <= 32 else ""
            stem = dest.name[: -len(suffix)] if suffix else dest.name
            dest = dest.with_name(_fit(stem, stamp + suffix) + stamp + suffix)
        shutil.move(str(src), str(dest))
        return dest

    def start(self) -> None:
        self._loop.start()

    def stop(self) -> None:
        self._loop.stop()


NAME_MAX = 255
"""Bytes in one file name (ext4, XFS, APFS)."""


def _fit(name: str, tail: str) -> str:
    """``name`` cut (by whole characters) so that ``name + tail`` fits in one file name."""
    room = NAME_MAX - len(tail.encode())
    while len(name.encode()) > room:
        name = name[:-1]
    return name
