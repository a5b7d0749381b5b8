"""Build the wheel and check it: one top-level package, `fapiao`, with the migrations and the UI files and
without `samples`, `benchmarks`, `tests` or `tools`; then import it, run the migrations and call the CLI from
a fresh virtualenv that sees the wheel and the installed dependencies but not this checkout."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from pathlib import Path

from tools.wheel_tree import ROOT

MUST_HOLD = (
    "fapiao/storage/migrations/env.py",
    "fapiao/storage/migrations/versions/0001_service_tables.py",
    "fapiao/api/ui/templates/base.html",
    "fapiao/cli/__main__.py",
    "fapiao/intake/pipeline.py",
)
SMOKE = """
import pathlib, sys, tempfile
import fapiao, fapiao.intake.pipeline, fapiao.api.app
assert "site-packages" in fapiao.__file__ or "wheel" in fapiao.__file__, fapiao.__file__
from sqlalchemy import create_engine
from fapiao.storage.migrate import upgrade
with tempfile.TemporaryDirectory() as tmp:
    upgrade(create_engine(f"sqlite:///{tmp}/x.db"))
print("imported from", pathlib.Path(fapiao.__file__).parent)
"""


def fail(msg: str) -> int:
    print(f"wheel check: {msg}", file=sys.stderr)
    return 1


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="fapiao-wheel-") as tmp:
        out = Path(tmp, "dist")
        built = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
            capture_output=True,
            text=True,
        )
        if built.returncode:
            return fail(f"pip wheel failed:\n{built.stderr}")
        (wheel,) = out.glob("fapiao-*.whl")
        with zipfile.ZipFile(wheel) as zf:
            names = zf.namelist()
            top = next(n for n in names if n.endswith(".dist-info/top_level.txt"))
            top_level = zf.read(top).decode().split()
            tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
            if top_level != ["fapiao"] or tops != {"fapiao"}:
                return fail(f"top-level packages {top_level} / folders {sorted(tops)}; expected fapiao alone")
            missing = [m for m in MUST_HOLD if m not in names]
            if missing:
                return fail(f"the wheel lacks {missing}")
            site = Path(tmp, "site")
            zf.extractall(site)
        # A bare interpreter with the wheel and the dependencies on its path, not the checkout's editable finder.
        deps = sysconfig.get_paths()["purelib"]
        env = {"PYTHONPATH": f"{site}:{deps}", "PATH": "/usr/bin:/bin"}
        res = subprocess.run([sys.executable, "-S", "-c", SMOKE], cwd=tmp, env=env, capture_output=True, text=True)
        if res.returncode:
            return fail(f"the installed wheel does not import or migrate:\n{res.stderr}")
        cli = subprocess.run(
            [sys.executable, "-S", "-m", "fapiao.cli", "--help"], cwd=tmp, env=env, capture_output=True, text=True
        )
        if cli.returncode or "extract" not in cli.stdout:
            return fail(f"`python -m fapiao.cli --help` from the wheel failed:\n{cli.stderr}")
        print(f"wheel check: {wheel.name}: top level fapiao only, {len(names)} files; {res.stdout.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
