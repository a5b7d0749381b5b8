"""Compare extracted invoices with generator ground truth, field by field (used by tests and benchmarks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fapiao.core.models import KEY_FIELDS, Invoice

ITEM_FIELDS = ("name", "spec", "unit", "quantity", "unit_price", "amount", "tax_rate", "tax")


@dataclass
class Comparison:
    fields: dict[str, bool] = field(default_factory=dict)
    """Key field → right or wrong (fields the truth has no value for must come out empty)."""
    items_right: bool = True
    wrong: list[str] = field(default_factory=list)

    @property
    def all_key_fields_right(self) -> bool:
        return all(self.fields.values())


NAME_FIELDS = frozenset({"buyer_name", "seller_name"})
_BRACKETS = str.maketrans({"（": "(", "）": ")"})


def compare(truth: dict[str, Any], got: Invoice | None, *, printed: bool = False) -> Comparison:
    """Field-by-field comparison; exact for digital sources (text layer, OFD, XML carry the characters).

    ``printed=True`` is for values read off a picture of the page (scans and photos via OCR): full-width and
    half-width brackets in party names — "（南京）" vs "(南京)" — look the same on paper (the invoicing
    software prints whichever the taxpayer registered, and the glyphs differ by a few pixels of side bearing),
    so OCR cannot be expected to tell them apart and the comparison folds them. Nothing else is folded.
    """
    out = Comparison()
    mine = got.model_dump(mode="json") if got is not None else {}
    for name in KEY_FIELDS:
        expected, actual = _norm(truth.get(name)), _norm(mine.get(name))
        if printed and name in NAME_FIELDS:
            expected, actual = fold_brackets(expected), fold_brackets(actual)
        ok = expected == actual
        out.fields[name] = ok
        if not ok:
            out.wrong.append(f"{name}: expected {expected!r}, got {actual!r}")
    t_items, g_items = truth.get("items") or [], mine.get("items") or []
    if len(t_items) != len(g_items):
        out.items_right = False
        out.wrong.append(f"items: expected {len(t_items)} rows, got {len(g_items)}")
    else:
        for i, (t, g) in enumerate(zip(t_items, g_items, strict=False)):
            for name in ITEM_FIELDS:
                if _norm(t.get(name)) != _norm(g.get(name)):
                    out.items_right = False
                    out.wrong.append(f"items[{i}].{name}: expected {t.get(name)!r}, got {g.get(name)!r}")
    return out


def fold_brackets(v: Any) -> Any:
    return v.translate(_BRACKETS) if isinstance(v, str) else v


def _norm(v: Any) -> Any:
    if v in ("", None):
        return None
    return v
