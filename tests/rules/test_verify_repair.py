"""verify(): repair what the rules settle uniquely, let the QR overrule the face, decide the status.

The OCR'd invoices here come with what confirms their header fields and names (a QR stating the header,
without an amount so that the totals are settled by the arithmetic alone; a party master knowing both
parties), unless a test is about what happens without them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fapiao.core.models import KEY_FIELDS, ExtractionResult, FieldSource, FieldValue, Finding, Invoice, Severity, Status
from fapiao.intake.qr_payload import parse_qr_payload
from fapiao.intake.rules.context import KnownNames
from fapiao.intake.verify import VerifyOptions, verify
from tests.rules.helpers import TODAY, D, invoice

PARTIES = KnownNames({"91110000600037341L": ["上海某某信息科技有限公司"], "914403001922038216": ["深圳某某有限公司"]})
OPTIONS = VerifyOptions(today=TODAY, parties=PARTIES)
QR = parse_qr_payload("01,10,011001900111,12345678,100.00,20240315,12345678901234567890,ABCD")
HEADER_QR = object()
"""Default of ``_result``: a QR stating the invoice's own code, number, date and check code, and no amount."""


def _header_qr(inv: Invoice):
    return parse_qr_payload(
        f"01,{inv.type_code},{inv.invoice_code or ''},{inv.invoice_number},,"
        f"{inv.issue_date:%Y%m%d},{inv.check_code or ''},ABCD"
    )


def _result(
    inv: Invoice, source: FieldSource = FieldSource.ocr, confidence: float = 0.99, qr=HEADER_QR
) -> ExtractionResult:
    names = (*KEY_FIELDS, "amount_in_words")
    fields = {
        n: FieldValue(value=getattr(inv, n), confidence=confidence, source=source)
        for n in names
        if getattr(inv, n) is not None
    }
    return ExtractionResult(source="a.pdf", invoice=inv, fields=fields, qr=_header_qr(inv) if qr is HEADER_QR else qr)


def test_valid_invoice_is_verified() -> None:
    out = verify(_result(invoice()), OPTIONS)
    assert out.status is Status.verified and out.findings == []


def test_low_confidence_is_not_verified() -> None:
    assert verify(_result(invoice(), confidence=0.8), OPTIONS).status is Status.needs_review
    assert (
        verify(
            _result(invoice(), confidence=0.8), VerifyOptions(today=TODAY, confidence_threshold=0.75, parties=PARTIES)
        ).status
        is Status.verified
    )


def test_a_confidence_at_the_threshold_is_not_above_it() -> None:
    at = VerifyOptions(today=TODAY, confidence_threshold=0.8, parties=PARTIES)
    assert verify(_result(invoice(), confidence=0.8), at).status is Status.needs_review
    assert verify(_result(invoice(), confidence=0.81), at).status is Status.verified


def test_dropped_decimal_point_is_repaired_from_the_other_totals() -> None:
    inv = invoice(
        items=[invoice().items[0].model_copy(update={"amount": D("205.67"), "tax": D("12.34")})],
        total_amount=D("205.67"),
        total_tax=D("1234"),
        amount_with_tax=D("218.01"),
        amount_in_words="贰佰壹拾捌圆零壹分",
    )
    src = _result(inv)
    out = verify(src, OPTIONS)
    fv = out.fields["total_tax"]
    assert out.invoice.total_tax == D("12.34")
    assert (fv.source, fv.original, fv.confidence, fv.rule) == (FieldSource.corrected, D("1234"), 0.95, "arith.sum_tax")
    assert out.status is Status.verified
    assert src.invoice.total_tax == D("1234") and src.fields["total_tax"].source is FieldSource.ocr  # input untouched


def test_text_layer_values_are_not_repaired() -> None:
    out = verify(_result(invoice(total_tax=D("600")), source=FieldSource.text_layer), OPTIONS)
    assert out.invoice.total_tax == D("600") and out.status is Status.needs_review


def test_two_candidates_are_never_chosen_between() -> None:
    inv = invoice(items=[], total_tax=D("600"), amount_in_words=None)  # only 合计 + 税额 = 价税合计 to go by
    out = verify(_result(inv), OPTIONS)
    assert out.invoice.total_tax == D("600") and out.status is Status.needs_review
    assert "arith.total" in {f.code for f in out.findings}


def test_amount_with_tax_digit_settled_by_words() -> None:
    out = verify(_result(invoice(amount_with_tax=D("186.00"))), OPTIONS)
    assert out.invoice.amount_with_tax == D("106.00") and out.fields["amount_with_tax"].original == D("186.00")
    assert out.status is Status.verified


