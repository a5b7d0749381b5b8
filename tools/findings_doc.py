"""Write docs/findings.md: every finding code fapiao can report, with its severity and what it means.

The codes come from the rule registry (``RULE_CODES``) and from the places outside the rules that report
findings (extraction, repair, matching), found as the code strings in the calls that build findings. Each
code's severity and meaning are read from those calls: the severity argument, and the English message with
its placeholders shown as "…". `tests/test_findings_doc.py` fails when the committed page differs from what
this script writes, so a new code cannot go undocumented.

    .venv/bin/python -m tools.findings_doc           # rewrite docs/findings.md
    .venv/bin/python -m tools.findings_doc --check   # exit 1 when it is out of date
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "findings.md"
SOURCES = ("intake", "matching")
"""The packages that build findings (the rules live in intake/rules)."""
CODE = re.compile(r"^[a-z_]+\.[a-z_]+$")
SEVERITIES = {"ERROR": "error", "WARNING": "warning", "INFO": "info"}


@dataclass
class Code:
    code: str
    severities: set[str] = field(default_factory=set)
    meanings: list[str] = field(default_factory=list)
    modules: set[str] = field(default_factory=set)


def _severity(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name) and node.id in SEVERITIES:
        return SEVERITIES[node.id]
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Severity":
        return node.attr
    return None


def _text(node: ast.AST) -> str | None:
    """A string argument's text with placeholders as '…' (implicitly joined parts are one node)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "…" for v in node.values)
    return None


def _english_message(call: ast.Call) -> str | None:
    """``message=`` when given by keyword; else the first of the last two string arguments (``message``,
    ``message_zh``), as in ``finding(code, severity, fields, message, message_zh)`` and ``IdProblem``."""
    for k in call.keywords:
        if k.arg == "message":
            return _text(k.value)
    texts = [t for a in call.args[1:] if (t := _text(a)) is not None]
    return texts[-2] if len(texts) >= 2 else None


def _severity_names(tree: ast.AST) -> dict[str, set[str]]:
    """Names assigned a severity (``severity = WARNING if … else ERROR``) anywhere in the module."""
    out: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            found = {s for sub in ast.walk(node.value) if (s := _severity(sub))}
            if found:
                out.setdefault(node.targets[0].id, set()).update(found)
    return out


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node


def collect() -> dict[str, Code]:
    from fapiao.intake.rules.registry import RULE_CODES

    codes: dict[str, Code] = {c: Code(c) for c in RULE_CODES}
    for package in SOURCES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            module = path.relative_to(ROOT).as_posix()
            named = _severity_names(tree)
            for call in _calls(tree):
                args = [*call.args, *(k.value for k in call.keywords)]
                first = args[0] if args else None
                code_args = [
                    s.value
                    for s in (ast.walk(first) if first is not None else ())
                    if isinstance(s, ast.Constant) and isinstance(s.value, str) and CODE.match(s.value)
                ]
                severities = {s for a in args if (s := _severity(a))}
                severities |= {s for a in args if isinstance(a, ast.Name) for s in named.get(a.id, ())}
                if not code_args or not severities:
                    continue  # not a finding (nor an IdProblem) being built
                meaning = _english_message(call)
                for c in code_args:
                    entry = codes.setdefault(c, Code(c))
                    entry.severities |= severities
                    entry.modules.add(module)
                    if meaning and meaning not in entry.meanings:
                        entry.meanings.append(meaning)
    return codes


def render(codes: dict[str, Code]) -> str:
    from fapiao.intake.rules.registry import RULE_CODES

    lines = [
        "# Finding codes",
        "",
        "Every finding fapiao reports has a stable `code`, a `severity` and a message in English and Chinese that",
        "says what is wrong and what to do. An `error`, or a `warning` on a key field, keeps an invoice from",
        "`verified`; `info` never does. The meanings below are the English messages, with the values they name",
        "shown as …; some codes carry several messages, one per situation.",
        "",
        "Generated by `python -m tools.findings_doc` from the rule registry and the code that builds findings;",
        "do not edit by hand.",
        "",
    ]
    sections = [
        ("Verification rules (`intake/rules/`)", sorted(c for c in codes if c in RULE_CODES)),
        ("Extraction, repair and matching", sorted(c for c in codes if c not in RULE_CODES)),
    ]
    for title, names in sections:
        lines += [f"## {title}", ""]
        family = None
        for name in names:
            entry = codes[name]
            head = name.split(".")[0]
            if head != family:
                if family is not None:
                    lines.append("")
                family = head
                lines += [f"### {head}", ""]
            severity = " or ".join(sorted(entry.severities)) or "see the module"
            where = ", ".join(f"`{m}`" for m in sorted(entry.modules))
            lines.append(f"- `{name}` ({severity}; {where})")
            for meaning in entry.meanings:
                lines.append(f"  - {' '.join(meaning.split())}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/findings.md is out of date")
    args = parser.parse_args()
    text = render(collect())
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT.relative_to(ROOT)} is out of date: run `python -m tools.findings_doc`", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(text.splitlines())} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
