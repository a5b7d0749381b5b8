"""价税合计（大写）must say the same amount as 价税合计（小写）, compared as numbers, never as strings."""

from __future__ import annotations

from fapiao.core.models import Finding, Invoice
from fapiao.intake.amount_words import safe_parse_words
from fapiao.intake.rules.base import ERROR, WARNING, finding, money
from fapiao.intake.rules.context import RuleContext


def amount_words_rule(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    words = invoice.amount_in_words
    if not words or not words.strip():
        return []
    value = safe_parse_words(words)
    if value is None:
        return [
            finding(
                "words.unreadable",
                WARNING,
                ("amount_in_words",),
                f"The amount in words {words!r} could not be read as an amount; check it against the document",
                f"价税合计（大写）“{words}”无法解析为金额，请核对票面",
            )
        ]
    awt = invoice.amount_with_tax
    if awt is None or value == awt:
        return []
    return [
        finding(
            "words.mismatch",
            ERROR,
            ("amount_with_tax", "amount_in_words"),
            f"价税合计 in figures is {money(awt)}, but in words it says {money(value)}; re-read both",
            f"价税合计（小写）{money(awt)} 与大写金额 {money(value)} 不符，请核对",
        )
    ]


RULES = (amount_words_rule,)
CODES = ("words.unreadable", "words.mismatch")
