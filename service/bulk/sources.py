"""The files of a back-fill source: a folder (walked) or a zip archive (read member by member, never
extracted, so hostile member names cannot write anywhere). Members that would be too large, or that expand
suspiciously (a zip bomb), are refused one by one with a reason; the rest of the archive still loads."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from fapiao.core.messages import Message
from fapiao.intake.inputs import iter_inputs

MAX_RATIO = 200
"""Uncompressed / compressed size above which a large member is taken for a zip bomb (invoices compress
to 1:2–1:20)."""
BOMB_FLOOR = 64 * 1024
"""Members smaller than this are read whatever their ratio (a tiny XML compresses very well). It was 5 MiB:
a 0.5 MB zip of members just under it unpacked to 300 MB."""


@dataclass(frozen=True)
class SourceFile:
    """One file to read: ``name`` labels it in every output; ``error`` is set when it is refused unread."""

    name: str
    origin: Path
    member: str | None = None
    """The member inside the zip ``origin``; None for a plain file."""
    size: int = 0
    error: Message | None = None

    def read(self, archive: zipfile.ZipFile | None = None) -> bytes:
        if self.member is None:
            return self.origin.read_bytes()
        if archive is not None:
            return archive.read(self.member)
        with zipfile.ZipFile(self.origin) as zf:
            return zf.read(self.member)


class SourceError(ValueError):
    """The source as a whole cannot be read (missing, not a folder or zip, a broken archive)."""


def list_source(
    source: Path, max_bytes: int, label: str | None = None, max_total: int | None = None
) -> list[SourceFile]:
    """Every file of ``source`` in a stable order (sorted paths; zip members in archive order). Zip members are
    labelled ``<label>:<member>`` (``label`` defaults to the archive's file name). Members past ``max_total``
    bytes unpacked in all are refused (what the archive may put on disk, whatever each member's ratio)."""
    if not source.exists():
        raise SourceError(f"{source}: no such file or folder; give a folder of invoices or a .zip")
    if source.is_dir():
        out = []
        for path, name in iter_inputs([source]):
            size = path.stat().st_size
            err = Message.of("file_too_large", name=name, size=size, limit=max_bytes) if size > max_bytes else None
            out.append(SourceFile(name, path, size=size, error=err))
        return out
    if not zipfile.is_zipfile(source):
        raise SourceError(f"{source}: not a folder and not a zip archive; give a folder of invoices or a .zip")
    try:
        with zipfile.ZipFile(source) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceError(f"{source}: the zip archive cannot be read ({exc}); make it again") from exc
    out, total = [], 0
    for info in infos:
        if info.is_dir():
            continue
        member = _member(source, info, max_bytes, label or source.name)
        if member.error is None and max_total is not None:
            total += info.file_size
            if total > max_total:
                member = SourceFile(
                    member.name,
                    source,
                    info.filename,
                    info.file_size,
                    Message.of("archive_unpacks_too_much", name=member.name, limit=max_total),
                )
        out.append(member)
    return out


def _member(source: Path, info: zipfile.ZipInfo, max_bytes: int, label_prefix: str) -> SourceFile:
    label = f"{label_prefix}:{safe_member_name(info.filename)}"
    err = None
    if info.flag_bits & 0x1:
        err = Message.of("member_encrypted", name=label)
    elif info.file_size > max_bytes:
        err = Message.of("member_too_large", name=label, size=info.file_size, limit=max_bytes)
    elif info.file_size > BOMB_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        ratio = info.file_size // max(info.compress_size, 1)
        err = Message.of("member_zip_bomb", name=label, ratio=ratio, size=info.file_size)
    return SourceFile(label, source, info.filename, info.file_size, err)


def safe_member_name(name: str) -> str:
    """The member's name for display: no drive, no leading slash, no ``..`` (it is only ever a label)."""
    parts = [p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("..", ".", "/") and ":" not in p]
    return "/".join(parts) or "unnamed"


def iter_bytes(files: list[SourceFile]) -> Iterator[tuple[SourceFile, bytes | None, Message | None]]:
    """(file, bytes, error) in order; a file that cannot be read gives its error instead of bytes. One zip
    handle is kept open per archive."""
    archives: dict[Path, zipfile.ZipFile] = {}
    try:
        for f in files:
            if f.error:
                yield f, None, f.error
                continue
            try:
                zf = None
                if f.member is not None:
                    zf = archives.get(f.origin) or archives.setdefault(f.origin, zipfile.ZipFile(f.origin))
                yield f, f.read(zf), None
            except (OSError, zipfile.BadZipFile, RuntimeError, EOFError) as exc:  # removed, truncated, corrupt
                yield f, None, Message.of("file_unreadable", name=f.name, error=exc)
    finally:
        for zf in archives.values():
            zf.close()
