"""docs/cli-extract.schema.json and docs/cli-reconcile.schema.json are the schemas the models give today, and
real `fapiao extract --json` lines (an invoice read, a file rejected) and `fapiao reconcile --json` lines (every
category the input gives) conform to them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from fapiao.cli.main import app
from tests.builders import OLD_LABELS, OLD_VALUES, placed_pdf
from tests.helpers.json_schema import errors
from tests.helpers.records import HEADERS, ROWS, write_csv
from tests.helpers.service import xml
from tools.contract_schema import OUT, RECONCILE_OUT, SCHEMAS, render


def _schema(path: Path = OUT) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_committed_schemas_are_up_to_date() -> None:
    for path in SCHEMAS:
        assert path.read_text(encoding="utf-8") == render(path), f"{path.name}: run `python -m tools.contract_schema`"


def test_real_output_lines_conform(tmp_path: Path) -> None:
    (tmp_path / "good.pdf").write_bytes(placed_pdf(OLD_LABELS, OLD_VALUES))
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\nthis is not really a pdf")
    res = CliRunner().invoke(app, ["extract", str(tmp_path), "--json", "--no-ocr"])
    assert res.exit_code == 0, res.output
    lines = {Path(d["source"]).name: d for d in map(json.loads, res.stdout.splitlines())}
    assert lines["good.pdf"]["invoice"]["invoice_number"] == "12345678" and lines["broken.pdf"]["error"]
    for name, line in lines.items():
        assert errors(line, _schema()) == [], name


def test_the_schema_holds_money_to_strings_and_unknown_keys_out() -> None:
    """The check is not vacuous: a float amount and an unknown key are reported."""
    line = {
        "source": "a.pdf",
        "page": 1,
        "status": "verified",
        "invoice": {"total_amount": 90.0},
        "fields": {},
        "findings": [],
        "pages": [1],
        "document_kind": "pdf",
        "timings_ms": {},
        "surprise": 1,
    }
    found = errors(line, _schema())
    assert any("total_amount" in e for e in found) and any("surprise" in e for e in found), found


def test_real_reconcile_lines_conform(tmp_path: Path) -> None:
    export = write_csv(tmp_path / "export.csv", ROWS)
    numbers = [row[HEADERS.index("数电票号码")] for row in ROWS if row[HEADERS.index("数电票号码")]]
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.xml").write_bytes(xml(numbers[0], "100.00", "6.00"))
    (tmp_path / "docs" / "new.xml").write_bytes(xml("25990000000000012345", "55.00", "3.30"))
    (tmp_path / "docs" / "broken.pdf").write_bytes(b"%PDF-1.7\nthis is not really a pdf")
    res = CliRunner().invoke(app, ["reconcile", "--records", str(export), str(tmp_path / "docs"), "--json", "--no-ocr"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    assert {"missing_in_system", "rejected", "no_document"} <= {line["category"] for line in lines}
    for line in lines:
        assert errors(line, _schema(RECONCILE_OUT)) == [], line


def test_the_reconcile_schema_tells_the_two_shapes_apart() -> None:
    record = {"category": "no_document", "record_key": "1", "record": {}}
    assert any("record" in e for e in errors(record, _schema(RECONCILE_OUT)))  # the record's fields are required
    assert errors({"category": "matched", "record_key": "1", "record": {}}, _schema(RECONCILE_OUT))
