"""The files a command was given: files as named, folders walked. Shared by `extract`, `reconcile` and
`backfill`, so every command reads the same set of files from the same arguments."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path


def iter_inputs(paths: list[Path]) -> Iterator[tuple[Path, str]]:
    """Files as given, and every regular file below a directory (sorted, hidden files skipped)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                    yield child, str(child)
        else:
            yield path, str(path)
