"""The content-addressed originals store: atomic writes, the same bytes stored once, streams stored without
holding them in memory and refused past their limit with nothing left behind, no path outside the store."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from fapiao.storage.blobs import BlobStore


def test_put_and_put_file_agree_and_store_once(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    data = b"%PDF-1.7 " + bytes(range(256)) * 5000
    sha = store.put(data)
    assert sha == hashlib.sha256(data).hexdigest() and store.get(sha) == data
    again, size = store.put_file(io.BytesIO(data), max_bytes=len(data), chunk=4096)
    assert (again, size) == (sha, len(data))
    files = [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]
    assert files == [store.path(sha)]  # one copy; no temporary file left in .incoming


def test_put_file_refuses_past_the_limit_and_leaves_nothing(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    with pytest.raises(OverflowError):
        store.put_file(io.BytesIO(b"x" * 10_001), max_bytes=10_000, chunk=1000)
    assert not [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]


@pytest.mark.parametrize("bad", ["../../etc/passwd", "z" * 64, "0" * 63, "G" * 64, "", "../" + "0" * 61])
def test_only_sha256_names_map_to_paths(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError):
        BlobStore(tmp_path).path(bad)
