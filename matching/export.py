"""Writing reconciliation reports (XLSX with one sheet per category, CSV, JSON Lines) and back-entry drafts in
the system's own import layout (the columns of the records export it was given; the tax bureau's by
default), so the clerk imports the drafts where the records came from."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import openpyxl

from fapiao.core.models import TYPE_BY_CODE, InvoiceType
from fapiao.matching.cell_text import as_text, csv_cell
from fapiao.matching.headers import map_headers
from fapiao.matching.reconcile import Category, ReconcileReport
from fapiao.matching.records import Record

TAX_BUREAU_HEADERS = (
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
)
REPORT_COLUMNS = (
    "source",
    "page",
    "category",
    "record_key",
    "score",
    "decision",
    "invoice_code",
    "invoice_number",
    "issue_date",
    "seller_name",
    "seller_tax_id",
    "buyer_name",
    "buyer_tax_id",
    "total_amount",
    "total_tax",
    "amount_with_tax",
    "differences",
    "findings",
)
ITEM_HEADERS = (
    "发票代码",
    "发票号码",
    "数电票号码",
    "项目名称",
    "规格型号",
    "单位",
    "数量",
    "单价",
    "金额",
    "税率",
    "税额",
)
KIND_ZH = {
    InvoiceType.special: "增值税专用发票",
    InvoiceType.normal: "增值税普通发票",
    InvoiceType.e_special: "增值税电子专用发票",
    InvoiceType.e_normal: "增值税电子普通发票",
    InvoiceType.roll: "增值税普通发票（卷票）",
    InvoiceType.toll: "增值税电子普通发票（通行费）",
    InvoiceType.digital_special: "数电票（增值税专用发票）",
    InvoiceType.digital_normal: "数电票（普通发票）",
    InvoiceType.motor_vehicle: "机动车销售统一发票",
    InvoiceType.used_car: "二手车销售统一发票",
    InvoiceType.rail: "电子发票（铁路电子客票）",
    InvoiceType.air: "电子发票（航空运输电子客票行程单）",
}
_INVOICE_FIELDS = REPORT_COLUMNS[6:16]
_MONEY_FIELDS = frozenset({"total_amount", "total_tax", "amount_with_tax"})


def report_lines(report: ReconcileReport) -> list[dict[str, Any]]:
    """The ``fapiao reconcile --json`` lines: one per document, then one per record without a document. Every
    writer below works from these lines, so a report stored in the database exports exactly like the CLI's."""
    lines = [o.to_contract() for o in report.documents]
    lines += [no_document_line(r) for r in report.no_document]
    return lines


def no_document_line(rec: Record) -> dict[str, Any]:
    return {"category": Category.no_document.value, "record_key": rec.key, "record": record_json(rec)}


def report_row(line: dict[str, Any]) -> dict[str, Any]:
    """One report line as a spreadsheet row: amounts as Decimal, dates as dates, lists joined."""
    fields = line.get("invoice") or line.get("record") or {}
    findings = "; ".join(f["code"] for f in line.get("findings") or []) or line.get("error")
    row: dict[str, Any] = {
        "source": line.get("source"),
        "page": line.get("page"),
        "category": line["category"],
        "record_key": line.get("record_key"),
        "score": line.get("score"),
        "decision": line.get("decision"),
        "differences": "; ".join(
            f"{d['field']}: {d['document']} ≠ {d['record']}" for d in line.get("differences") or []
        )
        or None,
        "findings": findings or None,
    }
    for f in _INVOICE_FIELDS:
        v = fields.get(f)
        if v is not None and f in _MONEY_FIELDS:
            v = Decimal(v)
        elif v is not None and f == "issue_date":
            v = dt.date.fromisoformat(v)
        row[f] = v
    return row


def _by_category(lines: Sequence[dict[str, Any]]) -> dict[Category, list[dict[str, Any]]]:
    out: dict[Category, list[dict[str, Any]]] = {c: [] for c in Category}
    for line in lines:
        out[Category(line["category"])].append(report_row(line))
    return out


