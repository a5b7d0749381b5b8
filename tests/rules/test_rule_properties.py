"""Property tests: every valid, consistent invoice is verified; no single corruption of a key field is ever
verified with a wrong value — it is either caught or repaired back to the truth."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from intake.models import KEY_FIELDS, Severity, Status
from intake.verify import verify
from tests.rules.strategies import Case, cases, corrupt, corruptions

PROPERTY = settings(max_examples=300, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _problems(out) -> list[str]:
    return [f"{f.severity.value} {f.code} {f.fields}: {f.message}" for f in out.findings
            if f.severity in (Severity.error, Severity.warning)]


@PROPERTY
@given(cases())
def test_valid_invoices_are_verified(case: Case) -> None:
    out = verify(case.result, case.options)
    assert _problems(out) == []
    assert out.status is Status.verified
    assert out.invoice == case.invoice


@st.composite
def corrupted_cases(draw):
    case = draw(cases())
    corruption = draw(corruptions(case))
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
