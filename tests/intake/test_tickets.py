"""数电 passenger tickets (铁路电子客票 51, 航空运输电子客票行程单 61) are their own invoice types, with their own
fields and their own key-field set: number, issue date, buyer and fare make them complete."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from fapiao.api.ui.present import present
from fapiao.core.models import InvoiceType, QrPayload, Status
from fapiao.intake.extract.kind import classify
from fapiao.intake.pipeline import Pipeline, PipelineOptions
from fapiao.intake.rules.qr_face import qr_amount_field
from fapiao.intake.verify import VerifyOptions
from tests.builders import placed_pdf, with_qr
from tests.helpers.tickets import (
    AIR_LABELS,
    AIR_NUMBER,
    AIR_QR,
    AIR_VALUES,
    RAIL_LABELS,
    RAIL_NUMBER,
    RAIL_QR,
    RAIL_VALUES,
)

OPTIONS = PipelineOptions(ocr=False, verify=VerifyOptions(today=dt.date(2026, 11, 22)))
REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "real-invoices"


def _one(data: bytes, name: str):
    (result,) = Pipeline(OPTIONS).process_bytes(data, name)
    return result


def test_generated_rail_ticket_is_a_complete_rail_invoice() -> None:
    result = _one(with_qr(placed_pdf(RAIL_LABELS, RAIL_VALUES, width=595, height=397), RAIL_QR), "rail.pdf")
    inv = result.invoice
    assert inv.invoice_type is InvoiceType.rail and inv.type_code == "51"
    assert (inv.invoice_number, inv.issue_date) == (RAIL_NUMBER, dt.date(2025, 4, 25))
    assert inv.buyer_name == "北京某某科技有限公司" and inv.buyer_tax_id == "91110000600037341L"
    assert inv.amount_with_tax == Decimal("128.50") and inv.fare == Decimal("128.50")
    assert inv.total_amount is None and inv.total_tax is None  # the fare is tax-inclusive: never the 合计金额
    assert (inv.route_from, inv.route_to, inv.trip_number) == ("北京南站", "上海虹桥站", "G1234")
    assert (inv.departure_date, inv.departure_time) == (dt.date(2025, 4, 20), "13:17")
    assert (inv.seat, inv.seat_class) == ("09车07A号", "二等座")
    assert (inv.passenger, inv.passenger_id) == ("王小明", "1101011990****1234")
    assert inv.ticket_number == "6581889086041493427732025"
    assert inv.items == []
    assert result.status is Status.verified, [(f.code, f.fields) for f in result.findings]


def test_rail_ticket_without_qr_is_typed_by_its_title() -> None:
    result = _one(placed_pdf(RAIL_LABELS, RAIL_VALUES, width=595, height=397), "rail-no-qr.pdf")
    assert result.invoice.invoice_type is InvoiceType.rail
    assert result.invoice.amount_with_tax == Decimal("128.50")
    assert result.status is Status.verified, [(f.code, f.fields) for f in result.findings]


def test_rail_ticket_with_joined_runs_and_a_bare_train_number() -> None:
    joined = {
        "北京南": "北京南站",
        "上海虹桥": "上海虹桥站",
        "G1234": "1461",
        "1101011990****1234": "1101011990****1234 王小明",
    }
    values = [(x, y, joined.get(t, t)) for x, y, t in RAIL_VALUES if t not in {"站", "王小明", "￥", "128.50"}]
    labels = [(x, y, "票价:￥128.50" if t == "票价:" else t) for x, y, t in RAIL_LABELS]
    inv = _one(placed_pdf(labels, values, width=595, height=397), "rail-joined.pdf").invoice
    assert (inv.route_from, inv.route_to, inv.trip_number) == ("北京南站", "上海虹桥站", "1461")
    assert (inv.passenger, inv.passenger_id) == ("王小明", "1101011990****1234")
    assert inv.amount_with_tax == Decimal("128.50")


def test_rail_ticket_without_its_fare_is_not_verified() -> None:
    values = [v for v in RAIL_VALUES if v[2] not in {"128.50", "￥"}]
    result = _one(placed_pdf(RAIL_LABELS, values, width=595, height=397), "rail-no-fare.pdf")
    assert result.invoice.invoice_type is InvoiceType.rail and result.invoice.amount_with_tax is None
    missing = [f for f in result.findings if f.code == "field.missing"]
    assert [f.fields for f in missing] == [("amount_with_tax",)]
    assert "票价" in missing[0].message_zh
    assert result.status is Status.needs_review


def test_generated_air_itinerary_reads_its_own_fields() -> None:
    result = _one(
        with_qr(placed_pdf(AIR_LABELS, AIR_VALUES, width=595, height=260), AIR_QR, (520, 10, 580, 70)), "a.pdf"
    )
    inv = result.invoice
    assert inv.invoice_type is InvoiceType.air and inv.type_code == "61"
    assert (inv.invoice_number, inv.issue_date) == (AIR_NUMBER, dt.date(2025, 3, 12))
    assert (inv.passenger, inv.passenger_id) == ("李四", "1101011990****1234")
    assert (inv.route_from, inv.route_to) == ("北京首都", "上海虹桥")
    assert (inv.carrier, inv.trip_number, inv.seat_class) == ("国航", "CA1831", "Y")
    assert (inv.departure_date, inv.departure_time) == (dt.date(2025, 3, 15), "08:30")
    assert (inv.fare, inv.fuel_surcharge, inv.aviation_fund) == (
        Decimal("1200.00"),
        Decimal("120.00"),
        Decimal("50.00"),
    )
    assert inv.amount_with_tax == Decimal("1370.00") and inv.total_tax == Decimal("108.26")
    assert inv.total_amount is None
    assert (inv.ticket_number, inv.ticket_check_code) == ("7812345678901", "1234")
    assert inv.buyer_name == "北京某某科技有限公司"
    assert result.status is Status.verified, [(f.code, f.fields) for f in result.findings]


def test_an_invoice_mentioning_an_e_ticket_number_is_no_ticket() -> None:
    from tests.builders import OLD_LABELS, OLD_VALUES

    values = [*OLD_VALUES, (440, 330, "电子客票号:6581889086041493427732025")]
    result = _one(placed_pdf(OLD_LABELS, values), "agency.pdf")
    assert result.invoice.invoice_type is InvoiceType.e_normal and result.invoice.total_amount == Decimal("90.00")
    assert result.invoice.ticket_number is None and len(result.invoice.items) == 2


def test_ticket_types_come_from_qr_and_title_and_a_receipt_title_is_no_toll_invoice() -> None:
    assert classify(None, None, RAIL_NUMBER, "51") is InvoiceType.rail
    assert classify(None, None, AIR_NUMBER, "61") is InvoiceType.air
    assert classify("电子发票（铁路电子客票）", None, RAIL_NUMBER, None) is InvoiceType.rail
    assert classify("电子发票(航空运输电子客票行程单)", None, None, None) is InvoiceType.air
    assert classify("江苏省车辆通行费票据（电子）", None, "0007445174", None) is InvoiceType.unknown
    assert classify("广东通行费增值税电子普通发票", "044001900112", "12345678", None) is InvoiceType.toll


def test_the_qr_amount_of_a_ticket_is_the_tax_inclusive_fare() -> None:
    from fapiao.core.models import Invoice

    for code in ("51", "61"):
        qr = QrPayload(raw="", type_code=code, amount=Decimal("10.00"))
        assert qr_amount_field(qr, Invoice()) == "amount_with_tax"


def test_review_screen_shows_the_trip_only_for_tickets() -> None:
    result = _one(with_qr(placed_pdf(RAIL_LABELS, RAIL_VALUES, width=595, height=397), RAIL_QR), "rail.pdf")
    view = result.to_contract()
    groups = dict(present(view, "zh", 0.9)["groups"])
    assert [r.value for r in groups["grp.trip"] if r.name in {"route_from", "trip_number"}] == ["北京南站", "G1234"]
    view["invoice"]["invoice_type"] = "digital_normal"
    assert "grp.trip" not in dict(present(view, "en", 0.9)["groups"])


def _truth() -> dict[str, dict[str, str]]:
    with (REAL / "truth.tsv").open(encoding="utf-8") as f:
        return {row["file"]: row for row in csv.DictReader(f, delimiter="\t")}


@pytest.mark.skipif(not REAL.is_dir(), reason="the real invoice set ../shared/real-invoices is not present")
@pytest.mark.parametrize("name", ["rail_001.pdf", "rail_002.pdf"])
def test_real_rail_tickets_are_rail_and_verified(name: str) -> None:
    truth = _truth()[name]
    result = Pipeline(OPTIONS).process_path(REAL / "files" / name)[0]
    inv = result.invoice
    assert inv.invoice_type is InvoiceType.rail
    assert inv.invoice_number == truth["invoice_number"]
    assert inv.issue_date == dt.date.fromisoformat(truth["issue_date"])
    assert inv.buyer_name == truth["buyer_name"]
    assert inv.amount_with_tax == Decimal(truth["amount_with_tax"]) == inv.fare
    assert inv.total_amount is None
    assert inv.route_from and inv.route_from.endswith("站") and inv.trip_number and inv.seat_class
    assert result.status is Status.verified, [(f.code, f.fields) for f in result.findings]


def test_a_ticket_qr_type_on_an_invoice_with_a_code_is_not_believed():
    """A specimen OFD's QR states type 51 (rail) beside a 12-digit invoice code: a coded invoice is no ticket,
    so its printed title decides and the QR rules report the disagreement."""
    from fapiao.core.models import InvoiceType
    from fapiao.intake.extract.kind import classify, qr_kind

    assert qr_kind("51", "011001600111") is None
    assert qr_kind("51", None) is InvoiceType.rail
    assert qr_kind("10", None) is None and qr_kind("10", "011001600111") is InvoiceType.e_normal
    assert classify("北京增值税电子普通发票", "011001600111", "05912036", "51") is InvoiceType.e_normal
