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


def test_no_test_module_imports_another():
    """Shared test code lives in tests/helpers (or a package's helpers/builders module), never in a test
    module: importing one runs its module-level set-up and ties two suites together."""
    pattern = re.compile(r"^\s*from\s+tests(?:\.\w+)*\.test_\w+\s+import", re.M)
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "tests").rglob("*.py") if pattern.search(p.read_text())]
    assert offenders == []
