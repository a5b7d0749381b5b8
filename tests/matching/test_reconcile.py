"""Reconciliation categories and differences, and the party master's findings (pure, in memory)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from fapiao.matching.parties import PartyMaster
from fapiao.matching.reconcile import Category, reconcile
from tests.matching.builders import BUYER, OTHER_SELLER, RECORDS, SELLER, batch, invoice, record, result


def test_every_document_category_and_records_without_document() -> None:
    report = reconcile(batch(), RECORDS, master=PartyMaster.from_records(RECORDS))
    cats = {o.result.source: o.category for o in report.documents}
    assert cats == {
        "matched.pdf": Category.matched,
        "differs.pdf": Category.matched_with_differences,
        "void.pdf": Category.voided,
        "red.pdf": Category.voided,
        "new.pdf": Category.missing_in_system,
        "again.pdf": Category.duplicate,
        "broken.pdf": Category.rejected,
    }
    assert [r.key for r in report.no_document] == ["24310000000000000099", "24310000000000000098"]
    by_source = {o.result.source: o for o in report.documents}
    diff = by_source["differs.pdf"].differences
    assert [(d.field, d.document, d.record) for d in diff] == [("buyer_tax_id", "91330106273175535X", BUYER[1])]
    assert [f.code for f in by_source["void.pdf"].findings] == ["match.voided"]
    assert [f.code for f in by_source["red.pdf"].findings] == ["match.red_letter"]
    assert by_source["red.pdf"].findings[0].message_zh.startswith("对应的系统记录")
    assert [f.code for f in by_source["again.pdf"].findings] == ["match.duplicate"]
    assert "matched.pdf" in by_source["again.pdf"].findings[0].message
    assert by_source["new.pdf"].record is None and by_source["new.pdf"].score is None
    line = by_source["differs.pdf"].to_contract()
    assert line["category"] == "matched_with_differences" and line["record_key"] == "24610000000000000002"
    assert line["differences"] == [{"field": "buyer_tax_id", "document": "91330106273175535X", "record": BUYER[1]}]
    assert line["invoice"]["total_amount"] == "200.00" and line["score"] is not None


def test_date_range_limits_records_without_document() -> None:
    report = reconcile(batch(), RECORDS, date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 12, 31))
    assert [r.key for r in report.no_document] == ["24310000000000000099"]


def test_names_differing_only_in_legal_form_are_not_differences_but_amounts_are() -> None:
    inv = invoice("24610000000000000001", seller=("上海某某贸易股份有限公司", SELLER[1]))
    inv.total_tax = Decimal("6.01")
    report = reconcile([result(inv)], RECORDS)
    out = report.documents[0]
    assert out.category is Category.matched_with_differences
    assert [(d.field, d.document, d.record) for d in out.differences] == [("total_tax", "6.01", "6.00")]


def test_party_master_flags_an_id_that_disagrees() -> None:
    inv = invoice("24610000000000000001", seller=(SELLER[0], "914403001922038217"))
    report = reconcile([result(inv)], RECORDS, master=PartyMaster.from_records(RECORDS))
    out = report.documents[0]
    assert out.category is Category.matched_with_differences
    codes = [f.code for f in out.findings]
    assert codes == ["party.id_mismatch"]
    assert SELLER[1] in out.findings[0].message and "probably misread" in out.findings[0].message


def test_party_master_proposes_id_and_canonical_name() -> None:
    master = PartyMaster.from_records(
        RECORDS + [record("24610000000000000077", seller=("上海某某贸易有限公司 ", SELLER[1]))]
    )
    check = master.check("上海某某贸易（股份）有限公司", None)
    assert check.tax_id == SELLER[1] and check.canonical_name == SELLER[0] and not check.findings
    check = master.check(OTHER_SELLER[0], SELLER[1])
    assert check.tax_id == OTHER_SELLER[1]
    assert [f.code for f in check.findings] == ["party.id_mismatch"]
    assert "it belongs to" in check.findings[0].message
    check = master.check("完全不同的公司", SELLER[1])
    assert [f.code for f in check.findings] == ["party.name_mismatch"]
    assert master.check("完全不同的公司", None).party is None
