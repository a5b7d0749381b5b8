"""Tax IDs: USCC structure and check character, embedded organisation code, old and resident IDs."""

from __future__ import annotations

import pytest

from fapiao.core.models import InvoiceType, Severity
from fapiao.intake.rules.tax_ids import org_code_check_char, resident_check_char, tax_id_problems, uscc_check_char
from tests.rules.helpers import found, invoice


@pytest.mark.parametrize(
    "value",
    ["91110000600037341L", "914403001922038216", "91100000100003962T", "9144030071526726XG", "11010519491231002X"],
)
def test_valid_ids(value: str) -> None:
    assert tax_id_problems(value) == []


@pytest.mark.parametrize(
    ("value", "code", "severity"),
    [
        ("914403001922038217", "uscc.checksum", Severity.warning),
        ("91110000600037341M", "uscc.checksum", Severity.warning),
        ("9111000060003734IL", "tax_id.format", Severity.error),
        ("9111000060003734", "tax_id.format", Severity.error),
        ("91110000-600037341", "tax_id.format", Severity.error),
        ("110105194912310021", "resident_id.checksum", Severity.warning),
    ],
)
def test_invalid_ids(value: str, code: str, severity: Severity) -> None:
    problems = tax_id_problems(value)
    assert [(p.code, p.severity) for p in problems][:1] == [(code, severity)]


def test_check_characters() -> None:
    assert uscc_check_char("91440300192203821") == "6"
    assert org_code_check_char("71526726") == "X"
    assert resident_check_char("11010519491231002") == "X"


def test_leading_letters_are_allowed() -> None:
    first17 = "Y1110000" + "MA01ABCD"
    first17 += org_code_check_char(first17[8:])
    assert tax_id_problems(first17 + uscc_check_char(first17)) == []


def test_structure_warning_for_unknown_authority() -> None:
    first17 = "B1110000600037341"
    assert [p.code for p in tax_id_problems(first17 + uscc_check_char(first17))] == ["uscc.structure"]


def test_embedded_org_code_checked() -> None:
    first17 = "91110000600037342"  # org code check digit 2 instead of 1
    assert [p.code for p in tax_id_problems(first17 + uscc_check_char(first17))] == ["uscc.org_code"]


def test_fifteen_and_other_lengths() -> None:
    assert tax_id_problems("110105600037341") == []
    assert [p.code for p in tax_id_problems("110105600037342")] == ["tax_id.org_code"]
    assert tax_id_problems("11010519491231002") == []  # 17 characters: structure only
    assert tax_id_problems("110105194912310021AB") == []  # 20 characters


def test_rule_names_the_field_and_both_languages() -> None:
    (f,) = found(invoice(seller_tax_id="914403001922038217"))
    assert (f.code, f.severity, f.fields) == ("uscc.checksum", Severity.warning, ("seller_tax_id",))
    assert "seller" in f.message and "销售方" in f.message_zh


def test_buyer_without_id() -> None:
    person = invoice(buyer_name="个人", buyer_tax_id=None)
    assert found(person) == []
    company_normal = invoice(buyer_tax_id=None)
    assert {f.code for f in found(company_normal)} == {"field.missing"}  # a warning: pre-2017 normal invoices
    special = invoice(
        invoice_type=InvoiceType.e_special,
        type_code="08",
        invoice_code="011001900113",
        title="北京增值税电子专用发票",
        buyer_tax_id=None,
    )
    assert [(f.code, f.severity) for f in found(special)] == [("tax_id.buyer_missing", Severity.error)]
