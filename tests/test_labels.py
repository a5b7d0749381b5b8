"""What people read instead of stored identifiers: field and rule labels, invoice keys."""

from __future__ import annotations

from fapiao.core.labels import RULE_LABELS, field_label, rule_label, shown_key


def test_an_invoice_key_is_shown_as_people_write_it() -> None:
    assert shown_key("011001900111:12345678") == "011001900111 / 12345678"
    assert shown_key("24340000000000000009") == "24340000000000000009"  # a 数电 number has no code
    assert shown_key(None) == ""


def test_labels_in_both_languages_and_the_code_when_unknown() -> None:
    assert field_label("total_tax", "zh") == "合计税额" and field_label("items[1].tax", "en") == "Tax, line 2"
    assert all(rule_label(code, "zh") != code and rule_label(code, "en") != code for code in RULE_LABELS)
    assert rule_label("no.such_rule", "zh") == "no.such_rule"
