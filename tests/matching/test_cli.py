"""`fapiao reconcile --records EXPORT PATH... --json` through the real `fapiao` app and Typer's CliRunner, on
数电 XML invoices that the pipeline reads without OCR and a tax-bureau CSV export."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from fapiao.cli.main import app
from tests.helpers.records import write_csv
from tests.helpers.service import XML


def xml_invoice(path: Path, number: str, amount: str, tax: str, seller_id: str = "914403001922038216") -> Path:
    total = f"{float(amount) + float(tax):.2f}"
    path.write_text(
        XML.format(number=number, amount=amount, tax=tax, total=total, seller_id=seller_id), encoding="utf-8"
    )
    return path


def test_reconcile_json_lines_and_xlsx_report(tmp_path: Path) -> None:
    export = write_csv(
        tmp_path / "export.csv",
        [
            [
                "",
                "",
                "24310000000000000001",
                "914403001922038216",
                "上海某某贸易有限公司",
                "",
                "",
                "2024-03-08",
                "100.00",
                "6.00",
                "106.00",
                "正常",
                "",
            ],
            [
                "",
                "",
                "24310000000000000002",
                "914403001922038216",
                "上海某某贸易有限公司",
                "",
                "",
                "2024-03-08",
                "200.00",
                "12.00",
                "212.00",
                "作废",
                "",
            ],
            [
                "",
                "",
                "24310000000000000003",
                "914403001922038216",
                "上海某某贸易有限公司",
                "",
                "",
                "2024-03-09",
                "300.00",
                "18.00",
                "318.00",
                "正常",
                "",
            ],
            ["", "", "bad", "", "", "", "", "", "", "", "", "", ""],
        ],
    )
    docs = tmp_path / "docs"
    docs.mkdir()
    xml_invoice(docs / "a.xml", "24310000000000000001", "100.00", "6.00")
    xml_invoice(docs / "b.xml", "24310000000000000002", "200.00", "12.00")
    xml_invoice(docs / "c.xml", "24310000000000000099", "77.00", "4.62")
    (docs / "d.txt").write_text("not an invoice", encoding="utf-8")
    out = tmp_path / "report.xlsx"
    res = CliRunner().invoke(app, ["reconcile", "--records", str(export), str(docs), "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    by = {Path(x["source"]).name if x.get("source") else x["record_key"]: x for x in lines}
    assert [x["category"] for x in lines] == ["matched", "voided", "missing_in_system", "rejected", "no_document"]
    assert by["a.xml"]["record_key"] == "24310000000000000001" and by["a.xml"]["score"] == 100.0
    assert by["a.xml"]["differences"] == [] and by["a.xml"]["invoice"]["amount_with_tax"] == "106.00"
    assert [f["code"] for f in by["b.xml"]["findings"]] == ["match.voided"]
    assert by["c.xml"]["record_key"] is None and by["c.xml"]["invoice"]["invoice_number"] == "24310000000000000099"
    assert by["24310000000000000003"] == {
        "category": "no_document",
        "record_key": "24310000000000000003",
        "record": by["24310000000000000003"]["record"],
    }
    assert "row 5" in res.stderr and "'BAD'" in res.stderr
    assert "数电票号码" in res.stderr  # the header mapping is shown
    wb = openpyxl.load_workbook(out)
    assert wb["matched"]["D2"].value == "24310000000000000001"
    assert wb["no_document"]["D2"].value == "24310000000000000003"
    assert wb["missing_in_system"].max_row == 2


def test_reconcile_says_what_is_wrong_with_the_records_file(tmp_path: Path) -> None:
    (tmp_path / "x.xml").write_text("<a/>", encoding="utf-8")
    res = CliRunner().invoke(app, ["reconcile", "--records", str(tmp_path / "none.csv"), str(tmp_path / "x.xml")])
    assert res.exit_code == 2 and "no such file" in res.stderr
    bad = write_csv(tmp_path / "bad.csv", [["1", "2"]], headers=["foo", "bar"])
    res = CliRunner().invoke(app, ["reconcile", "--records", str(bad), str(tmp_path / "x.xml"), "--json"])
    assert res.exit_code == 2 and res.stdout == ""
    assert "no header row found" in res.stderr and "explicit mapping" in res.stderr
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"invoice_number": "foo", "amount_with_tax": "bar"}), encoding="utf-8")
    res = CliRunner().invoke(
        app, ["reconcile", "--records", str(bad), "--mapping", str(mapping), str(tmp_path / "x.xml"), "--json"]
    )
    assert res.exit_code == 0, res.stderr
    # "1" is not an 8- or 20-digit number: reported by row, and the one document is rejected
    assert "row 2" in res.stderr
    assert [json.loads(x)["category"] for x in res.stdout.splitlines()] == ["rejected"]