def test_illegal_character_in_tax_id_is_repaired_with_certainty() -> None:
    out = verify(_result(invoice(buyer_tax_id="9111000060003734IL")), OPTIONS)
    fv = out.fields["buyer_tax_id"]
    assert (out.invoice.buyer_tax_id, fv.original, fv.confidence, fv.rule) == (
        "91110000600037341L",
        "9111000060003734IL",
        0.95,
        "tax_id.format",
    )
    assert out.status is Status.verified


def test_confusable_character_is_only_a_guess() -> None:
    out = verify(_result(invoice(seller_tax_id="91440300192203B216")), OPTIONS)
    assert out.invoice.seller_tax_id == "914403001922038216"
    assert out.fields["seller_tax_id"].confidence < OPTIONS.confidence_threshold
    assert [(f.code, f.severity) for f in out.findings] == [("repair.guess", Severity.warning)]
    assert out.status is Status.needs_review


def test_confusable_character_settled_by_own_ids() -> None:
    opts = VerifyOptions(today=TODAY, own_tax_ids=frozenset({"91110000600037341L"}), parties=PARTIES)
    out = verify(_result(invoice(buyer_tax_id="9I110000600037341L")), opts)
    assert out.invoice.buyer_tax_id == "91110000600037341L" and out.status is Status.verified


def test_checksum_failure_from_text_layer_stays_a_warning() -> None:
    out = verify(_result(invoice(seller_tax_id="914403001922038217"), source=FieldSource.text_layer), OPTIONS)
    assert out.invoice.seller_tax_id == "914403001922038217"
    assert [(f.code, f.severity) for f in out.findings] == [("uscc.checksum", Severity.warning)]
    assert out.status is Status.needs_review


@pytest.mark.parametrize(
    ("source", "severity", "status"),
    [
        (FieldSource.ocr, Severity.info, Status.verified),
        (FieldSource.text_layer, Severity.warning, Status.needs_review),
        (FieldSource.xml, Severity.warning, Status.needs_review),
    ],
)
def test_qr_overrules_the_face(source: FieldSource, severity: Severity, status: Status) -> None:
    out = verify(_result(invoice(invoice_number="12345578"), source=source, qr=QR), OPTIONS)
    fv = out.fields["invoice_number"]
    assert (out.invoice.invoice_number, fv.source, fv.original) == ("12345678", FieldSource.qr, "12345578")
    assert [(f.code, f.severity, f.fields) for f in out.findings] == [("qr.mismatch", severity, ("invoice_number",))]
    assert out.status is status


def test_qr_fills_missing_fields_and_sets_the_type() -> None:
    inv = invoice(check_code=None)
    out = verify(_result(inv, qr=QR), OPTIONS)
    assert out.invoice.check_code == "12345678901234567890" and out.fields["check_code"].source is FieldSource.qr
    assert out.status is Status.verified
    e_special = parse_qr_payload("01,20,011001900113,12345678,100.00,20240315,12345678901234567890,ABCD")
    out = verify(_result(invoice(invoice_code="011001900113"), qr=e_special), OPTIONS)
    assert out.invoice.type_code == "08"


def test_rejected_when_nothing_was_read() -> None:
    assert verify(ExtractionResult(source="x"), OPTIONS).status is Status.rejected
    empty = Invoice(buyer_name="某公司")
    out = verify(ExtractionResult(source="x", invoice=empty), OPTIONS)
    assert out.status is Status.rejected and out.error


def test_missing_key_field_needs_review() -> None:
    out = verify(_result(invoice(seller_name=None)), OPTIONS)
    assert out.status is Status.needs_review
    assert [(f.code, f.fields) for f in out.findings] == [("field.missing", ("seller_name",))]


def test_earlier_findings_are_kept_and_verify_is_idempotent() -> None:
    extra = Finding(code="xml.face_mismatch", severity=Severity.warning, fields=("total_amount",), message="m")
    src = _result(invoice(amount_with_tax=D("186.00"))).model_copy(update={"findings": [extra]})
    once = verify(src, OPTIONS)
    twice = verify(once, OPTIONS)
    assert extra in once.findings and once.status is Status.needs_review
    assert twice.findings == once.findings and twice.invoice == once.invoice


def test_duplicate_needs_review() -> None:
    opts = OPTIONS.with_seen({"011001900111:12345678": "earlier.pdf"}.get)
    out = verify(_result(invoice()), opts)
    assert out.status is Status.needs_review and "duplicate.seen" in {f.code for f in out.findings}


def test_person_buyer_needs_no_id() -> None:
    person = invoice(buyer_name="个人", buyer_tax_id=None)
    assert verify(_result(person, source=FieldSource.text_layer), OPTIONS).status is Status.verified
    out = verify(_result(person), OPTIONS)  # read by OCR: a person's name has no party master entry to confirm it
    assert _unconfirmed(out) == ("buyer_name",) and out.status is Status.needs_review


