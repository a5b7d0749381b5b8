"""Reports and drafts written as XLSX / CSV / JSON and read back: every cell checked."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import openpyxl

from fapiao.matching.drafts import draft_payload
from fapiao.matching.export import (
    REPORT_COLUMNS,
    TAX_BUREAU_HEADERS,
    report_lines,
    write_drafts_json,
    write_drafts_xlsx,
    write_report_csv,
    write_report_json,
    write_report_xlsx,
)
from fapiao.matching.parties import PartyMaster
from fapiao.matching.reconcile import Category, reconcile
from fapiao.matching.records_import import parse_export
from tests.matching.builders import RECORDS, SELLER, batch, invoice, record


def _dec(v) -> Decimal:
    return Decimal(str(v)).quantize(Decimal("0.01"))


def test_report_xlsx_has_a_sheet_per_category_with_every_cell(tmp_path: Path) -> None:
    report = reconcile(batch(), RECORDS)
    path = tmp_path / "report.xlsx"
    write_report_xlsx(report_lines(report), path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [c.value for c in Category]
    for cat, items in report.by_category().items():
        rows = list(wb[cat.value].iter_rows(values_only=True))
        assert rows[0] == REPORT_COLUMNS
        assert len(rows) == 1 + len(items)
    missing = list(wb["missing_in_system"].iter_rows(values_only=True))[1]
    cell = dict(zip(REPORT_COLUMNS, missing, strict=False))
    assert cell["source"] == "new.pdf" and cell["category"] == "missing_in_system"
    assert cell["record_key"] is None and cell["invoice_number"] == "25990000000000012345"
    assert cell["issue_date"].date() == dt.date(2025, 1, 2)
    assert (_dec(cell["total_amount"]), _dec(cell["total_tax"]), _dec(cell["amount_with_tax"])) == (
        Decimal("55.00"),
        Decimal("3.30"),
        Decimal("58.30"),
    )
    assert cell["seller_name"] == SELLER[0] and cell["seller_tax_id"] == SELLER[1]
    differs = dict(
        zip(REPORT_COLUMNS, list(wb["matched_with_differences"].iter_rows(values_only=True))[1], strict=False)
    )
    assert differs["differences"] == "buyer_tax_id: 91330106273175535X ≠ 91330106273175535K"
    assert differs["record_key"] == "24610000000000000002" and differs["score"] > 85
    voided = [dict(zip(REPORT_COLUMNS, r, strict=False)) for r in list(wb["voided"].iter_rows(values_only=True))[1:]]
    assert [v["findings"] for v in voided] == ["match.voided", "match.red_letter"]
    nodoc = [
        dict(zip(REPORT_COLUMNS, r, strict=False)) for r in list(wb["no_document"].iter_rows(values_only=True))[1:]
    ]
    assert [n["record_key"] for n in nodoc] == ["24310000000000000099", "24310000000000000098"]
    assert _dec(nodoc[0]["amount_with_tax"]) == Decimal("1058.94")


def test_report_csv_and_json(tmp_path: Path) -> None:
    report = reconcile(batch(), RECORDS)
    write_report_csv(report_lines(report), tmp_path / "r.csv")
    with (tmp_path / "r.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["category"] for r in rows] == [
        "matched",
        "matched_with_differences",
        "missing_in_system",
        "duplicate",
        "voided",
        "voided",
        "rejected",
        "no_document",
        "no_document",
    ]
    assert rows[2]["amount_with_tax"] == "58.30" and rows[2]["issue_date"] == "2025-01-02"
    write_report_json(report_lines(report), tmp_path / "r.json")
    lines = [json.loads(x) for x in (tmp_path / "r.json").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 9
    assert lines[-1] == {
        "category": "no_document",
        "record_key": "24310000000000000098",
        "record": {**lines[-1]["record"], "amount_with_tax": "1057.88", "status": "normal"},
    }
    assert lines[0]["invoice"]["invoice_number"] == "24610000000000000001"


def test_drafts_export_in_the_tax_bureau_layout_and_in_an_erp_layout(tmp_path: Path) -> None:
    master = PartyMaster.from_records([record("1", seller=("上海某某贸易有限公司", SELLER[1]))])
    inv = invoice("25990000000000012345", seller=("上海某某贸易股份有限公司", None), amount="55.00", tax="3.30")
    old = invoice("87654321", code="011001900111", amount="10.00", tax="0.60")
    payloads = [draft_payload(inv, master), draft_payload(old)]
    assert payloads[0]["seller_tax_id"] == SELLER[1]
    assert payloads[0]["seller_name"] == "上海某某贸易有限公司"
    assert payloads[0]["seller_name_as_printed"] == "上海某某贸易股份有限公司"
    assert payloads[0]["filled_from_party_master"] == ["seller_tax_id", "seller_name"]
    path = tmp_path / "drafts.xlsx"
    write_drafts_xlsx(payloads, path)
    wb = openpyxl.load_workbook(path)
    rows = list(wb["drafts"].iter_rows(values_only=True))
    assert rows[0] == TAX_BUREAU_HEADERS
    first = dict(zip(TAX_BUREAU_HEADERS, rows[1], strict=False))
    assert first["发票代码"] is None and first["发票号码"] is None and first["数电票号码"] == "25990000000000012345"
    assert first["销方识别号"] == SELLER[1] and first["销方名称"] == "上海某某贸易有限公司"
    assert first["购方识别号"] == "91330106273175535K" and first["购买方名称"] == "思星顺生物技术集团有限公司"
    assert first["开票日期"].date() == dt.date(2024, 3, 8)
    assert (_dec(first["金额"]), _dec(first["税额"]), _dec(first["价税合计"])) == (
        Decimal("55.00"),
        Decimal("3.30"),
        Decimal("58.30"),
    )
    assert first["发票状态"] == "正常" and first["发票票种"] == "数电票（普通发票）"
    second = dict(zip(TAX_BUREAU_HEADERS, rows[2], strict=False))
    assert (second["发票代码"], second["发票号码"], second["数电票号码"]) == ("011001900111", "87654321", None)
    items = list(wb["items"].iter_rows(values_only=True))
    assert items[1][:6] == (None, None, "25990000000000012345", "*信息技术服务*软件开发服务", None, "次")
    assert (_dec(items[1][6]), _dec(items[1][7]), _dec(items[1][8]), items[1][9], _dec(items[1][10])) == (
        Decimal("2"),
        Decimal("27.50"),
        Decimal("55.00"),
        "6%",
        Decimal("3.30"),
    )
    # the drafts re-import as records
    erp = ["Invoice No", "Supplier", "Supplier Tax ID", "Invoice Date", "Gross Amount", "Cost Centre"]
    write_drafts_xlsx(payloads, tmp_path / "erp.xlsx", headers=erp)
    parsed = parse_export(tmp_path / "erp.xlsx")
    assert parsed.errors == []
    assert [(r.key, r.seller_tax_id, r.amount_with_tax) for r in parsed.records] == [
        ("25990000000000012345", SELLER[1], Decimal("58.30")),
        ("87654321", SELLER[1], Decimal("10.60")),
    ]
    write_drafts_json(payloads, tmp_path / "d.json")
    back = json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))
    assert back[0]["items"][0]["unit_price"] == "27.5" and back[1]["invoice_code"] == "011001900111"
