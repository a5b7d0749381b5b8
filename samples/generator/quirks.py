"""Habits of real invoices the plain generator does not draw, each switched on by the caller.

Every quirk is off by default, so the generated benchmarks stay as they are; a test or a benchmark run turns on
the ones it studies (``build_pdf(invoices, rng, quirks=Quirks(spaced_labels=True))``). They come from the real
development set (see ../shared/real-invoices/README.md):

- ``spaced_labels``: 名称 and 合计 drawn one character per text object, 3 em apart
  (``名    称：``, ``合    计``), as the 数电, Didi and OFD templates do;
- ``total_row``: the 合计 row of the items table as real 数电 PDFs print it: 合 and 计 far apart across the name
  column, each ¥ a text object of its own before its amount;
- ``toll_columns``: a 数电 通行费 invoice whose table has 车牌号/类型/通行日期起/通行日期止 instead of
  规格型号/单位/数量 (the invoice must carry toll lines: ``random_invoice(..., toll_items=True)``);
- ``masked_tax``: every line 免税/不征税, its tax and the 合计 税额 printed ``***`` (``tax_free=True``);
- ``values_first``: the data layer written before the form layer (the plain generator writes every label
  first, then every value: real text layers do either);
- ``small_page``: 532 × 354 pt pages with the smaller fonts they force;
- ``yuan``: the 大写 amount with 元 instead of 圆 (``壹佰元整``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from fapiao.core.models import DIGITAL_TYPES, InvoiceType

SMALL_PAGE = (532.0, 354.0)


@dataclass(frozen=True)
class Quirks:
    spaced_labels: bool = False
    total_row: bool = False
    toll_columns: bool = False
    masked_tax: bool = False
    values_first: bool = False
    small_page: bool = False
    yuan: bool = False

    @classmethod
    def only(cls, name: str) -> Quirks:
        if name not in QUIRK_NAMES:
            raise ValueError(f"unknown quirk {name!r}; choose from {', '.join(QUIRK_NAMES)}")
        return cls(**{name: True})

    @classmethod
    def parse(cls, text: str) -> Quirks:
        """``"spaced_labels,yuan"`` → those quirks on (the CLI's ``--quirks``)."""
        names = [n.strip() for n in text.split(",") if n.strip()]
        for name in names:
            cls.only(name)
        return cls(**dict.fromkeys(names, True))

    def knobs(self, kind: InvoiceType) -> dict[str, bool]:
        """The ``random_invoice`` knobs an invoice needs for these quirks to show on it."""
        out: dict[str, bool] = {}
        if self.toll_columns and kind in DIGITAL_TYPES:
            out["toll_items"] = True
        if self.masked_tax:
            out["tax_free"] = True
        return out


QUIRK_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Quirks))
SPACED_LABELS = frozenset({"名称", "合计"})
"""Labels the ``spaced_labels`` quirk draws one character per text object."""