def test_contract_output_keeps_the_original() -> None:
    out = verify(_result(invoice(total_tax=D("600"))), OPTIONS)
    row = out.to_contract()
    assert row["fields"]["total_tax"]["original"] == "600.00" and row["fields"]["total_tax"]["source"] == "corrected"
    assert row["invoice"]["total_tax"] == "6.00" and isinstance(out.invoice.total_tax, Decimal)


# ---------------------------------------------------------------- what confirms an OCR reading


def _unconfirmed(out) -> tuple[str, ...]:
    return next((f.fields for f in out.findings if f.code == "ocr.unconfirmed"), ())


def test_ocr_reading_with_nothing_to_confirm_it_goes_to_a_person_however_confident() -> None:
    out = verify(_result(invoice(), confidence=0.999, qr=None), VerifyOptions(today=TODAY))
    assert out.status is Status.needs_review
    assert set(_unconfirmed(out)) == {
        "invoice_code",
        "invoice_number",
        "issue_date",
        "check_code",
        "buyer_name",
        "seller_name",
    }  # IDs have check characters; totals tie each other
    (f,) = [f for f in out.findings if f.code == "ocr.unconfirmed"]
    assert f.severity is Severity.warning and "二维码" in f.message_zh


def test_the_same_invoice_from_a_text_layer_needs_no_confirmation() -> None:
    out = verify(_result(invoice(), source=FieldSource.text_layer, qr=None), VerifyOptions(today=TODAY))
    assert out.status is Status.verified and out.findings == []


def test_a_qr_with_only_the_check_code_tail_does_not_confirm_the_check_code() -> None:
    tail = parse_qr_payload("01,10,011001900111,12345678,,20240315,34567890,ABCD")
    out = verify(_result(invoice(), qr=tail), OPTIONS)
    assert _unconfirmed(out) == ("check_code",) and out.status is Status.needs_review


def test_an_old_15_digit_id_is_confirmed_only_by_the_party_master() -> None:
    inv = invoice(seller_tax_id="440300192203821")
    assert "seller_tax_id" in _unconfirmed(verify(_result(inv), OPTIONS))
    knows = VerifyOptions(
        today=TODAY,
        parties=KnownNames(
            {**{t: PARTIES(t) for t in ("91110000600037341L",)}, "440300192203821": ["深圳某某有限公司"]}
        ),
    )
    out = verify(_result(inv), knows)
    assert _unconfirmed(out) == () and out.status is Status.verified


def test_a_name_close_to_the_known_one_is_shown_the_known_name_and_left_as_read() -> None:
    out = verify(_result(invoice(seller_name="深圳某菜有限公司")), OPTIONS)
    assert out.invoice.seller_name == "深圳某菜有限公司" and out.status is Status.needs_review
    assert _unconfirmed(out) == ("seller_name",)
    (close,) = [f for f in out.findings if f.code == "party.close_name"]
    assert (
        close.fields == ("seller_name",)
        and "深圳某某有限公司" in close.message
        and "深圳某某有限公司" in close.message_zh
    )


def test_a_name_with_a_near_twin_in_the_records_is_not_confirmed() -> None:
    twins = KnownNames(
        {
            "91110000600037341L": ["上海某某信息科技有限公司"],
            "914403001922038216": ["深圳某某有限公司", "深圳某茉有限公司"],
        }
    )
    out = verify(_result(invoice()), VerifyOptions(today=TODAY, parties=twins))
    assert _unconfirmed(out) == ("seller_name",) and out.status is Status.needs_review


def test_names_compare_across_full_and_half_width_and_spacing() -> None:
    inv = invoice(seller_name="深圳 某某（南山）有限公司")
    parties = KnownNames(
        {"91110000600037341L": ["上海某某信息科技有限公司"], "914403001922038216": ["深圳某某(南山)有限公司"]}
    )
    out = verify(_result(inv), VerifyOptions(today=TODAY, parties=parties))
    assert _unconfirmed(out) == () and out.status is Status.verified


def _doubtful_tax(inv: Invoice):
    src = _result(inv)
    fields = dict(src.fields)
    fields["total_tax"] = fields["total_tax"].model_copy(update={"confidence": 0.7})
    return src.model_copy(update={"fields": fields})


def test_a_doubtful_total_that_two_other_readings_state_is_confirmed() -> None:
    out = verify(_doubtful_tax(invoice()), OPTIONS)  # 106.00 − 100.00 and the line's 6.00 both say 6.00
    assert out.fields["total_tax"].confidence == 0.95 and out.fields["total_tax"].source is FieldSource.ocr
    assert out.status is Status.verified


def test_a_doubtful_total_with_one_witness_stays_doubtful() -> None:
    out = verify(_doubtful_tax(invoice(items=[], amount_in_words=None)), OPTIONS)  # only 106.00 − 100.00
    assert out.fields["total_tax"].confidence == 0.7 and out.status is Status.needs_review


