"""What the review screen shows, computed from the stored invoice view: fields in form order with their
evidence (confidence, source, bbox) and the findings that concern them. Templates only lay this out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from fapiao.api.ui.i18n import Translator
from fapiao.core.models import TICKET_FIELDS, TICKET_TYPES, Severity
from fapiao.service.review import EDITABLE

GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "grp.header",
        ("invoice_type", "title", "invoice_code", "invoice_number", "issue_date", "check_code", "machine_number"),
    ),
    ("grp.buyer", ("buyer_name", "buyer_tax_id", "buyer_address_phone", "buyer_bank_account")),
    ("grp.seller", ("seller_name", "seller_tax_id", "seller_address_phone", "seller_bank_account")),
    ("grp.totals", ("total_amount", "total_tax", "amount_with_tax", "amount_in_words")),
    ("grp.other", ("remarks", "drawer", "payee", "reviewer")),
)
TRIP_GROUP = ("grp.trip", TICKET_FIELDS)
"""Shown only for 数电 passenger tickets (rail / air), after the amounts."""
ITEM_COLUMNS = ("name", "spec", "unit", "quantity", "unit_price", "amount", "tax_rate", "tax")
"""The items table's editable columns, in printed order."""
ITEM_FIELD = re.compile(r"^items\[(\d+)\]\.(\w+)$")
FORM_FIELDS = frozenset(name for _, names in (*GROUPS, TRIP_GROUP) for name in names)
MARKED_SOURCES = frozenset({"qr", "corrected", "reviewer"})
"""Sources a reviewer should notice: a value that is not simply what the face of the invoice says."""
SEVERITY_ORDER = {s.value: i for i, s in enumerate(Severity)}


@dataclass
class FindingView:
    code: str
    severity: str
    text: str
    fields: tuple[str, ...]


@dataclass
class FieldView:
    name: str
    value: str
    editable: bool
    confidence: float | None = None
    source: str | None = None
    original: str | None = None
    page: int | None = None
    bbox: tuple[float, ...] | None = None
    low: bool = False
    rule: str | None = None
    """The rule that settled a corrected value (its code; the page shows what it checks)."""
    findings: list[FindingView] = field(default_factory=list)

    @property
    def marked(self) -> bool:
        return self.source in MARKED_SOURCES

    @property
    def marks(self) -> list[str]:
        """CSS classes for the form row and its box on the image."""
        out = []
        if self.low:
            out.append("low")
        if self.marked:
            out.append(f"src-{self.source}")
        if self.findings:
            out.append(f"sev-{self.findings[0].severity}")
        return out


def _text(v: Any) -> str:
    return "" if v is None else str(v)


def present(view: dict, lang: str, threshold: float) -> dict:
    """The review screen's model: ``groups`` of FieldViews, ``general`` findings, ``boxes`` for the overlay."""
    invoice = view.get("invoice") or {}
    fields = view.get("fields") or {}
    t = Translator(lang)
    findings = sorted(
        (
            FindingView(f["code"], f["severity"], t.finding(f), tuple(f.get("fields") or ()))
            for f in view.get("findings") or ()
        ),
        key=lambda f: SEVERITY_ORDER.get(f.severity, 9),
    )
    rows: dict[str, FieldView] = {}
    for name in FORM_FIELDS:
        fv = fields.get(name) or {}
        conf = fv.get("confidence")
        value = t.kind(invoice.get(name)) if name == "invoice_type" else _text(invoice.get(name))
        rows[name] = FieldView(
            name=name,
            value=value,
            editable=name in EDITABLE,
            confidence=conf,
            source=fv.get("source"),
            original=None if fv.get("original") is None else _text(fv.get("original")),
            page=fv.get("page"),
            bbox=tuple(fv["bbox"]) if fv.get("bbox") else None,
            low=conf is not None and conf <= threshold,
            rule=fv.get("rule"),
        )
    general = []
    item_marks: dict[tuple[int, str], str] = {}
    for f in findings:
        for name in f.fields:
            if (m := ITEM_FIELD.match(name)) and (int(m[1]), m[2]) not in item_marks:
                item_marks[(int(m[1]), m[2])] = f.severity  # findings are sorted: the worst one wins
        concerned = [rows[n] for n in f.fields if n in rows]
        for row in concerned:
            row.findings.append(f)
        if not concerned:
            general.append(f)
    boxes = [
        {"name": r.name, "page": r.page or view.get("page") or 1, "bbox": r.bbox, "marks": r.marks}
        for r in rows.values()
        if r.bbox
    ]
    boxes += [
        {"name": name, "page": fv.get("page") or view.get("page") or 1, "bbox": fv["bbox"], "marks": ["item"]}
        for name, fv in fields.items()
        if name.startswith("items[") and fv.get("bbox")
    ]
    groups = [(label, [rows[n] for n in names]) for label, names in GROUPS]
    if invoice.get("invoice_type") in {t.value for t in TICKET_TYPES}:
        label, names = TRIP_GROUP
        groups.insert(4, (label, [rows[n] for n in names]))
    return {
        "groups": groups,
        "rows": rows,
        "findings": findings,
        "general": general,
        "boxes": boxes,
        "item_rows": invoice.get("items") or [],
        "item_marks": item_marks,
        "item_columns": ITEM_COLUMNS,
        "has_invoice": bool(invoice),
        "pages": view.get("pages") or [view.get("page") or 1],
    }
