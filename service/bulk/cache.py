"""Results of a back-fill kept by content hash in a SQLite file in the output folder: a second run reads
only what the first did not finish, and a new records export re-reconciles without reading anything.
Keyed by (sha256, options) so a run with other reading options (``--no-ocr``) does not reuse results."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from fapiao.core.models import ExtractionResult

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
  sha256 TEXT NOT NULL, options TEXT NOT NULL, name TEXT NOT NULL, results TEXT NOT NULL,
  pages INTEGER NOT NULL, seconds REAL NOT NULL, PRIMARY KEY (sha256, options)
)"""


class ResultCache:
    def __init__(self, path: Path, options: str) -> None:
        self.path = path
        self.options = options
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(SCHEMA)
        self._db.commit()

    def known(self) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT sha256 FROM results WHERE options = ?", (self.options,))}

    def put(self, sha: str, name: str, results: list[ExtractionResult], pages: int, seconds: float) -> None:
        """Committed at once: whatever is in the cache survives a Ctrl-C or a crash."""
        payload = json.dumps([r.to_contract() for r in results], ensure_ascii=False)
        self._db.execute(
            "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?)",
            (sha, self.options, name, payload, pages, seconds),
        )
        self._db.commit()

    def get(self, sha: str) -> list[ExtractionResult] | None:
        row = self._db.execute(
            "SELECT results FROM results WHERE sha256 = ? AND options = ?", (sha, self.options)
        ).fetchone()
        return None if row is None else [ExtractionResult.model_validate(d) for d in json.loads(row[0])]

    def close(self) -> None:
        self._db.close()
