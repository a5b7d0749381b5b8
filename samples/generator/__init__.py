"""Synthetic Chinese VAT invoices with exact ground truth: PDF, OFD, 数电 XML and page images.

Public API::

    random_invoice(rng, kind, **overrides) -> Invoice          # truth.py
    render_pdf(invoices, rng, quirks=None) -> bytes             # pdf.py  (build_pdf also returns placements)
    Quirks(spaced_labels=True, …)                               # quirks.py: real-invoice habits, off by default
    render_ofd(invoice, rng) -> bytes                           # ofd.py
    render_xml(invoice, rng=None) -> bytes                      # xml_einvoice.py
    render_pages(pdf_bytes, dpi=200) -> list[bytes]             # images.py
    generate_set(out_dir, count, seed, formats=("pdf",), kinds=None) -> list[Path]   # build.py

Every company, person and tax ID is assembled at random and synthetic. ``scan.py`` (scan/photo degradation)
is imported separately.
"""

from samples.generator.build import generate_set, load_truth
from samples.generator.images import render_pages
from samples.generator.ofd import render_ofd
from samples.generator.pdf import build_pdf, render_pdf
from samples.generator.quirks import QUIRK_NAMES, Quirks
from samples.generator.truth import KINDS, random_invoice
from samples.generator.xml_einvoice import render_xml

__all__ = [
    "KINDS",
    "QUIRK_NAMES",
    "Quirks",
    "build_pdf",
    "generate_set",
    "load_truth",
    "random_invoice",
    "render_ofd",
    "render_pages",
    "render_pdf",
    "render_xml",
]