def write_report_xlsx(lines: Sequence[dict[str, Any]], path: Path) -> None:
    """One sheet per category (every category, empty ones too, so integrators find the sheets by name)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for cat, rows in _by_category(lines).items():
        ws = wb.create_sheet(cat.value)
        ws.append(list(REPORT_COLUMNS))
        for row in rows:
            ws.append([row[c] for c in REPORT_COLUMNS])
        _formats(ws, REPORT_COLUMNS)
        as_text(ws)
    wb.save(path)


def write_report_csv(lines: Sequence[dict[str, Any]], path: Path) -> None:
    """All categories in one CSV (UTF-8 with BOM, which spreadsheet programs read as UTF-8)."""
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(REPORT_COLUMNS)
        for rows in _by_category(lines).values():
            for row in rows:
                w.writerow(["" if row[c] is None else csv_cell(_plain(row[c])) for c in REPORT_COLUMNS])


def write_report_json(lines: Sequence[dict[str, Any]], path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for line in lines:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")


REPORT_WRITERS = {
    ".xlsx": write_report_xlsx,
    ".csv": write_report_csv,
    ".json": write_report_json,
    ".jsonl": write_report_json,
}


def write_report(lines: Sequence[dict[str, Any]], path: Path) -> None:
    """By suffix: .xlsx, .csv, or .json / .jsonl."""
    suffix = path.suffix.lower()
    if suffix not in REPORT_WRITERS:
        raise ValueError(f"{path}: the report is written as .xlsx, .csv or .json (got {suffix or 'no extension'})")
    REPORT_WRITERS[suffix](lines, path)


# -- drafts in the system's import layout ----------------------------------------------------------------


def draft_row(
    payload: dict[str, Any],
    headers: Sequence[str],
    mapping: dict[str, str] | None = None,
    status_words: dict[str, str] | None = None,
) -> list[Any]:
    """One draft as a row under ``headers`` (whatever their language): each header's field from the payload.
    ``mapping`` (field → header) is how the records import read these headers; without it they are mapped
    automatically as an import would. ``status_words`` is the source's own word per status (normal → posted)."""
    hm = map_headers(list(headers), mapping)
    field_of = {i: f for f, i in hm.columns.items()}
    digital = not payload.get("invoice_code") and len(payload.get("invoice_number") or "") == 20
    values: dict[str, Any] = {
        "invoice_code": payload.get("invoice_code"),
        "invoice_number": None if digital and "digital_number" in hm.columns else payload.get("invoice_number"),
        "digital_number": payload.get("invoice_number") if digital else None,
        "status": (status_words or {}).get("normal") or "正常",
        "invoice_kind": _kind(payload),
        "issue_date": dt.date.fromisoformat(payload["issue_date"]) if payload.get("issue_date") else None,
    }
    for f in ("seller_tax_id", "seller_name", "buyer_tax_id", "buyer_name"):
        values[f] = payload.get(f)
    for f in ("total_amount", "total_tax", "amount_with_tax"):
        values[f] = Decimal(payload[f]) if payload.get(f) is not None else None
    return [values.get(field_of[i]) if i in field_of else None for i in range(len(headers))]


def write_drafts_xlsx(
    payloads: Sequence[dict[str, Any]],
    path: Path,
    headers: Sequence[str] = TAX_BUREAU_HEADERS,
    mapping: dict[str, str] | None = None,
    status_words: dict[str, str] | None = None,
    unit_price_places: int = 8,
) -> None:
    """Sheet ``drafts`` in the records export's columns, in the source's own words; sheet ``items`` with every
    line item (items only: a 合计 / 小计 line read as an item is left out), keyed by the same code / number
    columns, amounts to the cent and unit prices to ``unit_price_places`` decimals."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "drafts"
    ws.append(list(headers))
    for p in payloads:
        ws.append(draft_row(p, headers, mapping, status_words))
    _formats(ws, headers)
    items = wb.create_sheet("items")
    items.append(list(ITEM_HEADERS))
    for p in payloads:
        digital = not p.get("invoice_code")
        for it in p.get("items") or []:
            if is_total_line(it.get("name")):
                continue
            items.append(
                [
                    p.get("invoice_code"),
                    None if digital else p.get("invoice_number"),
                    p.get("invoice_number") if digital else None,
                    it.get("name"),
                    it.get("spec"),
                    it.get("unit"),
                    _num(it.get("quantity")),
                    _rounded(it.get("unit_price"), unit_price_places),
                    _rounded(it.get("amount"), 2),
                    it.get("tax_rate"),
                    _rounded(it.get("tax"), 2),
                ]
            )
    as_text(ws)
    as_text(items)
    wb.save(path)


def write_drafts_json(payloads: Sequence[dict[str, Any]], path: Path) -> None:
    path.write_text(json.dumps(list(payloads), ensure_ascii=False, indent=1), encoding="utf-8")


def _kind(payload: dict[str, Any]) -> str | None:
    kind = TYPE_BY_CODE.get(payload.get("type_code") or "")
    if kind is None:
        try:
            kind = InvoiceType(payload.get("invoice_type") or "unknown")
        except ValueError:
            return None
    return KIND_ZH.get(kind)


def record_json(r: Record) -> dict[str, Any]:
    return {
        f: _plain(getattr(r, f)) if getattr(r, f) is not None else None
        for f in (
            "invoice_code",
            "invoice_number",
            "issue_date",
            "seller_tax_id",
            "seller_name",
            "buyer_tax_id",
            "buyer_name",
            "total_amount",
            "total_tax",
            "amount_with_tax",
            "status",
        )
    }


_TOTAL_LINE = re.compile(r"(合计|小计|总计|价税合计)(（[^）]*）|\([^)]*\))?[:：]?|total|subtotal", re.IGNORECASE)


def is_total_line(name: Any) -> bool:
    """A 合计 / 小计 line that reading took for an item: not an item, never exported as one."""
    return bool(_TOTAL_LINE.fullmatch(re.sub(r"\s+", "", str(name or ""))))


def _rounded(v: Any, places: int) -> Decimal | None:
    n = _num(v)
    return None if n is None else n.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _num(v: Any) -> Decimal | None:
    return None if v in (None, "") else Decimal(str(v))


def _plain(v: Any) -> str:
    if isinstance(v, Decimal):
        return f"{v:.2f}"
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


_MONEY_HEADERS = {"total_amount", "total_tax", "amount_with_tax", "金额", "税额", "价税合计"}
_DATE_HEADERS = {"issue_date", "开票日期"}


def _formats(ws, headers: Sequence[str]) -> None:
    for idx, h in enumerate(headers, start=1):
        fmt = (
            "0.00"
            if h in _MONEY_HEADERS
            else "yyyy-mm-dd"
            if h in _DATE_HEADERS
            else "@"
            if h in ("invoice_code", "invoice_number", "record_key", "发票代码", "发票号码", "数电票号码")
            else None
        )
        if fmt:
            for row in ws.iter_rows(min_row=2, min_col=idx, max_col=idx):
                for c in row:
                    c.number_format = fmt
