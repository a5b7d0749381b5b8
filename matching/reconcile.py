"""Reconciliation of a batch of extracted invoices with the system's records: every document gets one
category (matched, matched with differences, missing in the system, duplicate, voided, rejected) and every
record in scope that no document matched is reported as ``no_document``. Pure: records and documents in,
report out; the CLI, the API and the database layer all call ``reconcile``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

import numpy as np

from fapiao.core.labels import shown_key
from fapiao.core.messages import coded
from fapiao.core.models import ExtractionResult, Finding, Invoice, Severity, Status, money_str
from fapiao.matching import normalize
from fapiao.matching.matcher import DECISIONS, MATCHED, SUGGESTED, MatchOptions, RecordIndex
from fapiao.matching.parties import PartyMaster
from fapiao.matching.records import MISSING, Record, RecordTable, cents


class Category(StrEnum):
    matched = "matched"
    matched_with_differences = "matched_with_differences"
    missing_in_system = "missing_in_system"
    duplicate = "duplicate"
    voided = "voided"
    rejected = "rejected"
    no_document = "no_document"


COMPARED_FIELDS = (
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
)


@dataclass(frozen=True)
class Difference:
    field: str
    document: str | None
    record: str | None


@dataclass
class DocumentOutcome:
    """One document (one invoice found in an input file) and what reconciliation decided about it."""

    result: ExtractionResult
    category: Category
    record: Record | None = None
    score: float | None = None
    decision: str = "no_match"
    reasons: list[str] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    suggestion: Record | None = None
    """For a document that is missing but resembles a record: that record (a person decides)."""

    @property
    def invoice(self) -> Invoice | None:
        return self.result.invoice

    def to_contract(self) -> dict[str, Any]:
        """One line of ``fapiao reconcile --json``."""
        out: dict[str, Any] = {
            "source": self.result.source,
            "page": self.result.page,
            "category": self.category.value,
            "record_key": self.record.key if self.record else None,
            "score": None if self.score is None else round(float(self.score), 1),
            "decision": self.decision,
            "reasons": self.reasons,
            "differences": [{"field": d.field, "document": d.document, "record": d.record} for d in self.differences],
            "invoice": self.invoice.model_dump(mode="json") if self.invoice else None,
            "status": self.result.status.value,
            "findings": [f.model_dump(mode="json") for f in [*self.result.findings, *self.findings]],
        }
        if self.suggestion is not None:
            out["suggested_record_key"] = self.suggestion.key
        if self.result.error:
            out["error"] = self.result.error
        if self.result.error_message is not None:  # the same message as a code, for a reader in another language
            out.update(coded("error", self.result.error_message))
        return out


@dataclass
class ReconcileReport:
    documents: list[DocumentOutcome]
    no_document: list[Record]

    def by_category(self) -> dict[Category, list[Any]]:
        out: dict[Category, list[Any]] = {c: [] for c in Category}
        for d in self.documents:
            out[d.category].append(d)
        out[Category.no_document] = list(self.no_document)
        return out

    def counts(self) -> dict[str, int]:
        return {c.value: len(v) for c, v in self.by_category().items()}


def invoice_table(invoices: list[Invoice | None]) -> RecordTable:
    """Documents as the matcher's columns (an absent invoice becomes an empty row that matches nothing)."""

    def num(inv: Invoice | None) -> str:
        if inv is None:
            return ""
        return normalize.invoice_number(inv.invoice_code) + normalize.invoice_number(inv.invoice_number)

    return RecordTable(
        keys=[(inv.key or "") if inv else "" for inv in invoices],
        numbers=[num(inv) for inv in invoices],
        seller_ids=[normalize.tax_id(inv.seller_tax_id) if inv else "" for inv in invoices],
        seller_names=[normalize.company_key(inv.seller_name) if inv else "" for inv in invoices],
        dates=np.array(
            [inv.issue_date.toordinal() if inv and inv.issue_date else MISSING for inv in invoices], dtype=np.int64
        ),
        amounts=np.array([cents(inv.total_amount) if inv else MISSING for inv in invoices], dtype=np.int64),
        totals=np.array([cents(inv.amount_with_tax) if inv else MISSING for inv in invoices], dtype=np.int64),
        statuses=np.zeros(len(invoices), dtype=np.int8),
        has_code=np.array([bool(inv and inv.invoice_code) for inv in invoices], dtype=bool),
    )


