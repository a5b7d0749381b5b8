"""Property tests: every valid, consistent invoice passes every rule, and is `verified` exactly when each of
its key fields is either the document's own text or confirmed by something besides the recogniser; no single
misreading of a key field is ever `verified` with a wrong value — it is caught or repaired back to the truth.

The claim is about reading: a text layer or XML is the document itself, so there only the fields with
redundancy (totals, check characters, the QR) are damaged; an OCR reading may be wrong in any key field.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from fapiao.core.models import DIGITAL_TYPES, KEY_FIELDS, FieldSource, Severity, Status
from fapiao.intake.rules.check_code import has_check_code
from fapiao.intake.verify import verify
from tests.rules.strategies import Case, cases, corrupt, corruptions

pytestmark = pytest.mark.slow  # property-based fuzzing of the rules (thousands of invoices)

PROPERTY = settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _problems(out) -> list[str]:
    return [
        f"{f.severity.value} {f.code} {f.fields}: {f.message}"
        for f in out.findings
        if f.severity in (Severity.error, Severity.warning)
    ]


def _expected_unconfirmed(case: Case) -> set[str]:
    """What an OCR reading of this invoice leaves without confirmation, from how the case was built: names the
    party master does not know (exactly), and header fields the QR does not state."""
    inv = case.invoice
    if case.result.fields["invoice_number"].source is not FieldSource.ocr:
        return set()
    out = set()
    if inv.seller_tax_id not in case.known:
        out.add("seller_name")
    if inv.buyer_is_person or inv.buyer_tax_id not in case.known:
        out.add("buyer_name")
    if case.result.qr is None:
        out |= {"invoice_number", "issue_date"}
        if inv.invoice_type not in DIGITAL_TYPES and inv.invoice_code:
            out.add("invoice_code")
        if has_check_code(inv.invoice_type):
            out.add("check_code")
    return out


@PROPERTY
@given(cases())
def test_valid_invoices_pass_and_are_verified_when_every_key_field_is_confirmed(case: Case) -> None:
    out = verify(case.result, case.options)
    assert out.invoice == case.invoice
    expected = _expected_unconfirmed(case)
    unconfirmed = [f for f in out.findings if f.code == "ocr.unconfirmed"]
    if not expected:
        assert _problems(out) == []
        assert out.status is Status.verified
        return
    assert out.status is Status.needs_review
    (finding,) = unconfirmed
    assert set(finding.fields) == expected
    others = [f for f in out.findings if f.severity is not Severity.info and f.code != "ocr.unconfirmed"]
    assert all(f.code == "party.close_name" and set(f.fields) <= expected for f in others), _problems(out)


@st.composite
def corrupted_cases(draw, only: tuple[str, ...] | None = None):
    case = draw(cases())
    corruption = draw(corruptions(case, only=only))
    assume(corruption is not None)
    return case, corruption


@PROPERTY
@given(corrupted_cases())
def test_single_corruption_is_caught_or_repaired(pair) -> None:
    case, corruption = pair
    out = verify(corrupt(case, corruption).result, case.options)
    repaired = getattr(out.invoice, corruption.field) == getattr(case.invoice, corruption.field)
    assert out.status is not Status.verified or repaired, (corruption, _problems(out))


@PROPERTY
@given(corrupted_cases())
def test_no_single_corruption_is_verified_with_a_wrong_key_field(pair) -> None:
    case, corruption = pair
    out = verify(corrupt(case, corruption).result, case.options)
    if out.status is Status.verified:
        wrong = [n for n in KEY_FIELDS if getattr(out.invoice, n) != getattr(case.invoice, n)]
        assert wrong == [], (corruption, wrong)
        assert out.fields[corruption.field].original == corruption.value


@PROPERTY
@given(corrupted_cases(only=("seller_name", "buyer_name")))
def test_a_misread_name_of_a_known_party_is_shown_the_close_known_name_and_never_replaced(pair) -> None:
    case, corruption = pair
    out = verify(corrupt(case, corruption).result, case.options)
    assert out.status is Status.needs_review and getattr(out.invoice, corruption.field) == corruption.value
    if corruption.field == "seller_name" or not case.invoice.buyer_is_person:
        tid = case.invoice.seller_tax_id if corruption.field == "seller_name" else case.invoice.buyer_tax_id
        if tid in case.known:
            (close,) = [f for f in out.findings if f.code == "party.close_name" and corruption.field in f.fields]
            assert close.fields == (corruption.field,) and getattr(case.invoice, corruption.field) in close.message


@st.composite
def doubly_corrupted_cases(draw):
    case = draw(cases())
    first = draw(corruptions(case))
    assume(first is not None)
    once = corrupt(case, first)
    second = draw(corruptions(once))
    assume(second is not None and second.field != first.field)
    return case, corrupt(once, second), (first, second)


@PROPERTY
@given(doubly_corrupted_cases())
def test_two_misreadings_in_different_fields_are_not_verified_with_a_wrong_key_field(triple) -> None:
    """Beyond the single-misread guarantee: two misreadings escape only if they agree with every tie between
    the fields (the sums, the lines, the words, the QR, the check characters), which independent errors do not."""
    case, damaged, pair = triple
    out = verify(damaged.result, case.options)
    if out.status is Status.verified:
        assert [n for n in KEY_FIELDS if getattr(out.invoice, n) != getattr(case.invoice, n)] == [], pair
