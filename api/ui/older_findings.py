"""Findings stored before the rules wrote field labels and rule descriptions into their messages
(``total_tax 识别为 …（arith.sum_tax）``): their stored text is brought to today's wording when shown, so an
invoice read by an older version reads like a new one. New findings never need this; it only reads the field
names and rule codes such messages contain, never English prose."""

from __future__ import annotations

import re

from fapiao.core.labels import FIELD_LABELS, RULE_LABELS

_SNAKE = re.compile(r"(?<![\w.])[a-z]+(?:_[a-z]+)+(?![\w.])")
"""A field name as older findings wrote it (``total_tax 识别为…``); not part of a file name."""
_RULE_CODE = re.compile(r"\s?[（(](?P<code>[a-z_]+\.[a-z_]+)[）)]")
"""The deciding rule's code in brackets, as older findings wrote it (``（arith.sum_tax）``)."""


def reworded(text: str, lang_index: int) -> str:
    """``text`` with bracketed rule codes as what the rule checks and field names as their labels, in the
    language at ``lang_index`` of the label pairs (0 Chinese, 1 English)."""

    def rule(m: re.Match) -> str:
        if m["code"] not in RULE_LABELS:
            return m[0]
        said = RULE_LABELS[m["code"]][lang_index]
        return f"（依据：{said}）" if lang_index == 0 else f" (rule: {said})"

    text = _RULE_CODE.sub(rule, text)
    return _SNAKE.sub(lambda m: FIELD_LABELS[m[0]][lang_index] if m[0] in FIELD_LABELS else m[0], text)
