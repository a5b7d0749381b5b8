"""Records: imports (a preview, a run and its bad rows), sync status per source, the records, saved header
mappings and the party master."""

from __future__ import annotations

from pydantic import Field

from fapiao.api.models.base import Answer, IsoDate, MessageCode, MessageParams, Paged, Timestamp
from fapiao.core.states import ImportStatus
from fapiao.matching.contract import RecordFields


class BadRow(Answer):
    """A row of the export that did not load."""

    row: int = Field(description="1-based, as a spreadsheet shows it.")
    column: str | None
    reason: str
    reason_code: MessageCode = None
    reason_params: MessageParams = None


class ImportView(Answer):
    """One records import."""

    id: int
    source: str = Field(description="The file name: imports of the same name are one source.")
    started_at: Timestamp
    finished_at: Timestamp | None
    actor: str | None
    status: ImportStatus = Field(
        description="done; partial: some rows did not load (bad_rows); failed: the file could not be read."
    )
    error: str | None = Field(description="Why the file could not be read.")
    header_row: int | None
    mapping: dict[str, str | None] = Field(description="Field → header (null: the file has no such column).")
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    drafts_resolved: int
    bad_rows: int
    unmapped_statuses: dict[str, int] = Field(description="Status words no alias maps → rows carrying them.")
    status_words: dict[str, str] = Field(description="Our status → the file's own word for it.")
    can_reimport: bool = Field(description="The file is kept: POST /api/v1/records/imports/{id}/repeat.")


class ImportDetail(ImportView):
    """An import with every bad row."""

    errors: list[BadRow]


class ImportDone(ImportDetail):
    """An import just run."""

    reverified: int = Field(description="Invoices waiting for review verified again now that their parties are known.")


class HeaderColumn(Answer):
    """How one column of the file was read."""

    column: int = Field(description="1-based.")
    header: str
    field: str | None = Field(description="Our field, or null: not read.")
    score: float | None = Field(description="How sure the automatic mapping is, 0-100.")
    explicit: bool = Field(description="Mapped by the mapping given, not automatically.")


class ImportPreview(Answer):
    """How the file would be read; nothing is stored."""

    source: str
    header_row: int = Field(description="1-based row of the headers.")
    columns: list[HeaderColumn]
    mapping: dict[str, str] = Field(description="Field → header.")
    excluded: list[str] = Field(description="Fields declared absent from the file.")
    unmapped: list[str] = Field(description="Headers no field reads.")
    fields: list[str] = Field(description="Every field a mapping may name.")
    rows_read: int
    records: int
    sample: list[RecordFields] = Field(description="The first records as read.")
    errors: list[BadRow]
    unmapped_statuses: dict[str, int]


class SourceStatus(Answer):
    """The sync status of one records source."""

    source: str
    imports: int
    last: ImportView
    last_success_at: Timestamp | None
    changed: int = Field(description="Records the last import inserted or updated.")


class Sources(Answer):
    sources: list[SourceStatus]


class RecordRow(Answer):
    """One invoice as the system's records know it."""

    id: int
    invoice_key: str
    invoice_code: str | None
    invoice_number: str
    issue_date: IsoDate | None
    seller_tax_id: str | None
    seller_name: str | None
    buyer_tax_id: str | None
    buyer_name: str | None
    total_amount: str | None = Field(description="Money as a string with two decimals.")
    total_tax: str | None = Field(description="Money as a string with two decimals.")
    amount_with_tax: str | None = Field(description="Money as a string with two decimals.")
    status: str = Field(description="normal, voided or red_letter.")
    invoice_kind: str | None
    first_seen: Timestamp
    last_seen: Timestamp


class RecordPage(Paged):
    records: list[RecordRow]


class SavedMapping(Answer):
    name: str
    mapping: dict[str, str | None] = Field(description="Field → header text (null: the file has no such column).")


class Mappings(Answer):
    mappings: list[SavedMapping]
    fields: list[str] = Field(description="Every field a mapping may name.")


class PartyName(Answer):
    name: str
    seen: int = Field(description="How often this spelling was seen.")
    origin: str = Field(description="Where it was learnt: records, confirmed, …")


class PartyView(Answer):
    tax_id: str
    canonical_name: str
    names: list[PartyName]


class PartyPage(Paged):
    parties: list[PartyView]


class ImportPage(Paged):
    imports: list[ImportView]
