"""The item table as a whole: no items under a printed 合计, lines without a name, the 合计 row as a line —
warnings that keep a silently wrong item table in front of a reviewer."""

from __future__ import annotations

from fapiao.core.models import LineItem, Severity
from tests.rules.helpers import D, codes, found, invoice


def test_a_clean_item_table_gives_nothing() -> None:
    assert not {c for c in codes(invoice()) if c.startswith("items.")}


def test_no_items_under_a_printed_total() -> None:
    (f,) = [f for f in found(invoice(items=[])) if f.code.startswith("items.")]
    assert f.code == "items.none" and f.severity is Severity.warning
    assert "items.none" not in codes(invoice(items=[], total_amount=None, total_tax=None))


def test_a_line_without_a_name_and_the_totals_row_as_a_line() -> None:
    lines = [
        LineItem(name="", amount=D("100.00"), tax_rate="6%", tax=D("6.00")),
        LineItem(name="合 计", amount=D("100.00"), tax=D("6.00")),
    ]
    got = [(f.code, f.fields) for f in found(invoice(items=lines)) if f.code.startswith("items.")]
    assert got == [("items.unnamed", ("items[0].name",)), ("items.totals_row", ("items[1].name",))]
