"""The outputs of a back-fill: every invoice read is reconciled with the records export, and the output
folder gets ``reconciliation.xlsx`` (a sheet per category), ``drafts.xlsx`` (one back-entry row per missing
invoice, under the very header row of the export it was given, so it imports where the records came from)
and ``log.jsonl`` (one line per document, as `fapiao reconcile --json` prints it, rejected files with why).
Files are written next to their final name and renamed, so an interrupted write never leaves half a file."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from fapiao.core.models import ExtractionResult
from fapiao.matching.drafts import draft_payload
from fapiao.matching.export import report_lines, write_drafts_xlsx, write_report_json, write_report_xlsx
from fapiao.matching.parties import PartyMaster
from fapiao.matching.reconcile import Category, ReconcileReport, reconcile
from fapiao.matching.records_import import ParsedExport

OUTPUTS = ("reconciliation.xlsx", "drafts.xlsx", "log.jsonl")


@dataclass(frozen=True)
class BackfillOutputs:
    report: ReconcileReport
    drafts: int
    paths: tuple[Path, ...]

    def counts(self) -> dict[str, int]:
        return self.report.counts()


def write_outputs(results: list[ExtractionResult], parsed: ParsedExport, out: Path) -> BackfillOutputs:
    out.mkdir(parents=True, exist_ok=True)
    master = PartyMaster.from_records(parsed.records)
    report = reconcile(results, parsed.records, master=master)
    lines = report_lines(report)
    payloads = [
        draft_payload(o.invoice, master)
        for o in report.documents
        if o.category is Category.missing_in_system and o.invoice is not None
    ]
    headers = list(parsed.header_map.headers)
    mapping = parsed.header_map.as_saved()
    paths = tuple(out / name for name in OUTPUTS)
    _atomic(paths[0], lambda p: write_report_xlsx(lines, p))
    _atomic(paths[1], lambda p: write_drafts_xlsx(payloads, p, headers=headers, mapping=mapping))
    _atomic(paths[2], lambda p: write_report_json([o.to_contract() for o in report.documents], p))
    return BackfillOutputs(report, len(payloads), paths)


def _atomic(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.tmp{path.suffix}")
    write(tmp)
    os.replace(tmp, path)
