"""Mapping the columns of a records export (tax bureau or ERP, Chinese or English headers) to our fields:
exact alias first, then rapidfuzz against the aliases; a saved explicit mapping overrides both. The mapping
is shown to the user, because a wrong guess here silently mis-reads every row."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

ALIASES: dict[str, tuple[str, ...]] = {
    "invoice_code": ("发票代码", "代码", "票据代码", "invoice code", "invoice_code", "fpdm"),
    "invoice_number": (
        "发票号码",
        "号码",
        "票据号码",
        "发票编号",
        "invoice number",
        "invoice no",
        "invoice no.",
        "invoice_number",
        "number",
        "fphm",
    ),
    "digital_number": (
        "数电票号码",
        "数电发票号码",
        "全电发票号码",
        "数电号码",
        "全电号码",
        "e-invoice number",
        "digital invoice number",
        "digital_number",
    ),
    "seller_tax_id": (
        "销方识别号",
        "销方纳税人识别号",
        "销售方纳税人识别号",
        "销售方识别号",
        "销方税号",
        "供应商税号",
        "供应商纳税人识别号",
        "seller tax id",
        "supplier tax id",
        "vendor tax id",
        "seller_tax_id",
    ),
    "seller_name": (
        "销方名称",
        "销售方名称",
        "供应商名称",
        "供应商",
        "seller name",
        "supplier name",
        "vendor name",
        "vendor",
        "supplier",
        "seller_name",
    ),
    "buyer_tax_id": (
        "购方识别号",
        "购方纳税人识别号",
        "购买方纳税人识别号",
        "购买方识别号",
        "购方税号",
        "buyer tax id",
        "customer tax id",
        "buyer_tax_id",
    ),
    "buyer_name": ("购买方名称", "购方名称", "购买方", "buyer name", "customer name", "buyer_name"),
    "issue_date": ("开票日期", "开票时间", "发票日期", "日期", "issue date", "invoice date", "date", "issue_date"),
    "total_amount": (
        "金额",
        "不含税金额",
        "合计金额",
        "amount",
        "net amount",
        "amount excl. tax",
        "amount excluding tax",
        "total_amount",
    ),
    "total_tax": ("税额", "合计税额", "tax", "tax amount", "vat", "vat amount", "total_tax"),
    "amount_with_tax": (
        "价税合计",
        "含税金额",
        "价税合计金额",
        "total",
        "gross",
        "gross amount",
        "gross total",
        "total gross",
        "total incl. vat",
        "amount incl. vat",
        "amount incl. tax",
        "amount including tax",
        "total amount",
        "amount_with_tax",
    ),
    "status": ("发票状态", "状态", "status", "invoice status"),
    "invoice_kind": ("发票票种", "票种", "发票类型", "发票种类", "invoice type", "invoice kind", "invoice_kind"),
}
FIELDS = tuple(ALIASES)
THRESHOLD = 85.0
"""Below this rapidfuzz score a header is left unmapped rather than guessed."""
MIN_FIELDS_FOR_HEADER_ROW = 3


class MappingError(ValueError):
    """The headers cannot be read as a records export (or an explicit mapping names unknown things)."""


@dataclass(frozen=True)
class HeaderMap:
    """Which column each field is read from, how sure the guess was, and what was left unused."""

    headers: tuple[str, ...]
    columns: dict[str, int]
    """Our field → column index (0-based)."""
    scores: dict[str, float] = field(default_factory=dict)
    """100 for exact aliases and explicit choices."""
    explicit: frozenset[str] = frozenset()
    excluded: frozenset[str] = frozenset()
    """Fields a person said the file has no column for."""

    @property
    def unmapped(self) -> list[str]:
        used = set(self.columns.values())
        return [h for i, h in enumerate(self.headers) if i not in used and h]

    def as_named(self) -> dict[str, str]:
        """Our field → header text: the form saved as an explicit mapping and shown to the user."""
        return {f: self.headers[i] for f, i in self.columns.items()}

    def as_saved(self) -> dict[str, str | None]:
        """``as_named`` plus the fields declared absent (None): what is saved, so a repeat reads the file alike."""
        return {**self.as_named(), **{f: None for f in sorted(self.excluded)}}

    def describe(self) -> list[str]:
        lines = []
        for f, i in sorted(self.columns.items(), key=lambda x: x[1]):
            how = "explicit" if f in self.explicit else f"{self.scores.get(f, 100):.0f}"
            lines.append(f"column {i + 1} {self.headers[i]!r} → {f} ({how})")
        lines += [f"unused column {h!r}" for h in self.unmapped]
        return lines


def norm_header(h: object) -> str:
    return unicodedata.normalize("NFKC", str(h or "")).strip().lower().replace(" ", "").replace("*", "")


_ANNOTATION = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_ALIAS_TABLE = [(norm_header(a), f) for f, aliases in ALIASES.items() for a in aliases]


def map_headers(headers: Sequence[object], explicit: dict[str, str | None] | None = None) -> HeaderMap:
    """Each header goes to the best-scoring field (exact alias first); a field and a column are used once.
    ``explicit`` (field → header text) wins over any guess; field → None (or "") says the file has no column
    for that field, so no guess may give it one (a column a person marked "not used")."""
    texts = tuple("" if h is None else str(h).strip() for h in headers)
    columns: dict[str, int] = {}
    scores: dict[str, float] = {}
    excluded: set[str] = set()
    for fld, header in (explicit or {}).items():
        if fld not in ALIASES:
            raise MappingError(f"explicit mapping names an unknown field {fld!r}; fields are: {', '.join(FIELDS)}")
        if header is None or not str(header).strip():
            excluded.add(fld)
            continue
        wanted = norm_header(header)
        idx = next((i for i, t in enumerate(texts) if norm_header(t) == wanted), None)
        if idx is not None and idx in columns.values():
            other = next(f for f, i in columns.items() if i == idx)
            raise MappingError(
                f"explicit mapping reads both {other} and {fld} from the column {header!r}; "
                "give each field its own column"
            )
        if idx is None:
            raise MappingError(
                f"explicit mapping maps {fld} to the column {header!r}, which the file does not have; "
                f"its columns are: {', '.join(t for t in texts if t)}"
            )
        columns[fld] = idx
        scores[fld] = 100.0
    candidates: list[tuple[float, int, int, str]] = []
    for i, text in enumerate(texts):
        h = norm_header(text)
        if not h or i in columns.values():
            continue
        bare = _ANNOTATION.sub("", h)  # "价税合计(元)", "销方名称（全称）"
        for alias, fld in _ALIAS_TABLE:
            score = (
                100.0 if h == alias else 95.0 if bare == alias else max(fuzz.ratio(h, alias), fuzz.ratio(bare, alias))
            )
            if score >= THRESHOLD:
                candidates.append((score, len(alias), i, fld))
    for score, _, i, fld in sorted(candidates, key=lambda c: (-c[0], -c[1], c[2])):
        if fld in columns or fld in excluded or i in columns.values():
            continue
        columns[fld] = i
        scores[fld] = score
    return HeaderMap(
        texts, columns, scores, frozenset(f for f in (explicit or {}) if f not in excluded), frozenset(excluded)
    )


def find_header_row(
    rows: Sequence[Sequence[object]], explicit: dict[str, str] | None = None, search: int = 10
) -> tuple[int, HeaderMap]:
    """The header row is the first of the top ``search`` rows that maps at least three fields (exports often
    start with a title line or two); returns its 0-based index and its mapping."""
    best: tuple[int, HeaderMap] | None = None
    for idx, row in enumerate(rows[:search]):
        try:
            hm = map_headers(row, explicit)
        except MappingError:
            continue
        if hm.explicit or len(hm.columns) >= MIN_FIELDS_FOR_HEADER_ROW:  # explicit: every named header is on the row
            return idx, hm
        if best is None or len(hm.columns) > len(best[1].columns):
            best = (idx, hm)
    if any(explicit.values() if explicit else ()):
        map_headers(rows[0] if rows else [], explicit)  # raises with the explicit mapping's own message
    found = ", ".join(str(c) for c in (rows[0] if rows else []) if c not in (None, ""))
    raise MappingError(
        f"no header row found in the first {search} rows (columns seen: {found or 'none'}); a records export needs "
        "at least an invoice number and an amount or date column — give an explicit mapping (field → header)"
    )
