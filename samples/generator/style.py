"""Per-document "software version": every presentational choice a real invoicing program makes differently.

One ``Style`` is drawn per document, so two documents rarely share page size, font sizes, column positions,
label wording, punctuation, date format or text-object structure — the variety extraction must survive.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from samples.generator.canvas import Color
from samples.generator.quirks import Quirks

FORM_COLORS: tuple[Color, ...] = (
    (0.55, 0.27, 0.07),
    (0.6, 0.3, 0.15),
    (0.5, 0.2, 0.1),
    (0.64, 0.38, 0.2),
    (0.45, 0.25, 0.15),
    (0.0, 0.0, 0.0),
)
DATA_COLORS: tuple[Color, ...] = ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0), (0.05, 0.05, 0.25), (0.1, 0.1, 0.1))


@dataclass
class Style:
    embedded: bool
    """Embedded subset of the CJK font instead of the non-embedded built-in one."""
    joined: bool
    """Label and value written as one text object ("名称：北京…") instead of two."""
    width: float
    height: float
    margin_x: float
    margin_top: float
    label_size: float
    value_size: float
    title_size: float
    form_color: Color
    data_color: Color
    colon: str
    full_brackets: bool
    yen: str
    date_format: str
    """cn "2024年03月15日", cn_spaced "2024 年 03 月 15 日", split (年月日 pre-printed, digits as data)."""
    name_label: str
    tax_label: str
    addr_label: str
    bank_label: str
    total_label: str
    check_label: str
    group_check_code: bool
    digit_spacing: float
    value_dx: float
    value_dy: float
    col_jitter: tuple[float, ...]
    row_height: float
    party_row: float
    vertical_one_object: bool
    qr_size: float
    qr_vector: bool
    cross_as_text: bool
    """Print ⓧ as a character (embedded font only) instead of vector art."""
    pad_prices: bool
    """Print integral unit prices with two decimals (100.00) instead of bare (100)."""
    wrap_slack: int
    """How many characters short of the column width item names are wrapped."""
    quirks: Quirks = field(default_factory=Quirks)
    """Real-invoice habits switched on by the caller (never drawn at random: see ``quirks.py``)."""

    def paren(self, text: str) -> str:
        return text if self.full_brackets else text.replace("（", "(").replace("）", ")")

    def lab(self, text: str) -> str:
        """A label with this style's colon."""
        return text + self.colon


def random_style(rng: random.Random, digital: bool) -> Style:
    embedded = rng.random() < 0.25
    a4 = digital and rng.random() < 0.65
    width = 595.3 if a4 else rng.choice((680.3, 680.3, 672.0, 690.0, 700.0))
    height = rng.choice((396.85, 396.85, 400.0, 410.0, 390.0))
    return Style(
        embedded=embedded,
        joined=rng.random() < 0.25,
        width=width,
        height=height,
        margin_x=rng.uniform(12, 30),
        margin_top=rng.uniform(8, 20),
        label_size=rng.uniform(7.0, 9.0),
        value_size=rng.uniform(7.5, 10.0),
        title_size=rng.uniform(14, 18),
        form_color=rng.choice(FORM_COLORS),
        data_color=rng.choice(DATA_COLORS),
        colon=rng.choice(("：", "：", "：", ":")),
        full_brackets=rng.random() < 0.8,
        yen=rng.choice(("¥", "¥", "￥")),
        date_format=rng.choice(("cn", "cn", "cn_spaced", "split")),
        name_label=rng.choice(("名称", "名    称", "名 称", "名称")),
        tax_label=rng.choice(("纳税人识别号", "纳税人识别号", "统一社会信用代码/纳税人识别号")),
        addr_label=rng.choice(("地址、电话", "地 址、电 话")),
        bank_label="开户行及账号",
        total_label=rng.choice(("合计", "合 计", "合    计")),
        check_label=rng.choice(("校验码", "校 验 码")),
        group_check_code=rng.random() < 0.6,
        digit_spacing=rng.choice((0.0, 0.0, 0.0, rng.uniform(0.4, 2.0))),
        value_dx=rng.uniform(1.5, 9.0),
        value_dy=rng.uniform(-1.5, 1.5),
        col_jitter=tuple(rng.uniform(-15, 15) for _ in range(9)),
        row_height=rng.uniform(10.5, 13.5),
        party_row=rng.uniform(11.0, 13.5),
        vertical_one_object=rng.random() < 0.3,
        qr_size=rng.uniform(50, 64),
        qr_vector=rng.random() < 0.3,
        cross_as_text=embedded and rng.random() < 0.7,
        pad_prices=rng.random() < 0.4,
        wrap_slack=rng.randrange(0, 4),
    )
