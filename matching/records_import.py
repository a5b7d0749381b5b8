"""Reading a records export (CSV or XLSX; tax bureau or ERP headers) into ``Record`` rows. Bad rows are
reported by row number with the reason, good rows still load. ``fapiao.matching.records_sync`` stores them."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from fapiao.core.messages import BadValue, Message
from fapiao.matching import normalize
from fapiao.matching.headers import HeaderMap, MappingError, find_header_row
from fapiao.matching.records import Record


@dataclass(frozen=True)
class RowError:
    row: int
    """1-based, as a spreadsheet shows it."""
    why: Message
    column: str | None = None

    @property
    def reason(self) -> str:
        """Why, in English (a UI words ``why`` by its code)."""
        return self.why.text

    def message(self, source: str) -> str:
        where = f"{source} row {self.row}" + (f", column {self.column!r}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass
class ParsedExport:
    """What one export file holds: the rows that loaded, the rows that did not, and how headers were read."""

    source: str
    header_map: HeaderMap
    header_row: int
    """1-based row of the headers."""
    records: list[Record] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0
    status_words: dict[str, str] = field(default_factory=dict)
    """Our status → the file's own word for it, as first seen (``normal`` → ``posted``): drafts exported for this
    source are written in its vocabulary."""
    unmapped_statuses: dict[str, list[int]] = field(default_factory=dict)
    """Status values no alias maps → the rows that carry them. Those rows are kept (read as normal) and the
    values reported, never dropped: an unknown word in a ledger must not lose its invoices."""


class RecordsFileError(MappingError):
    """The file as a whole cannot be read (format, encoding, no header row)."""


MAX_ROWS = 2_000_000
"""More rows than any real export has: a file beyond it is refused rather than read into memory."""


def read_rows(path: Path) -> list[list[object]]:
    """Every row of the first sheet (XLSX) or of the CSV (UTF-8 with or without BOM, else GB18030)."""
    return read_rows_from(path.read_bytes(), str(path))


def read_rows_from(data: bytes, name: str) -> list[list[object]]:
    """``read_rows`` for bytes (an upload): XLSX is recognised by its zip signature whatever the name says,
    anything else is read as delimited text."""
    suffix = Path(name).suffix.lower()
    if data[:4] == b"PK\x03\x04":
        return _xlsx_rows(data, name)
    if suffix in (".xlsx", ".xlsm"):
        raise RecordsFileError(
            f"{name}: the name says XLSX but the content is not a workbook; export it again as .xlsx or .csv"
        )
    if suffix not in ("", ".csv", ".txt", ".tsv"):
        raise RecordsFileError(f"{name}: records must be .csv or .xlsx (got {suffix})")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost anything
        raise RecordsFileError(f"{name}: not UTF-8 or GB18030 text; save the export as UTF-8 CSV")
    if "\x00" in text[:4096]:
        raise RecordsFileError(f"{name}: binary content, not a CSV; save the export as .csv or .xlsx")
    head = text[:2000]
    dialect = csv.excel_tab if suffix == ".tsv" or ("\t" in head and "," not in head) else csv.excel
    rows: list[list[object]] = []
    try:
        for r in csv.reader(io.StringIO(text), dialect):
            rows.append(list(r))
            if len(rows) > MAX_ROWS:
                raise RecordsFileError(f"{name}: more than {MAX_ROWS:,} rows; split the export")
    except csv.Error as exc:
        raise RecordsFileError(f"{name}: not a readable CSV ({exc}); save the export as UTF-8 CSV") from exc
    return rows


MAX_XLSX_UNCOMPRESSED = 1024 * 1024 * 1024
"""The most bytes the members of a records workbook may unpack to (checked from the zip directory first)."""
MAX_SHARED_STRINGS = 256 * 1024 * 1024
"""openpyxl keeps the shared-string table in memory: its member may unpack to no more than this."""
MAX_MEMBER_RATIO = 100
"""Real sheet XML compresses 5-20×; a member over 1 MiB unpacking to more than this many times its packed
size is a bomb (one 300 MB string in a 300 KB file)."""
MAX_COLUMNS = 256
"""Exports have a few dozen columns; a cell beyond this column is refused, not padded out to 16,384."""
MAX_CELL_CHARS = 32_767
"""Excel's own limit for one cell."""


_NO_CELLS: list[object] = []


