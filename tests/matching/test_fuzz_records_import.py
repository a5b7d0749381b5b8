"""Fuzzing the records import: any bytes under any name (read_rows_from / parse_upload), any rows of any cell
types as CSV and XLSX deliver (parse_rows), any header row (map_headers / find_header_row). A records file
either loads — every non-empty row becomes a record or a row error, never both, never neither — or is refused
as a whole with a MappingError that names it. Nothing else may escape (the service would answer 500).

Budget: see tests/fuzzing.py (FAPIAO_FUZZ_EXAMPLES for a longer run)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fapiao.matching.headers import ALIASES, FIELDS, MappingError, find_header_row, map_headers
from fapiao.matching.records_import import ParsedExport, parse_rows, parse_upload, read_rows_from
from tests.fuzzing import fuzz

pytestmark = pytest.mark.slow  # fuzzing

HEADER_TEXT = st.one_of(
    st.sampled_from([a for aliases in ALIASES.values() for a in aliases]),
    st.sampled_from(["价税合计(元)", "销方名称（全称）", "Cost Centre", "备注", "", " 发票号码 ", "*金额"]),
    st.text(max_size=12),
)
CELL = st.one_of(
    st.none(),
    st.text(max_size=24),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text("0123456789", min_size=8, max_size=8),
    st.text("0123456789", min_size=20, max_size=20),
    st.sampled_from(
        [
            "1e30",
            "1E+999999",
            "NaN",
            "(12.50)",
            "¥1,234.50",
            "2024年03月15日",
            "20240315",
            "2024/3/15",
            "作废",
            "红冲",
            "正常",
            "914403001922038216",
            "  ",
            "=1+1",
            "\x00",
        ]
    ),
)


def _check(parsed: ParsedExport, rows: list[list[object]]) -> None:
    assert parsed.rows_read == len(parsed.records) + len(parsed.errors)
    assert len({r.key for r in parsed.records}) == len(parsed.records)  # one record per invoice
    seen_rows = [r.row for r in parsed.records] + [e.row for e in parsed.errors]
    assert len(seen_rows) == len(set(seen_rows))  # a row is a record or an error, never both
    assert all(parsed.header_row < n <= len(rows) for n in seen_rows)
    for r in parsed.records:
        assert r.invoice_number.isdigit() and len(r.invoice_number) in (8, 20)
        assert r.status in ("normal", "voided", "red_letter")
        money = [v for v in (r.total_amount, r.total_tax, r.amount_with_tax) if v is not None]
        assert all(v.is_finite() and v.as_tuple().exponent == -2 and abs(v) < 10**16 for v in money)
        if None not in (r.total_amount, r.total_tax, r.amount_with_tax):
            assert r.total_amount + r.total_tax == r.amount_with_tax
    for e in parsed.errors:
        assert e.reason


@st.composite
def exports(draw) -> list[list[object]]:
    """A title line or two, a header row of known and unknown headers, then rows of any cells — and, often,
    a well-formed invoice number and amount where the headers expect them."""
    headers = draw(st.lists(HEADER_TEXT, min_size=1, max_size=8))
    if draw(st.booleans()):
        headers[draw(st.integers(0, len(headers) - 1))] = "发票号码"
    rows: list[list[object]] = [[draw(st.text(max_size=20))] for _ in range(draw(st.integers(0, 2)))]
    rows.append(list(headers))
    for _ in range(draw(st.integers(0, 8))):
        row = draw(st.lists(CELL, min_size=0, max_size=len(headers) + 2))
        rows.append(row)
    return rows


@fuzz(300)
@given(exports(), st.one_of(st.none(), st.dictionaries(st.sampled_from(FIELDS), HEADER_TEXT, max_size=3)))
def test_any_rows_load_or_are_refused_as_a_whole(rows: list[list[object]], explicit: dict | None) -> None:
    """Found: a cell of 1e30 (or 1e27) raised decimal.InvalidOperation out of the import (a 500 in the
    service), and a NaN or infinite float in a number column raised ValueError / OverflowError."""
    try:
        parsed = parse_rows(rows, "fuzz.xlsx", explicit)
    except MappingError as exc:
        assert "fuzz.xlsx" in str(exc) or "mapping" in str(exc)
        return
    _check(parsed, rows)


def _csv_cell(v: object) -> str:
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    return "" if v is None else str(v)


@fuzz(200)
@given(exports(), st.sampled_from(["utf-8-sig", "utf-8", "gb18030"]), st.sampled_from([",", "\t"]))
def test_any_csv_export_loads_or_is_refused_as_a_whole(rows, encoding: str, delimiter: str) -> None:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter).writerows([[_csv_cell(c) for c in r] for r in rows])
    try:
        data = buf.getvalue().encode(encoding)
    except UnicodeEncodeError:
        data = buf.getvalue().encode("utf-8")
    try:
        parsed = parse_upload(data, "export.csv")
    except MappingError as exc:
        assert "export.csv" in str(exc)
        return
    _check(parsed, read_rows_from(data, "export.csv"))


def _xlsx_cell(v: object) -> object:
    if isinstance(v, str):
        return "".join(ch for ch in v if ch >= " " or ch in "\t\n")  # what a worksheet can hold
    if isinstance(v, Decimal):
        return float(v) if v.is_finite() else str(v)
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    if isinstance(v, int) and abs(v) > 2**53:
        return str(v)
    if isinstance(v, dt.datetime):
        return v.replace(tzinfo=None, microsecond=0)
    return v


@fuzz(60)
@given(exports())
def test_any_xlsx_export_loads_or_is_refused_as_a_whole(rows) -> None:
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append([_xlsx_cell(c) for c in r])
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    try:
        parsed = parse_upload(data, "export.xlsx")
    except MappingError as exc:
        assert "export.xlsx" in str(exc)
        return
    _check(parsed, read_rows_from(data, "export.xlsx"))


@fuzz(300)
@given(
    st.binary(max_size=600),
    st.sampled_from(["x.csv", "x.xlsx", "x.tsv", "x.txt", "x", "x.pdf", "x.xlsm", "x.CSV"]),
    st.sampled_from([b"", b"PK\x03\x04", b"\xef\xbb\xbf", "发票号码,金额\n".encode("gb18030")]),
)
def test_any_bytes_under_any_name_are_read_or_refused_clearly(body: bytes, name: str, head: bytes) -> None:
    data = head + body
    try:
        rows = read_rows_from(data, name)
    except MappingError as exc:
        assert name in str(exc)
        return
    assert all(isinstance(r, list) for r in rows)
    try:
        _check(parse_upload(data, name), rows)
    except MappingError as exc:
        assert name in str(exc)


@fuzz(400)
@given(
    st.lists(st.one_of(HEADER_TEXT, st.none(), st.integers(), st.floats()), max_size=16),
    st.one_of(st.none(), st.dictionaries(st.sampled_from(FIELDS), HEADER_TEXT, max_size=4)),
)
def test_header_mapping_uses_each_column_and_field_once(headers: list, explicit: dict | None) -> None:
    try:
        hm = map_headers(headers, explicit)
    except MappingError:
        assert explicit  # only an explicit mapping naming a missing column or unknown field is refused
        return
    guessed = {f: i for f, i in hm.columns.items() if f not in hm.explicit}
    assert len(set(guessed.values())) == len(guessed)  # a guess never takes a column twice …
    assert not set(guessed.values()) & {hm.columns[f] for f in hm.explicit}  # … nor one a person chose
    assert set(hm.columns) <= set(FIELDS) and all(0 <= i < len(headers) for i in hm.columns.values())
    for fld, header in (explicit or {}).items():
        if header.strip():
            assert fld in hm.columns and fld in hm.explicit
        else:  # field → "" says the file has no such column: no guess may give it one
            assert fld not in hm.columns
    assert set(hm.unmapped) <= set(hm.headers)


@fuzz(200)
@given(st.lists(st.lists(st.one_of(HEADER_TEXT, CELL), max_size=10), max_size=14))
def test_header_row_search_finds_a_row_or_says_what_it_saw(rows: list[list[object]]) -> None:
    try:
        idx, hm = find_header_row(rows)
    except MappingError as exc:
        assert "no header row" in str(exc)
        return
    assert 0 <= idx < min(len(rows), 10) and len(hm.columns) >= 3