def reconcile(
    results: list[ExtractionResult],
    records: list[Record],
    *,
    master: PartyMaster | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    options: MatchOptions | None = None,
    index: RecordIndex | None = None,
    described: list[str] | None = None,
) -> ReconcileReport:
    """Categorise every document; list the records in [date_from, date_to] (all when not given) that no
    document matched. ``index`` may be passed when the same records serve many batches. ``described``: how
    findings name each document (the service's "file (when it came)"); its source by default."""
    named = described if described is not None and len(described) == len(results) else [r.source for r in results]
    index = index or RecordIndex(RecordTable.from_records(records), options)
    usable = [
        r.invoice if r.status is not Status.rejected and r.invoice and r.invoice.invoice_number else None
        for r in results
    ]
    queries = invoice_table(usable)
    match = index.match(queries)
    taken: dict[int, int] = {}
    seen_keys = _originals(usable, match.decision, match.record)
    outcomes: list[DocumentOutcome] = []
    for i, result in enumerate(results):
        inv = usable[i]
        if inv is None:
            outcomes.append(DocumentOutcome(result, Category.rejected))
            continue
        decision = int(match.decision[i])
        ridx = int(match.record[i])
        rec = records[ridx] if ridx >= 0 else None
        out = DocumentOutcome(
            result,
            Category.missing_in_system,
            decision=DECISIONS[decision],
            score=float(match.score[i]) if ridx >= 0 else None,
        )
        if rec is not None:
            out.reasons = index.explain(queries, i, ridx)
        if master is not None:
            out.findings += _party_findings(master, inv)
        original = seen_keys.get(inv.key or "", i)
        earlier = None if original == i else original
        if decision == MATCHED and rec is not None:
            out.record = rec
            out.differences = differences(inv, rec)
            if ridx in taken or earlier is not None:
                out.category = Category.duplicate
                first = named[earlier if earlier is not None else taken[ridx]]
                out.findings.append(_duplicate(inv, first))
            elif rec.status != "normal":
                out.category = Category.voided
                out.findings.append(_voided(rec))
            else:
                out.category = Category.matched_with_differences if out.differences else Category.matched
            if earlier is None:
                taken.setdefault(ridx, i)
        elif earlier is not None:
            out.category = Category.duplicate
            out.findings.append(_duplicate(inv, named[earlier]))
        elif decision == SUGGESTED and rec is not None:
            out.suggestion = rec
            out.findings.append(
                Finding(
                    code="match.suggested",
                    severity=Severity.warning,
                    fields=("invoice_number",),
                    message=f"not in the system as read, but resembles record {shown_key(rec.key)} "
                    f"({match.score[i]:.0f} % alike); check before back-entry",
                    message_zh=f"系统中未找到，但与记录 {shown_key(rec.key)} 相似"
                    f"（吻合度 {match.score[i]:.0f}%），补录前请核对",
                )
            )
        outcomes.append(out)
    matched = set(taken)
    no_document = [r for j, r in enumerate(records) if j not in matched and _in_range(r.issue_date, date_from, date_to)]
    return ReconcileReport(outcomes, no_document)


def _originals(usable: list[Invoice | None], decisions: np.ndarray, records: np.ndarray) -> dict[str, int]:
    """Invoice key → the document that counts as the original of that invoice: the first that matched a record,
    else the first. A scan misread into no match followed by its PDF that matches must leave the record with the
    PDF (matched), not with a duplicate, or the record would be in no category at all."""
    out: dict[str, int] = {}
    for i, inv in enumerate(usable):
        if inv is None or not inv.key:
            continue
        first = out.get(inv.key)
        if first is None or (int(decisions[first]) != MATCHED and int(decisions[i]) == MATCHED and records[i] >= 0):
            out[inv.key] = i
    return out


def _in_range(d: dt.date | None, lo: dt.date | None, hi: dt.date | None) -> bool:
    if lo is None and hi is None:
        return True
    if d is None:
        return False
    return (lo is None or d >= lo) and (hi is None or d <= hi)


def differences(inv: Invoice, rec: Record) -> list[Difference]:
    """Field-by-field differences between a document and its record, where both have a value. Names are
    compared normalised (full/half width, legal forms, brackets); amounts as Decimal."""
    out: list[Difference] = []
    for name in COMPARED_FIELDS:
        a, b = getattr(inv, name), getattr(rec, name)
        if a in (None, "") or b in (None, ""):
            continue
        if name.endswith("_name"):
            same = normalize.company_key(a) == normalize.company_key(b)
        elif name.endswith("_tax_id"):
            same = normalize.tax_id(a) == normalize.tax_id(b)
        elif name in ("invoice_code", "invoice_number"):
            same = normalize.invoice_number(a) == normalize.invoice_number(b)
        else:
            same = a == b
        if not same:
            out.append(Difference(name, _text(a), _text(b)))
    return out


def _text(v: object) -> str:
    if isinstance(v, Decimal):
        return money_str(v) or ""
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _party_findings(master: PartyMaster, inv: Invoice) -> list[Finding]:
    found = list(master.check(inv.seller_name, inv.seller_tax_id, "seller").findings)
    if not inv.buyer_is_person:
        found += master.check(inv.buyer_name, inv.buyer_tax_id, "buyer").findings
    return found


def _voided(rec: Record) -> Finding:
    zh = {"voided": "作废", "red_letter": "红冲"}[rec.status]
    return Finding(
        code="match.voided" if rec.status == "voided" else "match.red_letter",
        severity=Severity.error,
        fields=("invoice_number",),
        message=f"matches record {shown_key(rec.key)}, which the system marks {rec.status.replace('_', '-')} ({zh}); "
        "do not book it — ask the seller for a valid invoice",
        message_zh=f"对应的系统记录 {shown_key(rec.key)} 状态为{zh}，请勿入账，请向销售方索取有效发票",
    )


def _duplicate(inv: Invoice, first_source: str) -> Finding:
    return Finding(
        code="match.duplicate",
        severity=Severity.error,
        fields=("invoice_number",),
        message=f"invoice {shown_key(inv.key)} was already submitted in {first_source}; do not book it twice",
        message_zh=f"发票 {shown_key(inv.key)} 已在 {first_source} 中提交，请勿重复入账",
    )
