"""The party master in memory: tax ID ↔ canonical name with the name variants seen, built from the records
and from confirmed invoices. It proposes a tax ID and the canonical name for an extracted name, and an
extracted ID that disagrees with it becomes a finding (OCR misreads IDs; people mistype them)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from fapiao.core.models import Finding, Invoice, Severity
from fapiao.intake.rules.context import KnownNames
from fapiao.matching.normalize import company_key, head_office_key, tax_id
from fapiao.matching.records import Record

NAME_MATCH = 90.0
"""Normalised-name score above which two names are taken to be the same company."""


@dataclass
class Party:
    tax_id: str
    names: Counter[str] = field(default_factory=Counter)

    @property
    def canonical_name(self) -> str:
        """The name seen most often (ties: the first seen)."""
        return self.names.most_common(1)[0][0] if self.names else ""


@dataclass(frozen=True)
class PartyCheck:
    """What the master says about one (name, tax ID) pair read from an invoice."""

    party: Party | None
    tax_id: str | None
    """The tax ID to use: the extracted one when it agrees, else the master's proposal (None when unknown)."""
    canonical_name: str | None
    score: float
    findings: tuple[Finding, ...] = ()


class PartyMaster:
    def __init__(self) -> None:
        self.by_id: dict[str, Party] = {}
        self._ids_by_key: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self.by_id)

    def add(self, name: str | None, tid: str | None, count: int = 1) -> None:
        tid = tax_id(tid)
        if not tid or not name or not name.strip():
            return
        party = self.by_id.setdefault(tid, Party(tid))
        party.names[name.strip()] += count
        for key in {company_key(name), head_office_key(name)}:
            self._ids_by_key.setdefault(key, set()).add(tid)

    @classmethod
    def from_records(cls, records: Iterable[Record]) -> PartyMaster:
        master = cls()
        for r in records:
            master.add(r.seller_name, r.seller_tax_id)
            master.add(r.buyer_name, r.buyer_tax_id)
        return master

    def lookup(self) -> KnownNames:
        """The master as the verification stage asks it: tax ID → the names it is known by."""
        return KnownNames({tid: list(p.names) for tid, p in self.by_id.items()})

    def add_invoice(self, invoice: Invoice) -> None:
        """A confirmed invoice teaches the master its seller's and buyer's names."""
        self.add(invoice.seller_name, invoice.seller_tax_id)
        if not invoice.buyer_is_person:
            self.add(invoice.buyer_name, invoice.buyer_tax_id)

    def find_by_name(self, name: str | None, limit: int = 3) -> list[tuple[Party, float]]:
        """Parties whose normalised names score at least ``NAME_MATCH`` against ``name``, best first."""
        if not name:
            return []
        found: dict[str, float] = {}
        for key in {company_key(name), head_office_key(name)}:
            for tid in self._ids_by_key.get(key, ()):
                found[tid] = 100.0
            if not found:
                for choice, score, _ in process.extract(
                    key, list(self._ids_by_key), scorer=fuzz.ratio, score_cutoff=NAME_MATCH, limit=limit
                ):
                    for tid in self._ids_by_key[choice]:
                        found[tid] = max(found.get(tid, 0.0), score)
        ranked = sorted(found.items(), key=lambda kv: -kv[1])[:limit]
        return [(self.by_id[tid], score) for tid, score in ranked]

    def name_score(self, party: Party, name: str) -> float:
        key, head = company_key(name), head_office_key(name)
        return max(
            (max(fuzz.ratio(key, company_key(n)), fuzz.ratio(head, head_office_key(n))) for n in party.names),
            default=0.0,
        )

    def check(self, name: str | None, tid: str | None, role: str = "seller") -> PartyCheck:
        """Verify or propose: the master's party for this pair, and findings where they disagree."""
        tid = tax_id(tid) or None
        field_id, field_name = f"{role}_tax_id", f"{role}_name"
        known = self.by_id.get(tid) if tid else None
        if known is not None:
            if not name or self.name_score(known, name) >= NAME_MATCH:
                return PartyCheck(known, tid, known.canonical_name, 100.0)
            by_name = [(p, s) for p, s in self.find_by_name(name) if p.tax_id != tid]
            if by_name:
                other, score = by_name[0]
                return PartyCheck(
                    other,
                    other.tax_id,
                    other.canonical_name,
                    score,
                    (_id_mismatch(role, field_id, field_name, name, tid, other, owner=known),),
                )
            return PartyCheck(
                known,
                tid,
                known.canonical_name,
                self.name_score(known, name),
                (
                    Finding(
                        code="party.name_mismatch",
                        severity=Severity.warning,
                        fields=(field_name, field_id),
                        message=f"{role} tax ID {tid} is {known.canonical_name!r} "
                        "in the party master, but the invoice says "
                        f"{name!r}; check which one is right",
                        message_zh=f"{_ROLE_ZH[role]}识别号 {tid} 在往来单位档案中为「{known.canonical_name}」"
                        f"，发票上为「{name}」，请核对",
                    ),
                ),
            )
        matches = self.find_by_name(name)
        if not matches:
            return PartyCheck(None, tid, None, 0.0)
        party, score = matches[0]
        ambiguous = len(matches) > 1 and matches[1][1] >= score
        if tid is None:
            return PartyCheck(party, None if ambiguous else party.tax_id, party.canonical_name, score)
        return PartyCheck(
            party,
            party.tax_id,
            party.canonical_name,
            score,
            (_id_mismatch(role, field_id, field_name, name or "", tid, party, owner=None),),
        )


_ROLE_ZH = {"seller": "销售方", "buyer": "购买方"}


def _id_mismatch(
    role: str, field_id: str, field_name: str, name: str, tid: str, party: Party, owner: Party | None
) -> Finding:
    close = Levenshtein.distance(tid, party.tax_id) <= 2
    why = "probably misread" if close else ("it belongs to " + repr(owner.canonical_name)) if owner else "unknown"
    return Finding(
        code="party.id_mismatch",
        severity=Severity.warning,
        fields=(field_id, field_name),
        message=f"{role} {name!r} has tax ID {party.tax_id} in the party master, but the invoice says {tid} "
        f"({why}); confirm the ID before back-entry",
        message_zh=f"{_ROLE_ZH[role]}「{name}」在往来单位档案中的识别号为 {party.tax_id}"
        f"，发票上为 {tid}，请核对后再补录",
    )
