"""价税合计（大写）: render an amount in the capital-numeral form and parse printed forms back to Decimal.

Printed forms vary ("ⓧ叁仟伍佰伍拾圆零柒角整", "伍拾叁圆肆角", "（负数）壹万肆仟圆整", 元 for 圆, 正 for 整),
so comparisons are numeric, never on strings.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_DIGIT_VALUE = {c: i for i, c in enumerate(DIGITS)}
_DIGIT_VALUE.update({"〇": 0, "两": 2})
_UNIT_VALUE = {"拾": 10, "佰": 100, "仟": 1000}
_NOISE = re.compile(r"[ⓧ⊗⨂×X✕\s人民币:：]")
_NEGATIVE = re.compile(r"^[（(]?负数?[)）]?")


class AmountWordsError(ValueError):
    """The text is not a well-formed capital-numeral amount."""


def to_words(amount: Decimal) -> str:
    """Render ``amount`` as printed on invoices: 壹仟贰佰叁拾肆圆伍角陆分, 叁佰圆整, （负数）… Amounts are below
    10¹⁶ (what Numeric(18, 2) holds); larger ones are refused."""
    if not amount.is_finite() or abs(amount) >= 10**16:
        raise ValueError(f"{amount} is not an invoice amount")
    amount = amount.quantize(Decimal("0.01"))
    prefix = "（负数）" if amount < 0 else ""
    amount = abs(amount)
    cents = int((amount * 100).to_integral_value())
    yuan, jiao, fen = cents // 100, (cents // 10) % 10, cents % 10
    out = _integer_words(yuan) + "圆" if yuan else ""
    if jiao == 0 and fen == 0:
        return prefix + (out or "零圆") + "整"
    if jiao:
        out += DIGITS[jiao] + "角"
    elif yuan:
        out += "零"
    if fen:
        out += DIGITS[fen] + "分"
    else:
        out += "整"
    return prefix + out


def _integer_words(n: int) -> str:
    """``n`` > 0 in words: 亿 and 万 sections, the higher section itself in words (壹万亿 = 10¹²); a 零 stands
    where the lower section does not fill its top place (壹亿零伍佰万, 壹万零壹)."""
    for unit, name in ((10**8, "亿"), (10**4, "万")):
        if n >= unit:
            high, low = divmod(n, unit)
            return (
                _integer_words(high) + name + (("零" if low < unit // 10 else "") + _integer_words(low) if low else "")
            )
    return _group_words(n)


def _group_words(g: int) -> str:
    out = ""
    zero = False
    for pos in range(3, -1, -1):
        d = (g // 10**pos) % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += DIGITS[d] + _SMALL_UNITS[pos]
    return out


def parse_words(text: str) -> Decimal:
    """Parse a printed capital amount to Decimal; raises AmountWordsError when it is not one."""
    s = _NOISE.sub("", text or "")
    negative = False
    m = _NEGATIVE.match(s)
    if m and m.group(0):
        negative = True
        s = s[m.end() :]
    s = s.replace("元", "圆").replace("圓", "圆").replace("正", "整")  # 圓: the traditional form
    if not s:
        raise AmountWordsError(f"empty amount in words: {text!r}")
    if s.endswith("整"):
        s = s[:-1]
    yuan_part, sep, rest = s.partition("圆")
    if not sep:
        # "伍角", "叁分" with no 圆
        yuan_part, rest = "", s
    yuan = _parse_integer(yuan_part) if yuan_part else 0
    jiao = fen = 0
    rest = rest.lstrip("零")
    m = re.fullmatch(r"(?:([零壹贰叁肆伍陆柒捌玖])角)?(?:零?([零壹贰叁肆伍陆柒捌玖])分)?", rest)
    if m is None:
        raise AmountWordsError(f"cannot read the 角/分 part {rest!r} of {text!r}")
    if m.group(1):
        jiao = _DIGIT_VALUE[m.group(1)]
    if m.group(2):
        fen = _DIGIT_VALUE[m.group(2)]
    value = Decimal(yuan) + Decimal(jiao) / 10 + Decimal(fen) / 100
    value = value.quantize(Decimal("0.01"))
    return -value if negative else value


def _parse_integer(s: str) -> int:
    """亿 once at most, its head may hold 万 (壹万贰仟亿); below 亿, 万 once at most."""
    head, sep, rest = s.partition("亿")
    if not sep:
        return _parse_wan(s)
    if "亿" in rest:
        raise AmountWordsError(f"misplaced '亿' in {s!r}")
    return (_parse_wan(head) if head else 1) * 10**8 + (_parse_wan(rest) if rest else 0)


def _parse_wan(s: str) -> int:
    head, sep, rest = s.partition("万")
    if not sep:
        return _parse_group(s)
    return (_parse_group(head) if head else 1) * 10**4 + (_parse_group(rest) if rest else 0)


def _parse_group(s: str) -> int:
    value = 0
    digit: int | None = None
    for ch in s:
        if ch in _DIGIT_VALUE:
            digit = _DIGIT_VALUE[ch]
        elif ch in _UNIT_VALUE:
            value += (1 if digit is None else digit) * _UNIT_VALUE[ch]
            digit = None
        elif ch in "万亿":
            raise AmountWordsError(f"misplaced {ch!r} in {s!r}")
        else:
            raise AmountWordsError(f"unexpected character {ch!r} in amount {s!r}")
    if digit:
        value += digit
    return value


def safe_parse_words(text: str | None) -> Decimal | None:
    """parse_words that returns None instead of raising (for extraction, where the rule reports it)."""
    if not text:
        return None
    try:
        return parse_words(text)
    except (AmountWordsError, InvalidOperation):
        return None