def test_nothing_is_confirmed_while_a_totals_rule_fails() -> None:
    wrong_line = invoice().items[0].model_copy(update={"tax": D("6.10")})
    out = verify(_doubtful_tax(invoice(items=[wrong_line])), OPTIONS)
    assert out.fields["total_tax"].confidence == 0.7 and out.status is Status.needs_review


def test_messages_name_fields_by_their_labels_and_rules_by_what_they_check() -> None:
    """A clerk reads 合计税额 and 各行税额之和等于合计税额, never total_tax or arith.sum_tax: the codes stay in
    ``code``, ``fields`` and ``FieldValue.rule`` for machines."""
    import re

    from fapiao.core.labels import FIELD_LABELS

    cases = [
        invoice(
            items=[invoice().items[0].model_copy(update={"amount": D("205.67"), "tax": D("12.34")})],
            total_amount=D("205.67"),
            total_tax=D("1234"),
            amount_with_tax=D("218.01"),
            amount_in_words="贰佰壹拾捌圆零壹分",
        ),
        invoice(buyer_tax_id="9111000060003734IL"),
        invoice(seller_tax_id="91440300192203B216"),
        invoice(seller_name="深圳某菜有限公司"),
    ]
    findings = [f for inv in cases for f in verify(_result(inv), OPTIONS).findings]
    findings += verify(_result(invoice(), qr=None), VerifyOptions(today=TODAY)).findings
    by_code = {f.code: f for f in findings}
    assert {"repair.applied", "repair.guess", "party.close_name", "ocr.unconfirmed"} <= set(by_code)
    applied = [f for f in findings if f.code == "repair.applied"]
    assert any(f.message_zh.startswith("合计税额识别为 1234.00") for f in applied), applied
    assert any("（依据：各行税额之和等于合计税额）" in f.message_zh for f in applied), applied
    assert any("(rule: the line taxes add up to the total tax)" in f.message for f in applied), applied
    assert any(f.message_zh.startswith("购买方税号识别为") for f in applied), applied
    assert by_code["repair.guess"].message.startswith("Seller tax ID was read as")
    assert by_code["party.close_name"].message_zh.startswith("销售方名称识别为")
    assert "发票号码" in by_code["ocr.unconfirmed"].message_zh
    for f in findings:
        for text in (f.message, f.message_zh):
            names = [w for w in re.findall(r"[a-z]+(?:_[a-z]+)+", text) if w in FIELD_LABELS]
            assert not names and not re.search(r"\b(arith|uscc|tax_id|resident_id|parties)\.[a-z_]+", text), text


def test_a_total_left_unread_is_filled_when_two_readings_settle_it() -> None:
    # 合计税额 not detected (a 150 dpi photo): 价税合计 − 合计金额 and the lines' taxes both say 6.00
    src = _result(invoice(total_tax=None))
    out = verify(src, OPTIONS)
    fv = out.fields["total_tax"]
    assert out.invoice.total_tax == D("6.00") and (fv.source, fv.confidence) == (FieldSource.corrected, 0.95)
    assert "repair.applied" in {f.code for f in out.findings} and out.status is Status.verified
    (said,) = [f for f in out.findings if f.code == "repair.applied"]
    assert said.message_zh.startswith("合计税额未识别") and said.message.startswith("Total tax was not read")
    # the 合计金额 the same way, from 价税合计 − 合计税额 and the lines' amounts
    assert verify(_result(invoice(total_amount=None)), OPTIONS).invoice.total_amount == D("100.00")


def test_a_masked_tax_left_unread_is_zero_when_the_lines_say_so() -> None:
    # a toll invoice: every line's tax printed ***, the 合计 row's *** not detected
    line = invoice().items[0].model_copy(update={"tax_rate": "***", "tax": None, "amount": D("15.00")})
    inv = invoice(items=[line], total_amount=D("15.00"), total_tax=None, amount_with_tax=D("15.00"))
    out = verify(_result(inv.model_copy(update={"amount_in_words": "壹拾伍圆整"})), OPTIONS)
    assert out.invoice.total_tax == D("0.00")


def test_a_total_left_unread_is_not_filled_from_one_reading() -> None:
    for inv in (
        invoice(total_tax=None, items=[]),  # only 价税合计 − 合计金额
        invoice(total_tax=None, total_amount=None),  # two totals unread
        invoice(total_tax=None, items=[invoice().items[0].model_copy(update={"tax": D("6.10")})]),  # disagree
    ):
        out = verify(_result(inv), OPTIONS)
        assert out.invoice.total_tax is None and out.status is Status.needs_review
    assert verify(_result(invoice(total_tax=None), source=FieldSource.text_layer), OPTIONS).invoice.total_tax is None
