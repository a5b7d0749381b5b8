"""The CLI contract: `fapiao extract PATH... --json` prints JSON Lines only, never dies on a bad file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.builders import OLD_LABELS, OLD_VALUES, placed_pdf

pytestmark = pytest.mark.slow  # runs the fapiao command in subprocesses

CONTRACT_KEYS = {"source", "page", "status", "invoice", "fields", "findings", "timings_ms"}
INVOICE_KEYS = {
    "invoice_type",
    "type_code",
    "invoice_code",
    "invoice_number",
    "issue_date",
    "check_code",
    "buyer_name",
    "buyer_tax_id",
    "seller_name",
    "seller_tax_id",
    "total_amount",
    "total_tax",
    "amount_with_tax",
    "amount_in_words",
    "items",
    "remarks",
    "drawer",
}


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "fapiao.cli", *args], capture_output=True, text=True, timeout=120, env=env
    )


def test_extract_json_lines_follow_the_contract(tmp_path: Path) -> None:
    good = tmp_path / "invoices" / "good.pdf"
    good.parent.mkdir()
    good.write_bytes(placed_pdf(OLD_LABELS, OLD_VALUES))
    (tmp_path / "invoices" / "broken.pdf").write_bytes(b"%PDF-1.7\nthis is not really a pdf")
    (tmp_path / "invoices" / "notes.txt").write_text("hello")
    proc = _run("extract", str(tmp_path / "invoices"), str(tmp_path / "missing.pdf"), "--json")
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(lines) == 4  # every stdout line is JSON: nothing else is printed there
    by_name = {Path(line["source"]).name: line for line in lines}
    ok = by_name["good.pdf"]
    assert set(ok) >= CONTRACT_KEYS and set(ok["invoice"]) >= INVOICE_KEYS
    assert ok["invoice"]["invoice_number"] == "12345678" and ok["invoice"]["total_amount"] == "90.00"
    assert isinstance(ok["invoice"]["amount_with_tax"], str)  # money is never a float
    assert ok["fields"]["invoice_number"]["source"] == "text_layer" and len(ok["fields"]["invoice_number"]["bbox"]) == 4
    assert ok["status"] in {"verified", "needs_review"}
    for name in ("broken.pdf", "notes.txt", "missing.pdf"):
        assert by_name[name]["status"] == "rejected" and name in by_name[name]["error"]
    assert "upload the invoice file itself" in by_name["notes.txt"]["error"]


def test_extract_table_mode_prints_a_readable_table(tmp_path: Path) -> None:
    path = tmp_path / "a.pdf"
    path.write_bytes(placed_pdf(OLD_LABELS, OLD_VALUES))
    proc = _run("extract", str(path))
    assert proc.returncode == 0, proc.stderr
    assert "12345678" in proc.stdout and "95.40" in proc.stdout


def test_extract_parties_export_confirms_names_ocr_read(tmp_path: Path) -> None:
    """A committed scan read by OCR: without a records export nothing confirms its names; with one that knows
    both parties, the names are confirmed; a missing export file is a clear error."""
    import csv

    from fapiao.matching.export import TAX_BUREAU_HEADERS

    scan = Path(__file__).resolve().parents[2] / "samples" / "examples" / "digital_normal.png"
    truth = json.loads(Path(f"{scan}.truth.json").read_text(encoding="utf-8"))["invoices"][0]["invoice"]
    export = tmp_path / "export.csv"
    with export.open("w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(TAX_BUREAU_HEADERS)
        w.writerow(
            [
                "",
                "",
                "24420000000000000001",
                truth["seller_tax_id"],
                truth["seller_name"],
                truth["buyer_tax_id"],
                truth["buyer_name"],
                "2024-01-05",
                "10.00",
                "0.60",
                "10.60",
                "正常",
                "数电票（普通发票）",
            ]
        )

    def unconfirmed(*extra: str) -> set[str]:
        proc = _run("extract", str(scan), "--json", *extra)
        assert proc.returncode == 0, proc.stderr
        (line,) = [json.loads(x) for x in proc.stdout.splitlines()]
        assert line["invoice"]["seller_name"] == truth["seller_name"]
        return {n for f in line["findings"] if f["code"] == "ocr.unconfirmed" for n in f["fields"]}

    assert {"buyer_name", "seller_name"} <= unconfirmed()
    assert not {"buyer_name", "seller_name"} & unconfirmed("--parties", str(export))
    missing = _run("extract", str(scan), "--parties", str(tmp_path / "nope.csv"))
    assert missing.returncode == 2 and "nope.csv" in missing.stderr and "--parties" in missing.stderr
