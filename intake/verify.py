"""Verification stage: rules → repair → rules again → status, exactly as the CLI contract defines it.

`verified`: every key field the type requires is present, no error finding, no warning on a key field, every
key field's confidence above the threshold, and agreement with the QR where one was read (an OCR value overruled
by the QR agrees; a text layer or XML that disagrees with its own QR is a warning, so it does not). An OCR'd
key field that nothing confirms (no QR, no check character, unknown to the party master) is a warning
(``fapiao.ocr.unconfirmed``), so a confident misreading of a name or a number still goes to a person.
A damaged file (``file.damaged``) and a signature that does not match the file (``signature.broken``, an error)
are never `verified`. `rejected`: no invoice could be read. Anything else: `needs_review`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from fapiao.core.confidence import DEFAULT_THRESHOLD
from fapiao.core.messages import Message
from fapiao.core.models import KEY_FIELDS, ExtractionResult, Finding, Invoice, Severity, Status
from fapiao.intake.repair import REPAIR_CODES, repair
from fapiao.intake.rules import RULE_CODES, RuleContext, run_rules
from fapiao.intake.rules.context import PartyLookup, SeenLookup
from fapiao.intake.rules.required import required_fields
from fapiao.intake.signatures.findings import BLOCKING_WARNINGS

_KEY = frozenset(KEY_FIELDS)


@dataclass(frozen=True)
class VerifyOptions:
    """Fixed for a run; the pipeline derives a copy with its duplicate lookup (``with_seen``)."""

    confidence_threshold: float = DEFAULT_THRESHOLD
    own_tax_ids: frozenset[str] = frozenset()
    """The company's own tax IDs; the buyer should be one of them (empty: not checked)."""
    today: dt.date | None = None
    """None: the real date at verification time (tests pin it)."""
    seen: SeenLookup | None = None
    """Invoice key → the source of an earlier document with that key."""
    parties: PartyLookup | None = None
    """Tax ID → the names the party master knows it by (None: no party master)."""

    def with_seen(self, seen: SeenLookup | None) -> VerifyOptions:
        return replace(self, seen=seen)


def verify(result: ExtractionResult, options: VerifyOptions | None = None) -> ExtractionResult:
    """A new result with repaired fields, findings and status; the input is left as it was."""
    options = options or VerifyOptions()
    invoice = result.invoice
    if invoice is None or not _readable(invoice):
        if result.error:
            return result.model_copy(update={"status": Status.rejected})
        why = Message.of("no_invoice_read")
        return result.model_copy(update={"status": Status.rejected, "error": why.text, "error_message": why})
    ctx = RuleContext(
        today=options.today or dt.date.today(),
        own_tax_ids=frozenset(options.own_tax_ids),
        qr=result.qr,
        seen=options.seen,
        parties=_asked_once(options.parties),
        fields=dict(result.fields),
        source=result.source,
    )
    fixed = repair(invoice, dict(result.fields), ctx)
    findings = run_rules(fixed.invoice, replace(ctx, fields=fixed.fields))
    earlier = [f for f in result.findings if f.code not in RULE_CODES]
    all_findings = list(dict.fromkeys([*earlier, *fixed.findings, *findings]))
    status = decide(fixed.invoice, fixed.fields, all_findings, options.confidence_threshold)
    return result.model_copy(
        update={"invoice": fixed.invoice, "fields": fixed.fields, "findings": all_findings, "status": status}
    )


def _asked_once(lookup: PartyLookup | None) -> PartyLookup | None:
    """The party lookup for one verification, each tax ID asked once: the rules ask about the same party more
    than once, and the service's lookup is a database query."""
    if lookup is None:
        return None
    answers: dict[str, tuple[str, ...]] = {}

    def ask(tax_id: str) -> tuple[str, ...]:
        if tax_id not in answers:
            answers[tax_id] = tuple(lookup(tax_id))
        return answers[tax_id]

    return ask


def _readable(invoice: Invoice) -> bool:
    amounts = (invoice.total_amount, invoice.total_tax, invoice.amount_with_tax, *(i.amount for i in invoice.items))
    return bool(invoice.invoice_number) or any(a is not None for a in amounts)


def decide(invoice: Invoice, fields: dict, findings: list[Finding], threshold: float) -> Status:
    """The contract's definition of `verified`; the caller has already ruled out `rejected`."""
    required = required_fields(invoice)
    if any(getattr(invoice, name) in (None, "") for name in required):
        return Status.needs_review
    for f in findings:
        if f.severity is Severity.error:
            return Status.needs_review
        if f.severity is Severity.warning and (
            _KEY & set(f.fields) or f.code in REPAIR_CODES or f.code in BLOCKING_WARNINGS
        ):
            return Status.needs_review
    for name in required:
        fv = fields.get(name)
        if fv is not None and fv.confidence <= threshold:
            return Status.needs_review
    return Status.verified
