"""Verification rules: one module per family, each rule a pure function (invoice, context) → findings.

Public surface: ``run_rules``, ``RuleContext``, ``RULES``, ``RULE_CODES``.
"""

from fapiao.intake.rules.context import RuleContext
from fapiao.intake.rules.registry import RULE_CODES, RULES, TOTALS_RULES, run_rules

__all__ = ["RULES", "RULE_CODES", "TOTALS_RULES", "RuleContext", "run_rules"]
