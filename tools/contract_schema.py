"""Write docs/cli-extract.schema.json, the JSON Schema of one line of `fapiao extract --json`, from the
pydantic models (``fapiao.core.contract``). `tests/test_contract_schema.py` fails when the committed file
differs from what this writes, and checks real output lines against it.

    .venv/bin/python -m tools.contract_schema
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from fapiao.core.contract import contract_schema

OUT = Path(__file__).resolve().parent.parent / "docs" / "cli-extract.schema.json"


def render() -> str:
    return json.dumps(contract_schema(), ensure_ascii=False, indent=2) + "\n"


def main() -> int:
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
