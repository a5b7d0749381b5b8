"""Writing reconciliation reports (XLSX with one sheet per category, CSV, JSON Lines) and back-entry drafts in
the system's own import layout (the columns of the records export it was given; the tax bureau's by
default), so the clerk imports the drafts where the records came from."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl

from intake.models import TYPE_BY_CODE, InvoiceType
from matching.headers import map_headers
from matching.reconcile import Category, DocumentOutcome, ReconcileReport
from matching.records import Record

TAX_BUREAU_HEADERS = ("发票代码", "发票号码", "数电票号码", "销方识别号", "销方名称", "购方识别号", "购买方名称",
                      "开票日期", "金额", "税额", "价税合计", "发票状态", "发票票种")
REPORT_COLUMNS = ("source", "page", "category", "record_key", "score", "decision", "invoice_code", "invoice_number",
                  "issue_date", "seller_name", "seller_tax_id", "buyer_name", "buyer_tax_id", "total_amount",
                  "total_tax", "amount_with_tax", "differences", "findings")
ITEM_HEADERS = ("发票代码", "发票号码", "数电票号码", "项目名称", "规格型号", "单位", "数量", "单价", "金额", "税率", "税额")
KIND_ZH = {
    InvoiceType.special: "增值税专用发票", InvoiceType.normal: "增值税普通发票", InvoiceType.e_special: "增值税电子专用发票",
    InvoiceType.e_normal: "增值税电子普通发票", InvoiceType.roll: "增值税普通发票（卷票）",
    InvoiceType.toll: "增值税电子普通发票（通行费）", InvoiceType.digital_special: "数电票（增值税专用发票）",
    InvoiceType.digital_normal: "数电票（普通发票）", InvoiceType.motor_vehicle: "机动车销售统一发票",
    InvoiceType.used_car: "二手车销售统一发票",
}
_INVOICE_FIELDS = REPORT_COLUMNS[6:16]


def report_row(outcome: DocumentOutcome) -> dict[str, Any]:
    inv = outcome.invoice
    row: dict[str, Any] = {
        "source": outcome.result.source, "page": outcome.result.page, "category": outcome.category.value,
        "record_key": outcome.record.key if outcome.record else None,
        "score": None if outcome.score is None else round(outcome.score, 1), "decision": outcome.decision,
        "differences": "; ".join(f"{d.field}: {d.document} ≠ {d.record}" for d in outcome.differences) or None,
        "findings": "; ".join(f.code for f in [*outcome.result.findings, *outcome.findings]) or outcome.result.error,
    }
    for f in _INVOICE_FIELDS:
        row[f] = getattr(inv, f) if inv else None
    return row


def record_row(rec: Record) -> dict[str, Any]:
    row: dict[str, Any] = {c: None for c in REPORT_COLUMNS}
    row.update(category=Category.no_document.value, record_key=rec.key)
    for f in _INVOICE_FIELDS:
        row[f] = getattr(rec, f)
    return row


def _rows(report: ReconcileReport) -> dict[Category, list[dict[str, Any]]]:
    return {cat: [record_row(x) if isinstance(x, Record) else report_row(x) for x in items]
            for cat, items in report.by_category().items()}


def write_report_xlsx(report: ReconcileReport, path: Path) -> None:
    """One sheet per category (every category, empty ones too, so integrators find the sheets by name)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for cat, rows in _rows(report).items():
        ws = wb.create_sheet(cat.value)
        ws.append(list(REPORT_COLUMNS))
        for row in rows:
            ws.append([_cell(row[c]) for c in REPORT_COLUMNS])
        _formats(ws, REPORT_COLUMNS)
    wb.save(path)


def write_report_csv(report: ReconcileReport, path: Path) -> None:
    """All categories in one CSV (UTF-8 with BOM, which spreadsheet programs read as UTF-8)."""
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(REPORT_COLUMNS)
        for rows in _rows(report).values():
            for row in rows:
                w.writerow(["" if row[c] is None else _plain(row[c]) for c in REPORT_COLUMNS])


