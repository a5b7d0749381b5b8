"""Shared vocabulary of the rule modules: the rule signature and a finding constructor."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from fapiao.core.models import Finding, Invoice, Severity
from fapiao.intake.rules.context import RuleContext

Rule = Callable[[Invoice, RuleContext], list[Finding]]

ERROR, WARNING, INFO = Severity.error, Severity.warning, Severity.info
CENT = Decimal("0.01")


def finding(
    code: str, severity: Severity, fields: tuple[str, ...] | list[str], message: str, message_zh: str
) -> Finding:
    return Finding(code=code, severity=severity, fields=tuple(fields), message=message, message_zh=message_zh)


def cents(value: Decimal) -> Decimal:
    """Round half up to the cent, as the invoicing software does."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money(value: Decimal | None) -> str:
    return "—" if value is None else str(value.quantize(CENT))
