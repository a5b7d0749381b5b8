"""What a rule may know besides the invoice itself: today's date, the company's own IDs, the QR, earlier
documents and field provenance. Frozen, so rules stay pure functions of (invoice, context)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from intake.models import FieldValue, QrPayload

SeenLookup = Callable[[str], "str | None"]
"""Invoice key (``Invoice.key``) → the source of an earlier document with that key, or None."""


@dataclass(frozen=True)
class RuleContext:
    today: dt.date = field(default_factory=dt.date.today)
    own_tax_ids: frozenset[str] = frozenset()
    qr: QrPayload | None = None
    seen: SeenLookup | None = None
    fields: Mapping[str, FieldValue] = field(default_factory=dict)
    source: str | None = None
    """The document being verified (so a duplicate lookup never reports the document itself)."""

    def source_of(self, name: str) -> FieldValue | None:
        return self.fields.get(name)
