"""Messages a person reads (a refusal, a bad row's reason, a draft's history note) as a stable code with its
parameters. The English wording is here (the CLI, the API's text fields and the logs read it); a UI words the
same codes in its own language, never by reading the English back.

A message is the *what*; the hint (what to do) stays with the error that carries it, because the same
message gets a different hint from different callers. A UI's wording of a code says what to do itself."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from string import Formatter
from typing import Any

Param = str | int | float
"""A parameter as JSON keeps it: numbers stay numbers (a client formats them), anything else is text."""

_SUPPORTED = "PDF, image (JPEG/PNG/TIFF/BMP/WebP), OFD or invoice XML"

TEXT: dict[str, str] = {
    # any file, before it is read (core.limits.check_size, service.documents, the drop folder, back-fills)
    "file_empty": "{name}: the file is empty",
    "file_too_large": "{name}: {size:,} bytes, more than the limit of {limit:,}",
    "file_active_content": "{name}: {active} content is refused; it is not an invoice",
    "file_unknown_type": "{name}: a file of unknown type, not a " + _SUPPORTED,
    "file_zip": "{name}: a zip archive, not a " + _SUPPORTED,
    "file_symlink": "{name}: a symbolic link, which the drop folder does not follow",
    # the files of a back-fill source (service.bulk.sources, service.backfills)
    "member_too_large": "{name}: {size:,} bytes uncompressed, more than the limit of {limit:,}",
    "member_encrypted": "{name}: encrypted inside the zip; add it without a password",
    "member_zip_bomb": "{name}: expands {ratio:,}× ({size:,} bytes); refused as a probable zip bomb",
    "archive_unpacks_too_much": (
        "{name}: the archive unpacks to more than {limit:,} bytes in all; split it into smaller archives "
        "(FAPIAO_MAX_BACKFILL_UNPACKED_BYTES)"
    ),
    "file_unreadable": "{name}: cannot be read ({error}); check the file and run again",
    "link_unresolved": "{name}: cannot be resolved (a broken link?); put the file itself in the folder",
    "link_outside_roots": (
        "{name}: a link to a file outside the folders back-fills may read; refused — copy the file itself into "
        "the folder"
    ),
    # reading a document (intake loaders, the pipeline, the service's job)
    "loader_active_content": "{name}: {active} content, not an invoice; such files are refused",
    "loader_unsupported": "{name}: not a " + _SUPPORTED,
    "loader_zip": "{name}: not a " + _SUPPORTED + " (a zip archive: use `fapiao backfill` for archives)",
    "pdf_unopenable": "{name}: the PDF cannot be opened ({error})",
    "pdf_encrypted": "{name}: the PDF is password-protected",
    "rejected_by_reviewer": "{name}: rejected by a reviewer",
    "pdf_no_pages": "{name}: the PDF has no pages",
    "too_many_pages": "{name}: {pages} pages, more than the limit of {limit}",
    "page_unloadable": "{name}: page {page} cannot be loaded ({error})",
    "page_unreadable": "{name}: page {page} cannot be read ({error})",
    "page_unrenderable": "{name}: page {page} cannot be rendered ({error})",
    "image_too_large": "{name}: the image is too large to decode safely ({error})",
    "image_undecodable": "{name}: the {kind} image cannot be decoded ({error})",
    "image_too_many_pages": "{name}: more than {limit} pages",
    "image_too_many_pixels": "{name}: page {page} is {width} × {height} pixels, more than the limit of {limit:,}",
    "image_no_frames": "{name}: the image has no frames",
    "xml_entities": "{name}: the XML uses DTDs or entities, which are refused ({error})",
    "xml_malformed": "{name}: the XML is not well-formed ({error})",
    "xml_no_invoice": "{name}: the XML holds no invoice number or amounts",
    "ofd_not_zip": "{name}: the OFD container is not a valid zip ({error})",
    "ofd_unpacks_too_much": "{name}: the OFD unpacks to {size:,} bytes",
    "ofd_part_missing": "{name}: the OFD part {part!r} is missing",
    "ofd_part_too_large": "{name}: the OFD part {part!r} is {size:,} bytes",
    "ofd_part_unreadable": "{name}: the OFD part {part!r} cannot be read ({error})",
    "ofd_part_oversized": "{name}: the OFD part {part!r} is too large",
    "ofd_no_docroot": "{name}: OFD.xml names no DocRoot",
    "ofd_too_many_pages": "{name}: {pages} pages, more than {limit}",
    "ofd_no_page": "{name}: no page of the OFD can be read ({missing} missing)",
    "needs_ocr": "{name}: page {page} has no text layer and needs OCR",
    "no_text": "{name}: no text was found on any page",
    "no_invoice_fields": "{name}: no invoice number, amounts or items were found",
    "not_vat_invoice": (
        "{name}: 这是{what_zh}，不是增值税发票；fapiao 不读取它 / this is {what_en}, not a VAT invoice; "
        "fapiao does not read it"
    ),
    "no_invoice_read": "no invoice could be read: neither an invoice number nor any amount was found",
    "no_invoice_found": "no invoice found",
    "processing_failed": "internal error while processing {name}: {error}",
    "storing_failed": "internal error while storing the results of {name}: {error}",
    # a row of a records export (matching.normalize, matching.records_import)
    "not_an_amount": "{value!r} is not an amount",
    "amount_too_large": "{value!r} is larger than any invoice amount",
    "not_a_date": "{value!r} is not a date",
    "not_a_status": "{value!r} is not a status (正常 / 作废 / 红冲)",
    "cell_unreadable": "{error}",
    "row_no_number": "no invoice number (发票号码 and 数电票号码 are empty)",
    "row_bad_number": "invoice number {value!r} should be 8 digits with a code, or 20 digits (数电)",
    "row_bad_code": "invoice code {value!r} should be 10 or 12 digits",
    "row_no_amount": "no amount (金额 and 价税合计 are empty)",
    "row_totals_disagree": ("金额 {amount} + 税额 {tax} ≠ 价税合计 {with_tax}; correct the row in the system export"),
    "row_repeated": ("the same invoice ({key}) as row {first}; the first one was kept — remove the repeated row"),
    # a step of a back-entry draft's history (storage.drafts, service.drafts)
    "note": "{text}",
    "draft_missing": "missing in the system",
    "draft_resolved": "the records import contains this invoice",
    "draft_edited": "edited {fields}",
    "draft_confirmed_over_errors": "confirmed over {errors} error(s): {reason}",
    "draft_exported": "exported as {format}",
}
"""Each code's English wording; ``code`` means the same thing for as long as it exists (new wording, new
meaning: a new code). ``note`` is what a person typed, shown as it is in every language."""


@dataclass(frozen=True)
class Message:
    """A ``code`` (a key of ``TEXT``) and its parameters, kept in order."""

    code: str
    params: tuple[tuple[str, Param], ...] = ()

    @classmethod
    def of(cls, code: str, **params: Any) -> Message:
        if code not in TEXT:
            raise KeyError(f"no message {code!r}; add its wording to fapiao.core.messages.TEXT")
        return cls(code, tuple((k, _param(v)) for k, v in params.items()))

    @property
    def text(self) -> str:
        """The English wording."""
        return TEXT[self.code].format(**dict(self.params))

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params)}

    @classmethod
    def from_json(cls, value: Any) -> Message | None:
        """A message stored by ``as_json``; None for anything else (an older row, a code since retired)."""
        if not isinstance(value, dict) or value.get("code") not in TEXT:
            return None
        params = value.get("params") or {}
        return cls(value["code"], tuple(params.items())) if isinstance(params, dict) else None

    def __str__(self) -> str:
        return self.text


def _param(value: Any) -> Param:
    """Numbers stay numbers (so ``{size:,}`` formats them) unless JSON could not store them; the rest is text."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return value
    return str(value)


def coded(prefix: str, message: Message | None) -> dict[str, Any]:
    """``{prefix}_code`` and ``{prefix}_params`` of ``message`` (None and None without one): the columns and API
    keys that go beside a text column or key named ``prefix``."""
    return {
        f"{prefix}_code": message.code if message else None,
        f"{prefix}_params": dict(message.params) if message else None,
    }


def stored(code: str | None, params: Any) -> Message | None:
    """The message kept in a ``*_code`` / ``*_params`` pair; None for a row without one (older than the codes)."""
    return Message.from_json({"code": code, "params": params}) if code else None


def joined(messages: Sequence[Message], sep: str = "; ") -> str | None:
    """Several messages as one English text (a draft step's note); None when there are none."""
    return sep.join(m.text for m in messages) or None


def params_of(template: str) -> set[str]:
    """The parameter names a wording uses (a test checks every language uses the same ones)."""
    return {name for _, name, _, _ in Formatter().parse(template) if name}


class BadValue(ValueError):
    """A value that cannot be read (a cell of an export), with its message: ``str()`` is the English text."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.text)
        self.msg = message
