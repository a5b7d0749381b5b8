"""docs/findings.md lists every finding code, and is what tools/findings_doc.py writes today."""

from __future__ import annotations

import pytest

from fapiao.intake.rules.registry import RULE_CODES
from tools.findings_doc import OUT, Code, collect, render


@pytest.fixture(scope="module")
def codes() -> dict[str, Code]:
    return collect()  # parses every module of intake/ and matching/: once


def test_every_code_the_rules_can_emit_is_documented() -> None:
    page = OUT.read_text(encoding="utf-8")
    assert RULE_CODES, "the registry lists no codes"
    missing = sorted(code for code in RULE_CODES if f"- `{code}` (" not in page)
    assert missing == [], f"not in docs/findings.md (run `python -m tools.findings_doc`): {missing}"


def test_every_code_built_in_the_rules_is_declared_in_the_registry(codes: dict[str, Code]) -> None:
    """A rule that builds a finding with a code its module's CODES lacks would go undocumented."""
    built = {code for code, entry in codes.items() if any(m.startswith("intake/rules/") for m in entry.modules)}
    assert built - RULE_CODES == set()


def test_each_code_has_a_severity_and_a_meaning(codes: dict[str, Code]) -> None:
    assert [c for c, e in codes.items() if not e.severities or not e.meanings] == []


def test_the_committed_page_is_up_to_date(codes: dict[str, Code]) -> None:
    assert OUT.read_text(encoding="utf-8") == render(codes), "run `python -m tools.findings_doc`"
