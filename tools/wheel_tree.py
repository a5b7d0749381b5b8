"""The package laid out as the wheel installs it, in a temporary folder, for tools that read source files.

The source folders sit at the repository's top level and only the build maps them under `fapiao`
(`[tool.setuptools.package-dir]`); static analysers (import-linter, mypy) look for `fapiao/intake/…` on disk
and would find just `fapiao/__init__.py`. Copying (not linking: analysers do not follow linked folders) takes
a few milliseconds."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def package_dirs() -> dict[str, str]:
    """`fapiao.x` → its folder in the repository, as pyproject.toml maps them."""
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["tool"]["setuptools"]["package-dir"]


def build(target: Path) -> dict[Path, Path]:
    """Copy the Python sources into ``target/fapiao/…``; returns copied folder → repository folder."""
    copied: dict[Path, Path] = {}
    for package, folder in sorted(package_dirs().items()):
        dest = Path(target, *package.split("."))
        shutil.copytree(
            ROOT / folder,
            dest,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__", "migrations", "static", "templates"),
        )
        copied[dest] = ROOT / folder
    return copied


def to_repo_path(path: str, target: Path) -> str:
    """A path inside the copied tree, as the file's path in the repository (`fapiao/intake/x.py` → `intake/x.py`)."""
    rel = Path(path).resolve().relative_to(target.resolve()) if Path(path).is_absolute() else Path(path)
    parts = rel.parts
    dirs = {tuple(k.split(".")): v for k, v in package_dirs().items()}
    for n in range(len(parts), 0, -1):
        if parts[:n] in dirs:
            return str(Path(dirs[parts[:n]], *parts[n:]))
    return str(rel)