def report_lines(report: ReconcileReport) -> list[dict[str, Any]]:
    """The ``fapiao reconcile --json`` lines: one per document, then one per record without a document."""
    lines = [o.to_contract() for o in report.documents]
    lines += [{"category": Category.no_document.value, "record_key": r.key, "record": _record_json(r)}
              for r in report.no_document]
    return lines


def write_report_json(report: ReconcileReport, path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for line in report_lines(report):
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")


def write_report(report: ReconcileReport, path: Path) -> None:
    """By suffix: .xlsx, .csv, or .json / .jsonl."""
    suffix = path.suffix.lower()
    writers = {".xlsx": write_report_xlsx, ".csv": write_report_csv, ".json": write_report_json,
               ".jsonl": write_report_json}
    if suffix not in writers:
        raise ValueError(f"{path}: the report is written as .xlsx, .csv or .json (got {suffix or 'no extension'})")
    writers[suffix](report, path)


# -- drafts in the system's import layout ----------------------------------------------------------------

def draft_row(payload: dict[str, Any], headers: Sequence[str]) -> list[Any]:
    """One draft as a row under ``headers`` (whatever their language): each header's field from the payload."""
    hm = map_headers(list(headers))
    field_of = {i: f for f, i in hm.columns.items()}
    digital = not payload.get("invoice_code") and len(payload.get("invoice_number") or "") == 20
    values: dict[str, Any] = {
        "invoice_code": payload.get("invoice_code"),
        "invoice_number": None if digital and "digital_number" in hm.columns else payload.get("invoice_number"),
        "digital_number": payload.get("invoice_number") if digital else None,
        "status": "正常", "invoice_kind": _kind(payload),
        "issue_date": dt.date.fromisoformat(payload["issue_date"]) if payload.get("issue_date") else None,
    }
    for f in ("seller_tax_id", "seller_name", "buyer_tax_id", "buyer_name"):
        values[f] = payload.get(f)
    for f in ("total_amount", "total_tax", "amount_with_tax"):
        values[f] = Decimal(payload[f]) if payload.get(f) is not None else None
    return [values.get(field_of[i]) if i in field_of else None for i in range(len(headers))]


def write_drafts_xlsx(payloads: Sequence[dict[str, Any]], path: Path,
                      headers: Sequence[str] = TAX_BUREAU_HEADERS) -> None:
    """Sheet ``drafts`` in the records export's columns; sheet ``items`` with every line item, keyed by the
    same code / number columns."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "drafts"
    ws.append(list(headers))
    for p in payloads:
        ws.append(draft_row(p, headers))
    _formats(ws, headers)
    items = wb.create_sheet("items")
    items.append(list(ITEM_HEADERS))
    for p in payloads:
        digital = not p.get("invoice_code")
        for it in p.get("items") or []:
            items.append([p.get("invoice_code"), None if digital else p.get("invoice_number"),
                          p.get("invoice_number") if digital else None, it.get("name"), it.get("spec"), it.get("unit"),
                          _num(it.get("quantity")), _num(it.get("unit_price")), _num(it.get("amount")),
                          it.get("tax_rate"), _num(it.get("tax"))])
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


def _record_json(r: Record) -> dict[str, Any]:
    return {f: _plain(getattr(r, f)) if getattr(r, f) is not None else None for f in
            ("invoice_code", "invoice_number", "issue_date", "seller_tax_id", "seller_name", "buyer_tax_id",
             "buyer_name", "total_amount", "total_tax", "amount_with_tax", "status")}


def _num(v: Any) -> Decimal | None:
    return None if v in (None, "") else Decimal(str(v))


def _cell(v: Any) -> Any:
    if isinstance(v, list):
        return "; ".join(map(str, v))
    return v


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
        fmt = "0.00" if h in _MONEY_HEADERS else "yyyy-mm-dd" if h in _DATE_HEADERS else "@" if h in (
            "invoice_code", "invoice_number", "record_key", "发票代码", "发票号码", "数电票号码") else None
        if fmt:
            for row in ws.iter_rows(min_row=2, min_col=idx, max_col=idx):
                for c in row:
                    c.number_format = fmt
