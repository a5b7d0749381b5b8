"""Write the JSON Schemas of the CLI's JSON Lines from the pydantic models: docs/cli-extract.schema.json (one line
of `fapiao extract --json`, ``fapiao.core.contract``) and docs/cli-reconcile.schema.json (one line of
`fapiao reconcile --json`, ``fapiao.matching.contract``). `tests/test_contract_schema.py` fails when a committed
file differs from what this writes, and checks real output lines against them.

    .venv/bin/python -m tools.contract_schema
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fapiao.core.contract import contract_schema
from fapiao.matching.contract import reconcile_schema

DOCS = Path(__file__).resolve().parent.parent / "docs"
OUT = DOCS / "cli-extract.schema.json"
RECONCILE_OUT = DOCS / "cli-reconcile.schema.json"
SCHEMAS: dict[Path, Callable[[], dict[str, Any]]] = {OUT: contract_schema, RECONCILE_OUT: reconcile_schema}


def render(path: Path = OUT) -> str:
    return json.dumps(SCHEMAS[path](), ensure_ascii=False, indent=2) + "\n"


def main() -> int:
    for path in SCHEMAS:
        path.write_text(render(path), encoding="utf-8")
        print(f"wrote {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
