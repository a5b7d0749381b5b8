"""Values that come from documents, file names or records are written into exported spreadsheets as TEXT:
a seller called ``=HYPERLINK(…)`` must not become a live formula in the clerk's Excel (CSV/XLSX injection).
Real numbers (amounts, negative ones too) stay numbers."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What spreadsheet programs take as the start of a formula (OWASP's list)."""


def formula_like(value: Any) -> bool:
    """A string a spreadsheet would evaluate; a string that is just a number ("-106.00") is not one."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return False
    try:
        Decimal(value.strip())
    except InvalidOperation:
        return True
    return not value.strip() or value[0] in "\t\r"


def as_text(ws) -> None:
    """Make every formula-like string of worksheet ``ws`` a plain text cell (openpyxl stores a string that
    starts with ``=`` as a formula). fapiao writes no formulas of its own, so every one is someone's text."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f" or formula_like(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True  # Excel shows it as typed text, and keeps it text when edited


def csv_cell(value: Any) -> Any:
    """A CSV value with a leading ``'`` when it is formula-like (CSV has no types to say "text")."""
    return "'" + value if formula_like(value) else value
