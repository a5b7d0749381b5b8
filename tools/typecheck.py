"""mypy over the package (laid out as the wheel installs it, see ``tools.wheel_tree``) against a committed
baseline: `mypy-baseline.txt` lists the errors that were there when the check began. A new error fails; an
error fixed must leave the baseline too (`--update` rewrites it), so the list only shrinks."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from tools.wheel_tree import ROOT, build, to_repo_path

BASELINE = ROOT / "mypy-baseline.txt"
LINE = re.compile(r"^(?P<path>[^:]+\.py):(?P<line>\d+):(?:\d+:)? error: (?P<msg>.*)$")


def current_errors() -> list[str]:
    """mypy's errors as `path: message  [code]` (no line numbers, so edits above an error do not move it)."""
    with tempfile.TemporaryDirectory(prefix="fapiao-mypy-") as tmp:
        build(Path(tmp))
        cmd = [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--no-error-summary",
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            "-p",
            "fapiao",
        ]
        out = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True).stdout
        errors = []
        for line in out.splitlines():
            if m := LINE.match(line):
                errors.append(f"{to_repo_path(str(Path(tmp, m['path'])), Path(tmp))}: {m['msg']}")
        return sorted(errors)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--update", action="store_true", help="rewrite the baseline to today's errors")
    args = parser.parse_args()
    now = current_errors()
    if args.update:
        BASELINE.write_text("".join(e + "\n" for e in now), encoding="utf-8")
        print(f"baseline: {len(now)} errors")
        return 0
    base = BASELINE.read_text(encoding="utf-8").splitlines() if BASELINE.exists() else []
    new = sorted((Counter(now) - Counter(base)).elements())
    gone = sorted((Counter(base) - Counter(now)).elements())
    for e in new:
        print(f"new: {e}")
    for e in gone:
        print(f"fixed (remove it from the baseline with `make typecheck-update`): {e}")
    print(f"mypy: {len(now)} errors, baseline {len(base)}, new {len(new)}, fixed {len(gone)}")
    return 1 if new or gone else 0


if __name__ == "__main__":
    sys.exit(main())
