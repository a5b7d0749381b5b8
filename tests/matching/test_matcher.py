"""The matcher on small hand-made cases: exact keys, OCR-damaged numbers, the neighbouring-number trap,
missing fields, ambiguous candidates."""

from __future__ import annotations

import datetime as dt

import numpy as np

from fapiao.matching.matcher import MATCHED, NO_MATCH, SUGGESTED, RecordIndex
from fapiao.matching.reconcile import invoice_table
from fapiao.matching.records import RecordTable
from tests.matching.builders import OTHER_SELLER, SELLER, invoice, record

RECORDS = [
    record("24610000000517609348", amount="100.00"),
    record("24610000000517609349", amount="200.00"),  # the next number from the same seller, same day
    record("12345678", code="011001900111", date=dt.date(2019, 7, 20), amount="90.00", tax="5.40"),
    record("24310000000000000007", seller=OTHER_SELLER, amount="5000.00", tax="300.00", date=dt.date(2024, 5, 1)),
]


def match(*invoices):
    index = RecordIndex(RecordTable.from_records(RECORDS))
    table = invoice_table(list(invoices))
    return index.match(table), index, table


def test_exact_key_matches_with_full_score() -> None:
    res, index, table = match(
        invoice("24610000000517609348"),
        invoice("12345678", code="011001900111", date=dt.date(2019, 7, 20), amount="90.00", tax="5.40"),
    )
    assert res.decision.tolist() == [MATCHED, MATCHED]
    assert res.record.tolist() == [0, 2]
    assert res.score.tolist() == [100.0, 100.0]
    assert index.explain(table, 0, 0) == ["number 100", "seller 100", "amount 100", "date 100"]


def test_one_or_two_wrong_digits_still_match_the_right_record() -> None:
    res, _, _ = match(
        invoice("24610000000517609340"), invoice("24610000000517689340"), invoice("2461000000517609348")
    )  # one digit dropped
    assert res.decision.tolist() == [MATCHED] * 3
    assert res.record.tolist() == [0, 0, 0]


def test_a_misread_number_equal_to_a_neighbour_goes_to_the_record_whose_amount_agrees() -> None:
    # ...348 for 100.00 misread as ...349, which exists (200.00): the exact key must not win
    res, _, _ = match(invoice("24610000000517609349", amount="100.00"))
    assert res.decision[0] == MATCHED
    assert res.record[0] == 0


def test_a_new_invoice_next_to_known_ones_is_not_matched() -> None:
    res, _, _ = match(invoice("24610000000517609350", amount="777.00", tax="46.62"))
    assert res.decision[0] != MATCHED
    assert res.score[0] < 85


def test_missing_code_and_missing_amounts_still_match() -> None:
    inv = invoice("12345678", date=dt.date(2019, 7, 20), amount="90.00", tax="5.40")
    inv.total_amount = inv.amount_with_tax = None
    res, _, _ = match(inv)
    assert res.decision[0] == MATCHED and res.record[0] == 2


def test_too_little_evidence_is_only_a_suggestion() -> None:
    inv = invoice("24310000000000000007", seller=(OTHER_SELLER[0], None), date=dt.date(2024, 5, 1))
    inv.total_amount = inv.amount_with_tax = inv.issue_date = None
    inv.seller_name = None
    res, _, _ = match(inv)  # the number alone, nothing else to confirm it
    assert res.decision[0] == SUGGESTED and res.record[0] == 3


def test_unrelated_invoice_finds_nothing() -> None:
    res, _, _ = match(
        invoice(
            "99999999999999999999",
            seller=("无关公司", "91999999999999999X"),
            amount="1.00",
            tax="0.06",
            date=dt.date(2020, 1, 1),
        )
    )
    assert res.decision[0] == NO_MATCH and res.record[0] == -1


def test_two_equally_good_candidates_are_not_decided_automatically() -> None:
    twins = [record("24610000000000000001", amount="50.00"), record("24610000000000000002", amount="50.00")]
    index = RecordIndex(RecordTable.from_records(twins))
    inv = invoice("24610000000000000003", amount="50.00")
    res = index.match(invoice_table([inv]))
    assert res.decision[0] == SUGGESTED
    assert res.score[0] == res.second[0]


def test_seller_by_name_when_the_id_is_missing() -> None:
    inv = invoice("24610000000517609348", seller=("上海某某贸易股份有限公司", None))
    res, index, table = match(inv)
    assert res.decision[0] == MATCHED
    assert "seller 100" in index.explain(table, 0, 0)
    assert np.isclose(res.score[0], 100.0)
    assert SELLER[0] != inv.seller_name
