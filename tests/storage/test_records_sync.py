"""Records import as a sync, against SQLite and PostgreSQL: insert, re-import (status changes, first/last
seen), bad rows kept with their row numbers, parties learned, header mappings saved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
from sqlalchemy import select

from fapiao.matching.records_import import parse_export
from fapiao.storage.db import session_scope
from fapiao.storage.matching_tables import ImportRun, Party, SystemRecord
from fapiao.storage.records import learn_parties, load_mapping, load_master, load_records, save_mapping, sync_records
from tests.helpers.records import ROWS, write_csv


def utc(t: dt.datetime) -> dt.datetime:
    """SQLite gives naive datetimes back, PostgreSQL aware ones in the session's time zone."""
    return t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t.astimezone(dt.UTC)


def test_import_loads_good_rows_and_reports_bad_ones_by_row(db, tmp_path: Path) -> None:
    parsed = parse_export(write_csv(tmp_path / "export.csv", ROWS))
    t0 = dt.datetime(2024, 4, 1, 8, 0, tzinfo=dt.UTC)
    with session_scope(db) as s:
        run = sync_records(s, parsed, now=t0)
        run_id = run.id
    with session_scope(db) as s:
        run = s.get(ImportRun, run_id)
        assert (run.rows_read, run.inserted, run.updated, run.unchanged) == (5, 3, 0, 0)
        assert [(e.row, e.column) for e in run.errors] == [(4, "数电票号码"), (5, "开票日期")]
        assert "20 digits" in run.errors[0].reason and "'2024-02-30' is not a date" in run.errors[1].reason
        assert run.mapping["invoice_number"] == "发票号码" and run.header_row == 1
        recs = {r.invoice_key: r for r in s.scalars(select(SystemRecord))}
        assert set(recs) == {"24610000000000000001", "011001900111:12345678", "24610000000000000004"}
        void = recs["24610000000000000004"]
        assert void.status == "voided" and void.total_amount == Decimal("1000.00")
        assert isinstance(void.amount_with_tax, Decimal) and void.amount_with_tax == Decimal("1060.00")
        assert void.issue_date == dt.date(2024, 3, 9)
        assert void.first_import_id == run_id and void.last_import_id == run_id
        parties = {p.tax_id: p for p in s.scalars(select(Party))}
        assert set(parties) == {"914403001922038216", "91110000600037341L", "91330106273175535K"}
        assert sorted(n.name for n in parties["914403001922038216"].names) == [
            "上海某某贸易有限公司",
            "上海某某贸易股份有限公司",
        ]


def test_reimport_updates_status_and_last_seen_keeps_first_seen(db, tmp_path: Path) -> None:
    t0 = dt.datetime(2024, 4, 1, 8, 0, tzinfo=dt.UTC)
    t1 = dt.datetime(2024, 5, 1, 8, 0, tzinfo=dt.UTC)
    with session_scope(db) as s:
        first = sync_records(s, parse_export(write_csv(tmp_path / "a.csv", ROWS)), now=t0).id
    rows = [list(r) for r in ROWS]
    rows[0][11] = "红冲"  # the first invoice was reversed since
    rows.append(
        [
            "",
            "",
            "24610000000000000005",
            "914403001922038216",
            "上海某某贸易有限公司",
            "",
            "",
            "2024-04-02",
            "5.00",
            "0.30",
            "5.30",
            "正常",
            "",
        ]
    )
    with session_scope(db) as s:
        run = sync_records(s, parse_export(write_csv(tmp_path / "b.csv", rows)), now=t1)
        assert (run.inserted, run.updated, run.unchanged) == (1, 1, 2)
        second = run.id
    with session_scope(db) as s:
        recs = {r.invoice_key: r for r in s.scalars(select(SystemRecord))}
        red = recs["24610000000000000001"]
        assert red.status == "red_letter"
        assert utc(red.first_seen) == t0 and utc(red.last_seen) == t1
        assert (red.first_import_id, red.last_import_id) == (first, second)
        assert utc(recs["24610000000000000005"].first_seen) == t1
        assert len(load_records(s)) == 4
        assert [r.invoice_number for r in load_records(s, dt.date(2024, 3, 9), dt.date(2024, 12, 31))] == [
            "24610000000000000004",
            "24610000000000000005",
        ]


def test_xlsx_export_with_title_row_numeric_cells_and_english_headers(db, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ERP invoice ledger 2019"])
    ws.append(
        [
            "Invoice Code",
            "Invoice No",
            "Supplier Name",
            "Supplier Tax ID",
            "Invoice Date",
            "Net Amount",
            "VAT Amount",
            "Status",
        ]
    )
    ws.append(
        [11001900111, 345678, "北京某某科技有限公司", "91110000600037341L", dt.datetime(2019, 7, 20), 90, 5.4, "Normal"]
    )
    ws.append([None, None, "x", None, dt.datetime(2019, 7, 21), 1, 0, "Normal"])
    wb.save(tmp_path / "erp.xlsx")
    parsed = parse_export(tmp_path / "erp.xlsx")
    assert parsed.header_row == 2
    assert [(e.row, e.reason) for e in parsed.errors] == [(4, "no invoice number (发票号码 and 数电票号码 are empty)")]
    with session_scope(db) as s:
        sync_records(s, parsed)
        save_mapping(s, "erp", parsed.header_map.as_named())
    with session_scope(db) as s:
        (rec,) = load_records(s)
        assert rec.key == "011001900111:00345678"
        assert (rec.total_amount, rec.total_tax, rec.amount_with_tax) == (
            Decimal("90.00"),
            Decimal("5.40"),
            Decimal("95.40"),
        )
        assert load_mapping(s, "erp")["invoice_number"] == "Invoice No"
        assert load_mapping(s, "missing") is None


def test_party_canonical_name_follows_the_most_frequent_name(db) -> None:
    with session_scope(db) as s:
        learn_parties(s, [("甲公司", "91110000600037341L")])
        learn_parties(s, [("甲有限公司", "91110000600037341L")] * 2, origin="confirmed")
    with session_scope(db) as s:
        party = s.scalar(select(Party))
        assert party.canonical_name == "甲有限公司"
        assert {(n.name, n.seen, n.origin) for n in party.names} == {
            ("甲公司", 1, "records"),
            ("甲有限公司", 2, "confirmed"),
        }
        master = load_master(s)
        assert master.by_id["91110000600037341L"].canonical_name == "甲有限公司"
