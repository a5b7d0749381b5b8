"""Reviewer actions on an extracted invoice: edit fields (the rules run again at once), confirm, reject.
Every change is audited; a stale ``version`` is a conflict, never a silent overwrite."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from fapiao.core.errors import Conflict, FapiaoError, InvalidEdit, NotFound
from fapiao.core.models import ExtractionResult, FieldSource, FieldValue, Invoice, Status
from fapiao.core.states import ReviewState
from fapiao.intake.verify import VerifyOptions, verify
from fapiao.matching.normalize import tax_id as normal_id
from fapiao.service.context import ServiceContext
from fapiao.service.processing import clipped, seen_in_db
from fapiao.storage.db import retry_on_conflict, session_scope
from fapiao.storage.records import learn_parties
from fapiao.storage.service_tables import AuditEntry, ExtractedInvoice

EDITABLE = frozenset(Invoice.model_fields) - {"invoice_type", "type_code", "is_red_letter"}
MAX_DIGITS = 16
"""Money is Numeric(18, 2): an edited amount of 10¹⁶ or more is refused."""

__all__ = [
    "EDITABLE",
    "Conflict",
    "InvalidEdit",
    "InvalidValue",
    "NotFound",
    "OpenErrors",
    "check_editable",
    "edit_fields",
    "set_review",
    "validated_invoice",
    "view",
]


def check_editable(changes: dict[str, Any]) -> None:
    unknown = set(changes) - EDITABLE
    if unknown:
        raise InvalidEdit(
            f"these fields cannot be edited: {', '.join(sorted(unknown))}",
            hint=f"editable fields: {', '.join(sorted(EDITABLE))}",
        )


class InvalidValue(InvalidEdit):
    """A value that is not valid for its field: ``field`` (``items.0.amount`` for a cell) and ``value``, so a page
    can say so in its own language."""

    def __init__(self, message: str, field: str, value: Any, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.field = field
        self.value = value


def validated_invoice(data: dict[str, Any]) -> Invoice:
    """The edited invoice, or an InvalidValue naming the field and the expected form."""
    try:
        invoice = Invoice.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(map(str, err["loc"]))
        raise InvalidValue(
            f"invalid value: {where}: {err['msg']}",
            where,
            err.get("input"),
            hint="dates as YYYY-MM-DD, amounts as 123.45",
        ) from exc
    numbers = [(n, getattr(invoice, n)) for n in ("total_amount", "total_tax", "amount_with_tax")]
    numbers += [
        (f"items.{i}.{n}", getattr(item, n))
        for i, item in enumerate(invoice.items)
        for n in ("amount", "tax", "quantity", "unit_price")
    ]
    for name, value in numbers:  # "1e30" is a valid Decimal, but no amount: it cannot be stored or shown
        if value is not None and not value.is_zero() and value.adjusted() >= MAX_DIGITS:
            raise InvalidValue(
                f"invalid value: {name}: {value} is larger than any invoice amount",
                name,
                value,
                hint="amounts as 123.45",
            )
    return invoice


def _load(s, invoice_id: int, version: int) -> ExtractedInvoice:
    row = s.get(ExtractedInvoice, invoice_id)
    if row is None:
        raise NotFound(f"no invoice {invoice_id}", hint="list invoices with GET /api/v1/invoices")
    if row.version != version:
        raise Conflict(
            f"invoice {invoice_id} was changed by someone else (version {row.version}, yours {version})",
            hint="reload the invoice, then apply your change again",
        )
    return row


def edit_fields(ctx: ServiceContext, invoice_id: int, version: int, changes: dict[str, Any], actor: str) -> dict:
    check_editable(changes)
    with session_scope(ctx.sessions) as s:
        row = _load(s, invoice_id, version)
        result = ExtractionResult.model_validate(row.payload)
        data = result.invoice.model_dump(mode="json") if result.invoice else {}
        old = {k: data.get(k) for k in changes}
        data.update(changes)
        invoice = validated_invoice(data)
        fields = dict(result.fields)
        for name in changes:
            before = fields.get(name)
            fields[name] = FieldValue(
                value=getattr(invoice, name),
                confidence=1.0,
                source=FieldSource.reviewer,
                page=before.page if before else None,
                bbox=before.bbox if before else None,
                original=before.value if before else None,
            )
        redone = verify(result.model_copy(update={"invoice": invoice, "fields": fields}), _options(ctx, row))
        _store(row, redone)
        if row.review == ReviewState.confirmed:  # a confirmed invoice that changes is checked by a person again
            s.add(
                AuditEntry(
                    actor=actor,
                    action="reopened",
                    invoice_id=row.id,
                    document_id=row.document_id,
                    field="review",
                    old=ReviewState.confirmed,
                    new=ReviewState.pending,
                    detail={"reason": "edited after confirmation"},
                )
            )
            row.review = ReviewState.pending
        for name in changes:
            s.add(
                AuditEntry(
                    actor=actor,
                    action="edit",
                    invoice_id=row.id,
                    document_id=row.document_id,
                    field=name,
                    old=_text(old[name]),
                    new=_text(redone.invoice.model_dump(mode="json").get(name)),
                )
            )
        s.flush()
        return view(row)


def _options(ctx: ServiceContext, row: ExtractedInvoice) -> VerifyOptions:
    """The rules' context when an invoice is verified again: everything processing gave them, including the
    duplicate lookup (documents uploaded before this one), so no finding is lost that the edit did not touch."""
    return ctx.pipeline.options.verify.with_seen(seen_in_db(ctx, row.document_id, before=row.document.created_at))


def reverify_unconfirmed(ctx: ServiceContext, tax_ids: set[str], actor: str) -> int:
    """After a records import: invoices still waiting for a reviewer, held back because nothing confirmed an
    OCR reading (``fapiao.ocr.unconfirmed``), whose seller or buyer the import knows, are verified again — the party
    master may now vouch for their names. Returns how many changed status; each change is audited."""
    if not tax_ids:
        return 0
    with session_scope(ctx.sessions) as s:
        waiting = s.execute(
            select(ExtractedInvoice.id, ExtractedInvoice.seller_tax_id, ExtractedInvoice.buyer_tax_id).where(
                ExtractedInvoice.review == ReviewState.pending, ExtractedInvoice.status == Status.needs_review
            )
        ).all()
    ids = [i for i, seller, buyer in waiting if normal_id(seller) in tax_ids or normal_id(buyer) in tax_ids]
    changed = 0
    for invoice_id in ids:
        with session_scope(ctx.sessions) as s:
            row = s.get(ExtractedInvoice, invoice_id)
            if row is None or row.review != ReviewState.pending:
                continue
            result = ExtractionResult.model_validate(row.payload)
            if result.invoice is None or not any(f.code == "ocr.unconfirmed" for f in result.findings):
                continue
            redone = verify(result, _options(ctx, row))
            if redone.status == result.status and redone.findings == result.findings:
                continue
            before = row.status
            _store(row, redone)
            s.add(
                AuditEntry(
                    actor=actor,
                    action="reverified",
                    invoice_id=row.id,
                    document_id=row.document_id,
                    field="status",
                    old=before,
                    new=redone.status.value,
                    detail={"reason": "records import: the party master now knows this invoice's parties"},
                )
            )
            changed += before != redone.status.value
    return changed


class OpenErrors(FapiaoError):
    """Confirming an invoice (or a draft) whose rules still report errors, without an override and its reason."""

    code = "open_errors"

    def __init__(
        self, message: str, codes: list[str], *, hint: str | None = None, subjects: tuple[int, ...] | list[int] = ()
    ) -> None:
        super().__init__(message, hint=hint)
        self.codes = codes
        self.subjects = list(subjects)
        """The drafts refused (an export)."""


def open_errors(findings: list[dict]) -> list[str]:
    """The codes of the error findings a person would confirm over (each code once, in order)."""
    return list(dict.fromkeys(f["code"] for f in findings if f.get("severity") == "error"))


def set_review(
    ctx: ServiceContext,
    invoice_id: int,
    version: int,
    decision: str,
    actor: str,
    note: str | None = None,
    override: str | None = None,
) -> dict:
    """Confirm or reject. Confirming an invoice with open errors needs ``override``, the reason, which is audited.
    Sending the decision the invoice already has again (a double click, a retried request) changes nothing and is
    no conflict, whatever the version."""
    return retry_on_conflict(lambda: _set_review(ctx, invoice_id, version, decision, actor, note, override))


def _set_review(
    ctx: ServiceContext,
    invoice_id: int,
    version: int,
    decision: str,
    actor: str,
    note: str | None,
    override: str | None,
) -> dict:
    with session_scope(ctx.sessions) as s:
        row = s.get(ExtractedInvoice, invoice_id)
        if row is not None and row.review == decision and row.version != version:
            return view(row)  # the same decision again: idempotent
        row = _load(s, invoice_id, version)
        before = row.review
        if before == decision:
            return view(row)
        detail: dict[str, Any] = {"note": note} if note else {}
        if decision == ReviewState.confirmed:
            errors = open_errors(row.payload.get("findings") or [])
            if errors and not (override or "").strip():
                raise OpenErrors(
                    f"invoice {invoice_id} still has {len(errors)} error(s): {', '.join(errors)}",
                    errors,
                    hint="correct the fields, or confirm with an override and its reason (it is audited)",
                )
            if errors:
                detail.update(override=(override or "").strip(), errors=errors)
            _learn_parties(s, row)
        row.review = decision
        s.add(
            AuditEntry(
                actor=actor,
                action=decision,
                invoice_id=row.id,
                document_id=row.document_id,
                field="review",
                old=before,
                new=decision,
                detail=detail or None,
            )
        )
        s.flush()
        return view(row)


def _learn_parties(s, row: ExtractedInvoice) -> None:
    """A confirmed invoice teaches the party master its seller's and buyer's names (a person said they are right)."""
    inv = ExtractionResult.model_validate(row.payload).invoice
    if inv is None:
        return
    pairs = [(inv.seller_name, inv.seller_tax_id)]
    if not inv.buyer_is_person:
        pairs.append((inv.buyer_name, inv.buyer_tax_id))
    learn_parties(s, pairs, origin="confirmed")


def _store(row: ExtractedInvoice, r: ExtractionResult) -> None:
    inv = r.invoice
    row.payload = r.to_contract()
    row.status = r.status.value
    for name in ("issue_date", "total_amount", "total_tax", "amount_with_tax"):
        setattr(row, name, getattr(inv, name))
    for name, value in clipped(
        invoice_key=inv.key,
        invoice_code=inv.invoice_code,
        invoice_number=inv.invoice_number,
        seller_name=inv.seller_name,
        seller_tax_id=inv.seller_tax_id,
        buyer_name=inv.buyer_name,
        buyer_tax_id=inv.buyer_tax_id,
    ).items():
        setattr(row, name, value)


def view(row: ExtractedInvoice) -> dict:
    return dict(row.payload, id=row.id, document_id=row.document_id, review=row.review, version=row.version)


def _text(v: Any) -> str | None:
    if isinstance(v, list):  # the items: one line each, as a person reads them, not a Python dump
        return "\n".join(_item_text(i, it) for i, it in enumerate(v, start=1) if isinstance(it, dict)) or None
    return None if v is None else str(v)


def _item_text(n: int, item: dict) -> str:
    """``1. *信息技术服务*软件开发服务 1 × 227.18 = 227.18 6% 13.63`` (empty parts left out)."""
    qty, price = item.get("quantity"), item.get("unit_price")
    parts = [f"{n}.", item.get("name") or "", item.get("spec") or "", item.get("unit") or ""]
    if qty is not None or price is not None:
        parts.append(f"{qty or ''} × {price or ''}")
    if item.get("amount") is not None:
        parts.append(f"= {item['amount']}")
    parts += [item.get("tax_rate") or "", "" if item.get("tax") is None else str(item["tax"])]
    return " ".join(p for p in parts if p)
