"""Candidate generation without comparing all pairs: every blocking key is hashed to uint64 with numpy, and
an index is a sorted hash array searched with ``searchsorted`` — a million records cost a few hundred MB,
where Python dicts of tuples would cost gigabytes.

Invoice numbers are blocked two ways: a deletion neighbourhood (the string and every one-character deletion
of it: two strings share a key when they are within one substitution, insertion or deletion) and
pigeonhole slices (three position-tagged thirds: two substituted characters leave one third intact)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_B = np.uint64(1_000_003)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def mix(*columns: np.ndarray, tag: int = 0) -> np.ndarray:
    """A 64-bit hash of int64/uint64 columns taken together (splitmix64 finaliser per step)."""
    h = np.full(len(columns[0]), (0x9E3779B97F4A7C15 * (tag + 1)) & 0xFFFFFFFFFFFFFFFF, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for col in columns:
            h ^= col.astype(np.uint64, copy=False)
            h ^= h >> np.uint64(30)
            h *= _M1
            h ^= h >> np.uint64(27)
            h *= _M2
            h ^= h >> np.uint64(31)
    return h


def _by_length(strings: Sequence[str]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Strings grouped by length: length → (row ids, uint64 matrix of character codes)."""
    lengths = np.fromiter((len(s) for s in strings), dtype=np.int32, count=len(strings))
    groups: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for length in np.unique(lengths):
        if length == 0:
            continue
        ids = np.nonzero(lengths == length)[0]
        blob = "".join([strings[int(i)] for i in ids]).encode("ascii", "replace")
        mat = np.frombuffer(blob, dtype=np.uint8).reshape(len(ids), int(length)).astype(np.uint64)
        groups[int(length)] = (ids, mat)
    return groups


def _poly(mat: np.ndarray) -> np.ndarray:
    h = np.zeros(mat.shape[0], dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(mat.shape[1]):
            h = h * _B + mat[:, k]
    return h


def deletion_keys(strings: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(hashes, row ids): each string's own hash and the hash of each one-character deletion of it."""
    out_h, out_ids = [], []
    for length, (ids, mat) in _by_length(strings).items():
        out_h.append(_poly(mat))
        out_ids.append(ids)
        if length < 2:
            continue
        prefix = np.zeros(len(ids), dtype=np.uint64)
        suffix = np.zeros((length + 1, len(ids)), dtype=np.uint64)
        powers = [np.uint64(1)]
        with np.errstate(over="ignore"):
            for _ in range(length):
                powers.append(powers[-1] * _B)
            for k in range(length - 1, -1, -1):
                suffix[k] = suffix[k + 1] + mat[:, k] * powers[length - 1 - k]
            for i in range(length):
                # deleting character i: prefix s[:i] shifted by the remaining length, plus s[i+1:]
                out_h.append(prefix * powers[length - 1 - i] + suffix[i + 1])
                out_ids.append(ids)
                prefix = prefix * _B + mat[:, i]
    if not out_h:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    return np.concatenate(out_h), np.concatenate(out_ids).astype(np.int64)


def exact_keys(strings: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    out_h, out_ids = [], []
    for _, (ids, mat) in _by_length(strings).items():
        out_h.append(_poly(mat))
        out_ids.append(ids)
    if not out_h:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    return np.concatenate(out_h), np.concatenate(out_ids).astype(np.int64)


def slice_keys(strings: Sequence[str], parts: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Position-tagged slices: with at most ``parts - 1`` substitutions, one slice is unchanged."""
    out_h, out_ids = [], []
    for length, (ids, mat) in _by_length(strings).items():
        if length < parts * 3:
            continue
        bounds = np.linspace(0, length, parts + 1).astype(int)
        for p in range(parts):
            h = _poly(mat[:, bounds[p] : bounds[p + 1]])
            out_h.append(mix(h, np.full(len(ids), length * 16 + p, dtype=np.uint64), tag=7))
            out_ids.append(ids)
    if not out_h:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    return np.concatenate(out_h), np.concatenate(out_ids).astype(np.int64)


class HashIndex:
    """Row ids by 64-bit key; ``lookup`` answers many probes at once and skips buckets larger than ``cap``
    (a key shared by thousands of rows does not tell them apart)."""

    def __init__(self, hashes: np.ndarray, ids: np.ndarray) -> None:
        order = np.argsort(hashes, kind="stable")
        self.hashes = hashes[order]
        self.ids = ids[order].astype(np.int32 if len(ids) < 2**31 else np.int64)

    def __len__(self) -> int:
        return len(self.hashes)

    def lookup(self, probes: np.ndarray, probe_ids: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray]:
        """All (probe id, row id) pairs whose keys are equal."""
        left = np.searchsorted(self.hashes, probes, side="left")
        right = np.searchsorted(self.hashes, probes, side="right")
        counts = right - left
        keep = (counts > 0) & (counts <= cap)
        left, counts, qids = left[keep], counts[keep], probe_ids[keep]
        total = int(counts.sum())
        if total == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        starts = np.repeat(left - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
        positions = starts + np.arange(total)
        return np.repeat(qids, counts).astype(np.int64), self.ids[positions].astype(np.int64)
