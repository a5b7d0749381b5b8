"""docs/cli-extract.schema.json is the schema the models give today, and real `fapiao extract --json` lines
(an invoice read, a file rejected) conform to it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from fapiao.cli.main import app
from tests.builders import OLD_LABELS, OLD_VALUES, placed_pdf
from tests.helpers.json_schema import errors
from tools.contract_schema import OUT, render


def _schema() -> dict:
    return json.loads(OUT.read_text(encoding="utf-8"))


def test_the_committed_schema_is_up_to_date() -> None:
    assert OUT.read_text(encoding="utf-8") == render(), "run `python -m tools.contract_schema`"


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
