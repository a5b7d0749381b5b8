"""The list of rules, in reporting order. Nothing outside intake.rules needs to know what a rule does."""

from __future__ import annotations

from collections.abc import Iterable

from fapiao.core.models import Finding, Invoice
from fapiao.intake.rules import (
    amount_words,
    arithmetic,
    check_code,
    codes,
    corroboration,
    duplicates,
    parties,
    qr_face,
    required,
    tax_ids,
)
from fapiao.intake.rules.base import Rule
from fapiao.intake.rules.context import RuleContext

_MODULES = (required, codes, check_code, tax_ids, arithmetic, amount_words, qr_face, parties, duplicates, corroboration)

RULES: tuple[Rule, ...] = tuple(rule for module in _MODULES for rule in module.RULES)
RULE_CODES: frozenset[str] = frozenset(code for module in _MODULES for code in module.CODES)
"""Every finding code a rule can produce (findings with other codes come from extraction or repair)."""

TOTALS_RULES: tuple[Rule, ...] = (*arithmetic.TOTALS_RULES, *amount_words.RULES, *qr_face.RULES)
"""The rules that tie the three totals to each other, to the lines, to the words and to the QR."""


def run_rules(invoice: Invoice, ctx: RuleContext, rules: Iterable[Rule] = RULES) -> list[Finding]:
    """Every finding of every rule, in registry order."""
    out: list[Finding] = []
    for rule in rules:
        out.extend(rule(invoice, ctx))
    return out
