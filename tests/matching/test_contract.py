"""`fapiao reconcile --json` lines are the models in ``fapiao.matching.contract`` (which the API serves for a
run's items too): every category's line validates, the models give it back unchanged, and they refuse what the
contract does not have."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from fapiao.matching.contract import ReconcileLine
from fapiao.matching.export import report_lines
from fapiao.matching.reconcile import Category, reconcile
from tests.matching.builders import RECORDS, batch

LINE = TypeAdapter(ReconcileLine)


def test_every_line_validates_and_comes_back_unchanged() -> None:
    lines = report_lines(reconcile(batch(), RECORDS))
    assert {line["category"] for line in lines} == set(Category)
    for line in lines:
        assert LINE.dump_python(LINE.validate_python(line), mode="json", exclude_unset=True) == line


def test_unknown_keys_and_shapes_are_refused() -> None:
    lines = report_lines(reconcile(batch(), RECORDS))
    document = next(line for line in lines if line["category"] == "matched")
    record = next(line for line in lines if line["category"] == "no_document")
    for wrong in (
        {**document, "surprise": 1},
        {**record, "surprise": 1},
        {**record, "category": "matched"},  # a record line is not a document line
        {**document, "category": "lost"},
        {**record, "record": {**record["record"], "total_amount": 1.5}},
    ):
        with pytest.raises(ValidationError):
            LINE.validate_python(wrong)
