"""The wheel's package list in pyproject.toml covers every source folder, and nothing imports the old
top-level names (`intake`, `matching`, `ocr`, `api`): one import root, `fapiao`."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OLD_ROOT = re.compile(r"^\s*(?:from|import)\s+(?:intake|matching|ocr|api|core|storage|service|cli)(?:\.|\s)", re.M)


def _setuptools() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["tool"]["setuptools"]


def test_every_source_package_is_in_the_wheel_list():
    cfg = _setuptools()
    expected = set()
    for package, folder in cfg["package-dir"].items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            expected.add(".".join([package, *rel.parts]))
    assert set(cfg["packages"]) == expected


def test_no_module_imports_an_old_top_level_name():
    folders = [*_setuptools()["package-dir"].values(), "tests", "samples", "benchmarks", "tools"]
    offenders = [
        str(p.relative_to(ROOT))
        for folder in folders
        for p in (ROOT / folder).rglob("*.py")
        if OLD_ROOT.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
