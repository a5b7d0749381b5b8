"""Regenerate the committed examples in ``samples/examples/``: ``python -m samples.generator.examples [DIR]``.

Each example is fixed by its name, seed and steering overrides below, so the files can be rebuilt exactly.
"""

from __future__ import annotations

import random
import sys
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from samples.generator.build import write_truth
from samples.generator.images import render_pages
from samples.generator.ofd import build_ofd
from samples.generator.pdf import Placement, build_pdf
from samples.generator.scan import PROFILES, degrade, two_up
from samples.generator.truth import random_invoice
from samples.generator.xml_einvoice import render_xml

EXAMPLES: tuple[tuple[str, str, int, dict], ...] = (
    ("digital_normal.pdf", "digital_normal", 101, {"n_items": 2}),
    (
        "digital_special_discount_wrapped.pdf",
        "digital_special",
        102,
        {"n_items": 3, "discount": True, "long_name": True, "red_letter": False},
    ),
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


SCAN_EXAMPLES: tuple[tuple[str, tuple[tuple[str, int, dict], ...], object, int], ...] = (
    (
        "e_special_scan_upside_down.jpg",
        (("e_special", 121, {"n_items": 2, "red_letter": False}),),
        replace(PROFILES["scan"], quarter_turns=(2,), seal=1.0, title_seal=1.0),
        1,
    ),
    (
        "e_normal_photo_on_desk.jpg",
        (("e_normal", 122, {"n_items": 3, "red_letter": False}),),
        replace(PROFILES["photo"], quarter_turns=(0,), neighbour=1.0, seal=1.0),
        2,
    ),
    (
        "digital_special_scan_150dpi_turned.jpg",
        (("digital_special", 123, {"n_items": 2, "red_letter": False}),),
        replace(PROFILES["scan"], dpi=(150, 150), quarter_turns=(1,)),
        3,
    ),
    (
        "two_up_scan.jpg",
        (
            ("toll", 124, {"n_items": 2, "red_letter": False}),
            ("digital_normal", 125, {"n_items": 1, "red_letter": False}),
        ),
        replace(PROFILES["scan"], dpi=(200, 200), quarter_turns=(0,), seal=0.0, title_seal=0.0, offset_mm=0.0),
        4,
    ),
)
"""Scans and photos: (file, the invoices on it, the degradation profile, the degradation seed). Two invoices
make a two-up A4 scan, the second below the first."""


def build_examples(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    return [_example(out, *spec) for spec in EXAMPLES] + [_scan_example(out, *spec) for spec in SCAN_EXAMPLES]


def _scan_example(out: Path, name: str, invoices: tuple, profile, seed: int) -> Path:
    """Render each invoice at 200 dpi, put two on one A4 sheet if there are two, and degrade the page; the
    truth lists the invoices top to bottom, each on page 1 of the image."""
    renders, placements = [], []
    for kind, inv_seed, overrides in invoices:
        rng = random.Random(inv_seed)
        pdf, placed = build_pdf([random_invoice(rng, kind, **overrides)], rng)
        renders.append(cv2.imdecode(np.frombuffer(render_pages(pdf, dpi=200)[0], np.uint8), cv2.IMREAD_COLOR))
        placements += [Placement(p.invoice, [1], "scan:" + p.layout, p.qr) for p in placed]
    page = renders[0] if len(renders) == 1 else two_up(*renders)
    img = degrade(page, np.random.default_rng(seed), profile)
    ok, jpg = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 80])
    assert ok
    path = out / name
    path.write_bytes(jpg.tobytes())
    write_truth(path, "jpg", placements, seed)
    return path


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
