"""价税合计（大写）: rendering and parsing agree for every amount, and printed variants parse."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fapiao.intake.amount_words import AmountWordsError, parse_words, to_words


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("ⓧ叁仟伍佰伍拾圆零柒角整", "3550.70"),
        ("伍拾叁圆肆角", "53.40"),
        ("（负数）壹万肆仟圆整", "-14000.00"),
        ("(负数)壹万肆仟元正", "-14000.00"),
        ("⊗ 壹佰零陆圆整", "106.00"),
        ("壹仟零壹圆零伍分", "1001.05"),
        ("贰亿零叁拾万圆整", "200300000.00"),
        ("伍分", "0.05"),
    ],
)
def test_printed_forms_parse(text: str, value: str) -> None:
    assert parse_words(text) == Decimal(value)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("3550.70", "叁仟伍佰伍拾圆柒角整"),
        ("20.07", "贰拾圆零柒分"),
        ("1001.00", "壹仟零壹圆整"),
        ("-14000.00", "（负数）壹万肆仟圆整"),
    ],
)
def test_rendering(value: str, text: str) -> None:
    assert to_words(Decimal(value)) == text


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_round_trip(cents: int) -> None:
    value = Decimal(cents) / 100
    assert parse_words(to_words(value)) == value


@pytest.mark.parametrize("bad", ["", "壹佰圆叁", "一百元", "伍角伍角"])
def test_garbage_is_an_error(bad: str) -> None:
    with pytest.raises(AmountWordsError):
        parse_words(bad)
