"""The one place that lists the stages, in order: load → read (text layer / OCR / XML, QR) → extract →
merge structured data and QR → verify. The CLI, the API, the drop folder and the bulk job all call this.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fapiao.core.errors import FapiaoError, NeedsOcr, NotAnInvoice
from fapiao.core.messages import Message
from fapiao.core.models import ExtractionResult, QrPayload, Status
from fapiao.intake.classify import reject_other_documents
from fapiao.intake.extract.assemble import Extracted, assemble, finish, group_pages, read_page
from fapiao.intake.loaders import LoadedDocument, LoadedPage, LoadLimits, QrText, load_document
from fapiao.intake.merge import merge_qr, merge_structured, structured_invoice
from fapiao.intake.qr_payload import parse_qr_payload
from fapiao.intake.rules.context import SeenLookup
from fapiao.intake.signatures import damaged_finding, signature_findings
from fapiao.intake.verify import VerifyOptions, verify
from fapiao.ocr.read import ocr_page

ImageSink = Callable[[np.ndarray], str]
"""Stores a page image and returns a reference to it."""


@dataclass(frozen=True)
class PipelineOptions:
    """Everything a run needs, fixed for the run; stages never write into it."""

    limits: LoadLimits = field(default_factory=LoadLimits)
    verify: VerifyOptions = field(default_factory=VerifyOptions)
    ocr: bool = True
    """Run OCR on pages without a text layer; when False those pages give a `needs OCR` rejection."""


class Pipeline:
    """Runs documents through the stages; remembers invoice keys seen in this run to flag duplicates."""

    def __init__(self, options: PipelineOptions | None = None) -> None:
        self.options = options or PipelineOptions()
        self._seen: dict[str, str] = {}

    def process_path(self, path: Path, source: str | None = None) -> list[ExtractionResult]:
        source = source or str(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            return [_rejected(source, f"{source}: cannot read the file ({exc.strerror or exc})")]
        return self.process_bytes(data, source)

    def process_bytes(
        self, data: bytes, source: str, seen: SeenLookup | None = None, keep_image: ImageSink | None = None
    ) -> list[ExtractionResult]:
        """``seen`` looks invoice keys up in earlier documents (the service passes a database lookup);
        by default the keys seen by this Pipeline are used. ``keep_image`` stores each OCR'd page image and
        returns a reference, which the results carry in ``page_images`` (the review UI shows that image)."""
        timings: dict[str, int] = {}
        lookup = seen or self._seen.get
        try:
            with _timer(timings, "load"):
                doc = load_document(data, source, self.options.limits)
            with _timer(timings, "ocr"):
                self._ocr(doc, source, keep_image)
            with _timer(timings, "extract"):
                extracted = self._extract(doc, source)
        except FapiaoError as exc:
            return [_rejected(source, str(exc), timings, exc.msg)]
        file_findings = _file_findings(doc)
        results = []
        for ex, qr in extracted:
            start = time.perf_counter()
            result = ExtractionResult(
                source=source,
                page=ex.pages[0] if ex.pages else None,
                pages=ex.pages,
                invoice=ex.invoice,
                fields=ex.fields,
                findings=[*ex.findings, *file_findings],
                qr=qr,
                document_kind=doc.kind,
                page_images=ex.page_refs,
            )
            result = verify(result, self.options.verify.with_seen(lookup))
            if result.invoice and result.invoice.key and result.status is not Status.rejected:
                self._seen.setdefault(result.invoice.key, source)
            result.timings_ms = {**timings, "verify": int((time.perf_counter() - start) * 1000)}
            results.append(result)
        return results

    def _ocr(self, doc: LoadedDocument, source: str, keep_image: ImageSink | None = None) -> None:
        """Replace each page without a text layer by what OCR read on it: one page per invoice found on the
        image (a two-up scan gives two), in the prepared image's pixel coordinates."""
        pending = [p for p in doc.pages if p.needs_ocr]
        if not pending:
            return
        if not self.options.ocr:
            raise NeedsOcr(
                Message.of("needs_ocr", name=source, page=pending[0].number),
                hint="run without --no-ocr, or upload the digital original",
            )
        pages: list[LoadedPage] = []
        for page in doc.pages:
            if not page.needs_ocr:
                pages.append(page)
                continue
            result = ocr_page(page.image, page=page.number)
            for region in result.regions:
                h, w = region.prepared.image.shape[:2]
                pages.append(
                    LoadedPage(
                        number=page.number,
                        width=w,
                        height=h,
                        unit="px",
                        boxes=region.boxes,
                        image=region.prepared.image,
                        qr=[QrText(q.text, q.bbox) for q in region.qr],
                        image_ref=keep_image(region.prepared.image) if keep_image else None,
                    )
                )
        doc.pages = pages

    def _extract(self, doc: LoadedDocument, source: str) -> list[tuple[Extracted, QrPayload | None]]:
        if not doc.pages:
            return [(structured_invoice(doc), None)]
        reject_other_documents(doc.pages, source)
        reads = [read_page(p) for p in doc.pages if p.boxes]
        if not reads:
            raise NotAnInvoice(Message.of("no_text", name=source), hint="check that the file is an invoice")
        out = []
        for group in group_pages(reads):
            ex = assemble(group)
            ex.page_refs = {r.page.number: r.page.image_ref for r in group if r.page.image_ref}
            qr = _first_qr(group)
            if doc.structured:
                ex = merge_structured(ex, doc)
            if qr is not None:
                ex = merge_qr(ex, qr)
            ex.invoice = finish(ex.invoice, qr.type_code if qr else None)
            if not (ex.invoice.invoice_number or ex.invoice.total_amount is not None or ex.invoice.items):
                raise NotAnInvoice(
                    Message.of("no_invoice_fields", name=source),
                    hint="check that the file is a VAT invoice (发票)",
                )
            out.append((ex, qr))
        return out


def _file_findings(doc: LoadedDocument) -> list:
    """Findings about the file itself, shared by every invoice read from it: its signatures and its damage."""
    out = signature_findings(doc.signatures)
    if doc.damage:
        out.append(damaged_finding(doc.damage))
    return out


def _first_qr(group) -> QrPayload | None:
    for read in group:
        for q in read.page.qr:
            payload = parse_qr_payload(q.text)
            if payload is not None:
                return payload.model_copy(update={"page": read.page.number, "bbox": q.bbox})
    return None


def _rejected(
    source: str, error: str, timings: dict[str, int] | None = None, message: Message | None = None
) -> ExtractionResult:
    return ExtractionResult(
        source=source, status=Status.rejected, error=error, error_message=message, timings_ms=timings or {}
    )


class _timer:
    def __init__(self, timings: dict[str, int], name: str) -> None:
        self.timings, self.name = timings, name

    def __enter__(self):
        self.start = time.perf_counter()

    def __exit__(self, *exc):
        self.timings[self.name] = int((time.perf_counter() - self.start) * 1000)
        return False
