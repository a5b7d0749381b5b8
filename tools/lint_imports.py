"""Check the import-linter contracts in `.importlinter` (the layers) against the package as the wheel lays
it out (see ``tools.wheel_tree``)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tools.wheel_tree import ROOT, build


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="fapiao-layers-") as tmp:
        build(Path(tmp))
        cmd = [str(Path(sys.executable).with_name("lint-imports")), "--config", str(ROOT / ".importlinter")]
        return subprocess.run(cmd, cwd=tmp, env={**os.environ, "PYTHONPATH": tmp}).returncode


if __name__ == "__main__":
    sys.exit(main())
