"""Coverage-guided fuzzing (atheris, libFuzzer) of the byte- and text-level parsers; hypothesis covers the
structured inputs (tests/**/test_fuzz_*.py). An uncaught exception other than the parser's own refusal is a
crash: libFuzzer stops and writes the input to ``crash-*``.

    .venv/bin/python -m tests.atheris_fuzz TARGET [libFuzzer flags] [CORPUS_DIR]
    .venv/bin/python -m tests.atheris_fuzz load -atheris_runs=200000 -max_len=65536 /tmp/corpus-load

Targets: qr, words, tax_id, load (sniff + every loader + the pipeline without OCR), records (CSV/XLSX
import), all (each input goes to one of them). tests/intake/test_fuzz_atheris.py runs each briefly."""

from __future__ import annotations

import contextlib
import sys

import atheris

with atheris.instrument_imports(include=["fapiao.intake", "fapiao.matching"]):
    from fapiao.intake.amount_words import AmountWordsError, parse_words
    from fapiao.intake.loaders import LoadLimits
    from fapiao.intake.pipeline import Pipeline, PipelineOptions
    from fapiao.intake.qr_payload import parse_qr_payload
    from fapiao.intake.rules.tax_ids import tax_id_problems
    from fapiao.matching.headers import MappingError
    from fapiao.matching.records_import import parse_upload

PIPELINE = Pipeline(PipelineOptions(ocr=False, limits=LoadLimits(max_pages=5)))
RECORD_NAMES = ("export.csv", "export.xlsx", "export.tsv", "export")


def qr(data: bytes) -> None:
    parse_qr_payload(atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(200))


def words(data: bytes) -> None:
    with contextlib.suppress(AmountWordsError):
        parse_words(atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(64))


def tax_id(data: bytes) -> None:
    tax_id_problems(atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(24))


def load(data: bytes) -> None:
    for result in PIPELINE.process_bytes(data, "fuzz.bin"):  # rejections are answers, exceptions are crashes
        result.to_contract()


def records(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    name = RECORD_NAMES[fdp.ConsumeIntInRange(0, len(RECORD_NAMES) - 1)]
    with contextlib.suppress(MappingError):
        parse_upload(fdp.ConsumeBytes(fdp.remaining_bytes()), name)


def every(data: bytes) -> None:
    """All of them in one process (the first byte picks one), for a short run in CI."""
    if data:
        PARSERS[data[0] % len(PARSERS)](data[1:])


PARSERS = (qr, words, tax_id, load, records)
TARGETS = {"qr": qr, "words": words, "tax_id": tax_id, "load": load, "records": records, "all": every}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        raise SystemExit(f"usage: python -m tests.atheris_fuzz {{{','.join(TARGETS)}}} [libFuzzer flags] [corpus]")
    target = TARGETS[sys.argv.pop(1)]
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
