"""One error hierarchy for the whole pipeline: each error says which file, what is wrong and what to do.

The CLI reports them per file in its results; the API maps them to HTTP statuses by class in one table
(``fapiao.api.problems.HTTP_STATUS``), never by reading message text.
"""

from __future__ import annotations

from fapiao.core.messages import Message


class FapiaoError(Exception):
    """Base class; ``code`` is a short stable identifier of the kind of error for UIs and logs. An error made
    from a ``Message`` keeps it as ``msg`` (its code and parameters, which a UI words in its language);
    ``message`` is the English text either way."""

    code = "error"

    def __init__(self, message: str | Message, *, hint: str | None = None) -> None:
        self.msg = message if isinstance(message, Message) else None
        text = message.text if isinstance(message, Message) else message
        super().__init__(text)
        self.message = text
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class UnsupportedFormat(FapiaoError):
    code = "unsupported_format"


class CorruptDocument(FapiaoError):
    code = "corrupt_document"


class EncryptedDocument(FapiaoError):
    code = "encrypted_document"


class LimitExceeded(FapiaoError):
    """Too many pages, too many pixels, too large: refuse before spending memory on it."""

    code = "limit_exceeded"


class NotAnInvoice(FapiaoError):
    code = "not_an_invoice"


class NeedsOcr(FapiaoError):
    """A page has no usable text layer and no OCR engine is available."""

    code = "needs_ocr"


class NotFound(FapiaoError):
    """A document, invoice, draft, run or back-fill that does not exist."""

    code = "not_found"


class Conflict(FapiaoError):
    """Someone else changed it first (stale version), or its state does not allow the change."""

    code = "conflict"


class InvalidEdit(FapiaoError):
    """A field that cannot be edited, or a value that is not valid for it."""

    code = "invalid_edit"
