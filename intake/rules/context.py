"""What a rule may know besides the invoice itself: today's date, the company's own IDs, the QR, earlier
documents, the party master and field provenance. Frozen, so rules stay pure functions of (invoice, context)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

from fapiao.core.models import FieldValue, QrPayload

SeenLookup = Callable[[str], "str | None"]
"""Invoice key (``Invoice.key``) → the source of an earlier document with that key, or None."""
PartyLookup = Callable[[str], Collection[str]]
"""Tax ID → the names the party master knows it by (records imported, invoices a person confirmed); empty
when the ID is unknown. The service looks them up in its database, a back-fill in the records it was given."""


class KnownNames:
    """A ``PartyLookup`` over a plain mapping: picklable, so it reaches a back-fill's worker processes."""

    def __init__(self, names_by_id: Mapping[str, Collection[str]]) -> None:
        self._names = {tid: tuple(names) for tid, names in names_by_id.items()}

    def __call__(self, tax_id: str) -> Collection[str]:
        return self._names.get(tax_id, ())

    def __len__(self) -> int:
        return len(self._names)


@dataclass(frozen=True)
class RuleContext:
    today: dt.date = field(default_factory=dt.date.today)
    own_tax_ids: frozenset[str] = frozenset()
    qr: QrPayload | None = None
    seen: SeenLookup | None = None
    parties: PartyLookup | None = None
    fields: Mapping[str, FieldValue] = field(default_factory=dict)
    source: str | None = None
    """The document being verified (so a duplicate lookup never reports the document itself)."""

    def source_of(self, name: str) -> FieldValue | None:
        return self.fields.get(name)
