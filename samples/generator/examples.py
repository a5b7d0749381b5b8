"""Regenerate the committed examples in ``samples/examples/``: ``python -m samples.generator.examples [DIR]``.

Each example is fixed by its name, seed and steering overrides below, so the files can be rebuilt exactly.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from samples.generator.build import write_truth
from samples.generator.images import render_pages
from samples.generator.ofd import build_ofd
from samples.generator.pdf import Placement, build_pdf
from samples.generator.truth import random_invoice
from samples.generator.xml_einvoice import render_xml

EXAMPLES: tuple[tuple[str, str, int, dict], ...] = (
    ("digital_normal.pdf", "digital_normal", 101, {"n_items": 2}),
    ("digital_special_discount_wrapped.pdf", "digital_special", 102, {"n_items": 3, "discount": True,
                                                                      "long_name": True, "red_letter": False}),
    ("e_normal_person_buyer.pdf", "e_normal", 103, {"n_items": 2, "person_buyer": True, "buyer_name": "个人"}),
    ("e_special.pdf", "e_special", 104, {"n_items": 3, "red_letter": False}),
    ("toll.pdf", "toll", 105, {"n_items": 3, "red_letter": False}),
    ("e_normal_sales_list.pdf", "e_normal", 106, {"n_items": 12, "red_letter": False}),
    ("red_letter.pdf", "e_normal", 107, {"n_items": 2, "red_letter": True}),
    ("e_normal.ofd", "e_normal", 108, {"n_items": 2, "red_letter": False}),
    ("digital_normal.ofd", "digital_normal", 109, {"n_items": 2, "red_letter": False}),
    ("digital_special.xml", "digital_special", 110, {"n_items": 3, "red_letter": False}),
    ("digital_normal.png", "digital_normal", 111, {"n_items": 2, "red_letter": False}),
)


def build_examples(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    return [_example(out, *spec) for spec in EXAMPLES]


def _example(out: Path, name: str, kind: str, seed: int, overrides: dict) -> Path:
    rng = random.Random(seed)
    inv = random_invoice(rng, kind, **overrides)
    fmt = name.rsplit(".", 1)[1]
    if fmt == "pdf":
        data, placements = build_pdf([inv], rng)
    elif fmt == "png":
        pdf, placements = build_pdf([inv], rng)
        data = render_pages(pdf, dpi=110)[0]
    elif fmt == "ofd":
        data, r = build_ofd(inv, rng)
        placements = [Placement(inv, list(range(1, len(r.pages) + 1)), "ofd:" + r.layout, r.qr)]
    else:
        data, placements = render_xml(inv, rng), [Placement(inv, [], "xml/einvoice")]
    path = out / name
    path.write_bytes(data)
    write_truth(path, fmt, placements, seed)
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "examples"
    for p in build_examples(target):
        print(f"{p.stat().st_size:>7}  {p}")
