"""Header mapping (tax bureau, ERP in English, explicit) and the normalisation everything compares through."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fapiao.core.messages import BadValue
from fapiao.matching import normalize
from fapiao.matching.headers import MappingError, find_header_row, map_headers
from fapiao.matching.records_import import parse_rows

TAX_BUREAU = [
    "发票代码",
    "发票号码",
    "数电票号码",
    "销方识别号",
    "销方名称",
    "购方识别号",
    "购买方名称",
    "开票日期",
    "金额",
    "税额",
    "价税合计",
    "发票状态",
    "发票票种",
]


def test_tax_bureau_headers_map_exactly() -> None:
    hm = map_headers(TAX_BUREAU)
    assert hm.as_named() == {
        "invoice_code": "发票代码",
        "invoice_number": "发票号码",
        "digital_number": "数电票号码",
        "seller_tax_id": "销方识别号",
        "seller_name": "销方名称",
        "buyer_tax_id": "购方识别号",
        "buyer_name": "购买方名称",
        "issue_date": "开票日期",
        "total_amount": "金额",
        "total_tax": "税额",
        "amount_with_tax": "价税合计",
        "status": "发票状态",
        "invoice_kind": "发票票种",
    }
    assert hm.unmapped == []


def test_erp_headers_in_english_and_variants_are_guessed_and_shown() -> None:
    headers = [
        "Invoice No",
        "Supplier Name",
        "Supplier Tax ID",
        "Invoice Date",
        "Net Amount",
        "VAT Amount",
        "Gross Amount",
        "Invoice Status",
        "Cost Centre",
        "销售方纳税人识别号 ",
    ]
    hm = map_headers(headers)
    assert hm.columns["invoice_number"] == 0
    assert hm.columns["seller_name"] == 1
    assert hm.columns["seller_tax_id"] == 2
    assert hm.columns["issue_date"] == 3
    assert hm.columns["total_amount"] == 4
    assert hm.columns["total_tax"] == 5
    assert hm.columns["amount_with_tax"] == 6
    assert hm.columns["status"] == 7
    assert "Cost Centre" in hm.unmapped
    assert "销售方纳税人识别号" in hm.unmapped  # seller_tax_id is already taken by an exact alias
    assert any("'Invoice No' → invoice_number" in line for line in hm.describe())


def test_a_fuzzy_header_is_mapped_with_its_score() -> None:
    hm = map_headers(["发票号码 ", "销方名称（全称）", "价税合计(元)"])
    assert hm.columns == {"invoice_number": 0, "seller_name": 1, "amount_with_tax": 2}
    assert hm.scores["seller_name"] == 95 and hm.scores["invoice_number"] == 100


def test_explicit_mapping_wins_and_bad_explicit_mapping_says_what_exists() -> None:
    hm = map_headers(["票号", "金额", "日期"], explicit={"invoice_number": "票号", "amount_with_tax": "金额"})
    assert hm.columns["invoice_number"] == 0
    assert hm.columns["amount_with_tax"] == 1
    assert "total_amount" not in hm.columns
    assert hm.columns["issue_date"] == 2
    with pytest.raises(MappingError) as exc:
        map_headers(["票号"], explicit={"invoice_number": "No."})
    assert "'No.'" in str(exc.value) and "票号" in str(exc.value)
    with pytest.raises(MappingError, match="unknown field"):
        map_headers(["票号"], explicit={"number": "票号"})


def test_header_row_below_a_title_is_found() -> None:
    rows = [["全量发票查询导出结果"], [], TAX_BUREAU, ["1"]]
    idx, hm = find_header_row(rows)
    assert idx == 2 and hm.columns["invoice_number"] == 1
    with pytest.raises(MappingError, match="no header row"):
        find_header_row([["a", "b"], ["c", "d"]])


def test_company_names_normalise_width_legal_form_brackets_branches() -> None:
    assert normalize.company_key("科晟建筑（南京）股份有限公司") == normalize.company_key("科晟建筑(南京)有限公司")
    assert normalize.company_key("ＡＢＣ 科技 有限公司") == normalize.company_key("abc科技有限责任公司")
    assert normalize.company_key("北京甲科技有限公司") != normalize.company_key("北京乙科技有限公司")
    assert normalize.head_office_key("北京某某科技有限公司（海淀分公司）") == normalize.company_key(
        "北京某某科技有限公司"
    )
    assert normalize.head_office_key("北京某某科技有限公司上海分公司") == normalize.company_key(
        "北京某某科技股份有限公司"
    )
    assert normalize.company_key("北京某某科技有限公司上海分公司") != normalize.company_key("北京某某科技有限公司")


def test_cells_parse_or_say_why() -> None:
    assert normalize.money("1,234.5") == Decimal("1234.50")
    assert normalize.money(12.345) == Decimal("12.35")
    assert normalize.money("¥-3.10") == Decimal("-3.10")
    assert normalize.date("2024年3月5日") == dt.date(2024, 3, 5)
    assert normalize.date("20240305") == dt.date(2024, 3, 5)
    assert normalize.date(dt.datetime(2024, 3, 5, 10, 1)) == dt.date(2024, 3, 5)
    assert normalize.invoice_number(12345.0) == "00012345"
    assert normalize.invoice_number(11001900111) == "011001900111"
    assert normalize.invoice_number("2461O000") == "24610000"
    assert normalize.status("已作废") == "voided" and normalize.status("红冲") == "red_letter"
    for bad, parse in (("12,3x", normalize.money), ("2024-13-01", normalize.date), ("挂起", normalize.status)):
        with pytest.raises(ValueError, match="is not"):
            parse(bad)


def test_a_cell_that_cannot_be_read_says_why_with_a_code() -> None:
    """The English text is as it was; the code and the value are beside it, for a UI in another language."""
    cases = (
        ("12,3x", normalize.money, "not_an_amount", "'12,3x' is not an amount"),
        ("1e30", normalize.money, "amount_too_large", "'1e30' is larger than any invoice amount"),
        (1e30, normalize.money, "amount_too_large", "1e+30 is larger than any invoice amount"),
        ("2024-13-01", normalize.date, "not_a_date", "'2024-13-01' is not a date"),
        ("挂起", normalize.status, "not_a_status", "'挂起' is not a status (正常 / 作废 / 红冲)"),
    )
    for bad, parse, code, text in cases:
        with pytest.raises(BadValue) as exc:
            parse(bad)
        assert str(exc.value) == text and exc.value.msg.code == code and dict(exc.value.msg.params) == {"value": bad}


def test_bad_rows_of_an_export_carry_their_reason_as_a_message() -> None:
    header = ["发票代码", "发票号码", "开票日期", "金额", "税额", "价税合计"]
    rows = [
        header,
        ["", "24310000000000000001", "2024-03-08", "100.00", "6.00", "106.00"],
        ["", "24310000000000000001", "2024-03-08", "100.00", "6.00", "106.00"],
        ["", "", "2024-03-08", "100.00", "6.00", "106.00"],
        ["123", "12345678", "2024-03-08", "100.00", "6.00", "106.00"],
        ["", "24310000000000000004", "2024-03-08", "100.00", "6.00", "107.00"],
        ["", "24310000000000000005", "2024-03-08", "", "", ""],
    ]
    parsed = parse_rows(rows, "r.csv")
    got = [(e.row, e.why.code, dict(e.why.params), e.reason) for e in parsed.errors]
    assert got == [
        (
            3,
            "row_repeated",
            {"key": "24310000000000000001", "first": 2},
            "the same invoice (24310000000000000001) as row 2; the first one was kept — remove the repeated row",
        ),
        (4, "row_no_number", {}, "no invoice number (发票号码 and 数电票号码 are empty)"),
        (5, "row_bad_code", {"value": "123"}, "invoice code '123' should be 10 or 12 digits"),
        (
            6,
            "row_totals_disagree",
            {"amount": "100.00", "tax": "6.00", "with_tax": "107.00"},
            "金额 100.00 + 税额 6.00 ≠ 价税合计 107.00; correct the row in the system export",
        ),
        (7, "row_no_amount", {}, "no amount (金额 and 价税合计 are empty)"),
    ]


def test_a_field_marked_unmapped_is_not_guessed() -> None:
    """A person said the file has no seller-name column: the "供应商" column stays unused, not guessed."""
    auto = map_headers(["发票号码", "供应商", "价税合计"])
    assert auto.columns["seller_name"] == 1
    hm = map_headers(["发票号码", "供应商", "价税合计"], explicit={"seller_name": None, "invoice_number": "发票号码"})
    assert "seller_name" not in hm.columns and hm.unmapped == ["供应商"]
    assert hm.columns["amount_with_tax"] == 2 and hm.explicit == frozenset({"invoice_number"})
    # what is saved keeps the decision, so a repeated import or a saved mapping reads the file the same way
    assert hm.as_saved() == {"invoice_number": "发票号码", "amount_with_tax": "价税合计", "seller_name": None}
    assert "seller_name" not in map_headers(["发票号码", "供应商", "价税合计"], explicit=hm.as_saved()).columns


def test_an_explicit_mapping_cannot_read_two_fields_from_one_column() -> None:
    with pytest.raises(MappingError, match="both invoice_number and invoice_code"):
        map_headers(["票号", "金额"], explicit={"invoice_number": "票号", "invoice_code": "票号"})