def _check_zip(data: bytes, name: str) -> None:
    """Refuse a workbook whose members would unpack to too much, from the zip directory alone (before parsing).
    The sizes in the directory bound what zipfile will ever unpack."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise RecordsFileError(f"{name}: cannot open as XLSX ({exc}); save the export as .xlsx or .csv") from exc
    total = sum(m.file_size for m in members)
    if total > MAX_XLSX_UNCOMPRESSED:
        raise RecordsFileError(
            f"{name}: the workbook unpacks to {total:,} bytes uncompressed, more than the limit of "
            f"{MAX_XLSX_UNCOMPRESSED:,}; split the export or save it as .csv"
        )
    for m in members:
        if m.filename.lower().endswith("sharedstrings.xml") and m.file_size > MAX_SHARED_STRINGS:
            raise RecordsFileError(
                f"{name}: its shared-string table unpacks to {m.file_size:,} bytes uncompressed, more than the "
                f"limit of {MAX_SHARED_STRINGS:,}; save the export as .csv"
            )
        if m.file_size > 1024 * 1024 and m.file_size > MAX_MEMBER_RATIO * max(m.compress_size, 1):
            raise RecordsFileError(
                f"{name}: {m.filename} unpacks to {m.file_size:,} bytes uncompressed from {m.compress_size:,} "
                f"(more than {MAX_MEMBER_RATIO}×): not a real export; export it again from the system"
            )


def _xlsx_rows(data: bytes, name: str) -> list[list[object]]:
    """The first sheet streamed (read-only mode) with the ``<dimension>`` it claims ignored, so a file cannot
    make the reader pad out rows and columns that are not there; rows, columns and cell lengths are capped."""
    import openpyxl

    _check_zip(data, name)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a damaged or non-XLSX file
        raise RecordsFileError(f"{name}: cannot open as XLSX ({exc}); save the export as .xlsx or .csv") from exc
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # what the file says its size is counts for nothing
        rows: list[list[object]] = []
        for row_no, r in enumerate(ws.iter_rows(values_only=True, max_col=None), start=1):
            if len(r) > MAX_COLUMNS:
                raise RecordsFileError(
                    f"{name}: row {row_no} has a cell in column {len(r):,}, beyond the limit of {MAX_COLUMNS} "
                    "columns; delete the stray cells or export only the invoice columns"
                )
            for col, v in enumerate(r, start=1):
                if isinstance(v, str) and len(v) > MAX_CELL_CHARS:
                    raise RecordsFileError(
                        f"{name}: row {row_no}, column {col} holds {len(v):,} characters, more than the "
                        f"{MAX_CELL_CHARS:,} a cell may; check that cell in the export"
                    )
            rows.append(list(r) if r else _NO_CELLS)  # rows missing between cells share one empty list
            if len(rows) > MAX_ROWS:
                raise RecordsFileError(f"{name}: more than {MAX_ROWS:,} rows; split the export")
        return rows
    except RecordsFileError:
        raise
    except Exception as exc:  # a sheet that opens but cannot be read (broken XML inside)
        raise RecordsFileError(f"{name}: the first sheet cannot be read ({exc}); export it again") from exc
    finally:
        wb.close()


def parse_export(path: Path, explicit: dict[str, str | None] | None = None) -> ParsedExport:
    """Read ``path``: find the header row, map headers, parse every row."""
    return parse_rows(read_rows(path), str(path), explicit)


def parse_upload(data: bytes, name: str, explicit: dict[str, str | None] | None = None) -> ParsedExport:
    """``parse_export`` for bytes (an API or UI upload)."""
    return parse_rows(read_rows_from(data, name), name, explicit)


def parse_rows(rows: list[list[object]], source: str, explicit: dict[str, str | None] | None = None) -> ParsedExport:
    try:
        idx, hm = find_header_row(rows, explicit)
    except MappingError as exc:
        raise RecordsFileError(f"{source}: {exc}") from exc
    if "invoice_number" not in hm.columns and "digital_number" not in hm.columns:
        raise RecordsFileError(
            f"{source}: no invoice number column (发票号码 / 数电票号码) among "
            f"{', '.join(h for h in hm.headers if h)}; give an explicit mapping for invoice_number"
        )
    parsed = ParsedExport(source=source, header_map=hm, header_row=idx + 1)
    first_row_of: dict[str, int] = {}
    for offset, row in enumerate(rows[idx + 1 :]):
        row_no = idx + 2 + offset
        if all(c is None or str(c).strip() == "" for c in row):
            continue
        parsed.rows_read += 1
        try:
            record = _parse_row(row, hm, row_no, parsed)
        except _BadCell as bad:
            parsed.errors.append(RowError(row_no, bad.why, bad.column))
            continue
        if record.key in first_row_of:
            why = Message.of("row_repeated", key=record.key, first=first_row_of[record.key])
            parsed.errors.append(RowError(row_no, why))
            continue
        first_row_of[record.key] = row_no
        parsed.records.append(record)
    return parsed


class _BadCell(Exception):
    def __init__(self, why: Message, column: str | None = None) -> None:
        self.why = why
        self.column = column


def _parse_row(row: list[object], hm: HeaderMap, row_no: int, into: ParsedExport) -> Record:
    def cell(fld: str) -> object:
        i = hm.columns.get(fld)
        if i is None or i >= len(row):
            return None
        v = row[i]
        return None if v is None or (isinstance(v, str) and v.strip() == "") else v

    def parsed(fld: str, parse: Callable[[object], object]) -> object:
        v = cell(fld)
        if v is None:
            return None
        try:
            return parse(v)
        except ValueError as exc:
            why = exc.msg if isinstance(exc, BadValue) else Message.of("cell_unreadable", error=exc)
            raise _BadCell(why, hm.headers[hm.columns[fld]]) from None

    code = normalize.invoice_number(cell("invoice_code")) or None
    number = normalize.invoice_number(cell("invoice_number")) or None
    digital = normalize.invoice_number(cell("digital_number")) or None
    if not code:
        number = digital or number
    if not number:
        raise _BadCell(Message.of("row_no_number"))
    if not number.isdigit() or (code and len(number) != 8) or (not code and len(number) not in (8, 20)):
        col = hm.headers[hm.columns["digital_number" if digital and not code else "invoice_number"]]
        raise _BadCell(Message.of("row_bad_number", value=number), col)
    if code and (not code.isdigit() or len(code) not in (10, 12)):
        raise _BadCell(Message.of("row_bad_code", value=code), hm.headers[hm.columns["invoice_code"]])
    issue_date = parsed("issue_date", normalize.date)
    amount = parsed("total_amount", normalize.money)
    tax = parsed("total_tax", normalize.money)
    with_tax = parsed("amount_with_tax", normalize.money)
    amount, tax, with_tax = _complete_totals(amount, tax, with_tax)  # type: ignore[arg-type]
    if amount is None and with_tax is None:
        raise _BadCell(Message.of("row_no_amount"))
    status = _status(cell("status"), row_no, into)
    return Record(
        invoice_number=number,
        invoice_code=code,
        issue_date=issue_date,  # type: ignore[arg-type]
        seller_tax_id=normalize.tax_id(_text(cell("seller_tax_id"))) or None,
        seller_name=_text(cell("seller_name")),
        buyer_tax_id=normalize.tax_id(_text(cell("buyer_tax_id"))) or None,
        buyer_name=_text(cell("buyer_name")),
        total_amount=amount,
        total_tax=tax,
        amount_with_tax=with_tax,
        status=status,
        invoice_kind=_text(cell("invoice_kind")),
        row=row_no,
    )


def _status(value: object, row_no: int, into: ParsedExport) -> str:
    """The row's status; a value no alias knows is kept as normal and reported in ``into.unmapped_statuses``."""
    text = _text(value)
    if text is None:
        return "normal"
    try:
        status = normalize.status(text)
    except ValueError:
        into.unmapped_statuses.setdefault(text, []).append(row_no)
        return "normal"
    into.status_words.setdefault(status, text)
    return status


def _complete_totals(amount: Decimal | None, tax: Decimal | None, with_tax: Decimal | None):
    """Two of 金额 / 税额 / 价税合计 determine the third; three that disagree are a bad row."""
    if amount is not None and tax is not None and with_tax is not None:
        if amount + tax != with_tax:
            raise _BadCell(Message.of("row_totals_disagree", amount=amount, tax=tax, with_tax=with_tax))
        return amount, tax, with_tax
    if amount is not None and tax is not None:
        return amount, tax, amount + tax
    if with_tax is not None and tax is not None:
        return with_tax - tax, tax, with_tax
    return amount, tax, with_tax


def _text(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, dt.datetime):
        return v.isoformat()
    s = str(v).strip()
    return s or None
