"""Write a set of generated documents, each with a ``<file>.truth.json`` holding the invoices it contains.

Document ``i`` of a set depends only on ``(seed, i)`` and its format, so sets are reproducible and a failing
document can be regenerated alone.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from pathlib import Path

from fapiao.core.models import DIGITAL_TYPES, Invoice, InvoiceType
from samples.generator.images import render_pages
from samples.generator.ofd import build_ofd
from samples.generator.pdf import Placement, build_pdf
from samples.generator.quirks import Quirks
from samples.generator.truth import KINDS, random_invoice
from samples.generator.xml_einvoice import render_xml

FORMATS = ("pdf", "ofd", "xml", "png")


def generate_set(
    out_dir: str | Path,
    count: int,
    seed: int,
    formats: Iterable[str] = ("pdf",),
    kinds: Iterable[InvoiceType | str] | None = None,
    quirks: Quirks | None = None,
) -> list[Path]:
    """Generate ``count`` documents cycling through ``formats``; returns the document paths (not the truth files).

    ``quirks`` (PDF and PNG only) draws real-invoice habits; None keeps every set exactly as before."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    formats = tuple(formats)
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown formats {sorted(unknown)}; choose from {', '.join(FORMATS)}")
    kinds = tuple(InvoiceType(k) for k in kinds) if kinds else KINDS
    return [generate_document(out, i, seed, formats[i % len(formats)], kinds, quirks) for i in range(count)]


def generate_document(
    out: Path, index: int, seed: int, fmt: str, kinds: tuple[InvoiceType, ...], quirks: Quirks | None = None
) -> Path:
    rng = random.Random(f"{seed}:{index}:{fmt}")
    q = quirks or Quirks()
    if fmt == "xml":
        kinds = tuple(k for k in kinds if k in DIGITAL_TYPES)
        if not kinds:
            raise ValueError("the xml format needs a digital kind (digital_normal / digital_special)")
    if fmt == "pdf":
        invoices = [_random(rng, rng.choice(kinds), q) for _ in range(_invoice_count(rng))]
        data, placements = build_pdf(invoices, rng, quirks)
    elif fmt == "png":
        inv = _random(rng, rng.choice(kinds), q, n_items=rng.choice((1, 1, 2, 2, 3, 4, 5, 6)))
        pdf, placements = build_pdf([inv], rng, quirks)
        data = render_pages(pdf, dpi=rng.choice((150, 200, 200)))[0]
    elif fmt == "ofd":
        inv = random_invoice(rng, rng.choice(kinds))
        data, r = build_ofd(inv, rng)
        placements = [Placement(inv, list(range(1, len(r.pages) + 1)), "ofd:" + r.layout, r.qr)]
    else:
        inv = random_invoice(rng, rng.choice(kinds))
        data = render_xml(inv, rng)
        placements = [Placement(inv, [], "xml/einvoice")]
    stem = placements[0].invoice.invoice_type.value if len(placements) == 1 else "multi"
    path = out / f"{index:05d}_{stem}.{fmt}"
    path.write_bytes(data)
    write_truth(path, fmt, placements, seed, index)
    return path


def _random(rng: random.Random, kind: InvoiceType, quirks: Quirks, **knobs) -> Invoice:
    return random_invoice(rng, kind, **knobs, **quirks.knobs(kind))


def _invoice_count(rng: random.Random) -> int:
    return rng.choice((2, 2, 3)) if rng.random() < 0.05 else 1


def write_truth(
    path: Path, fmt: str, placements: list[Placement], seed: int | None = None, index: int | None = None
) -> Path:
    layouts = list(dict.fromkeys(p.layout for p in placements))
    truth = {
        "file": path.name,
        "format": fmt,
        "layout": ";".join(layouts),
        "seed": seed,
        "index": index,
        "invoices": [_entry(p) for p in placements],
    }
    target = path.with_name(path.name + ".truth.json")
    target.write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return target


def _entry(p: Placement) -> dict:
    out = {"pages": p.pages, "layout": p.layout, "invoice": p.invoice.model_dump(mode="json")}
    if p.qr:
        out["qr"] = p.qr
    return out


def load_truth(path: str | Path) -> list[Invoice]:
    """The invoices recorded in a truth file (or the truth file next to a document)."""
    path = Path(path)
    if not path.name.endswith(".truth.json"):
        path = path.with_name(path.name + ".truth.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    return [Invoice.model_validate(e["invoice"]) for e in data["invoices"]]
