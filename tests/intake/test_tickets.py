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

OPTIONS = PipelineOptions(ocr=False, verify=VerifyOptions(today=dt.date(2026, 11, 22)))
REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "real-invoices"

RAIL_NUMBER = "25119165818000921016"
RAIL_QR = f"01,51,,{RAIL_NUMBER},128.50,20250425,,b601"

# The real rail ticket's face: title, number/date with labels, then the route, train, departure and seat
# printed without labels, the fare, the masked ID with the passenger, the ticket number and the buyer.
RAIL_LABELS = [
    (180, 32, "电子发票（铁路电子客票）"),
    (25, 56, "发票号码:"),
    (430, 56, "开票日期:"),
    (25, 178, "票价:"),
    (25, 288, "电子客票号:"),
    (25, 312, "购买方名称:"),
    (320, 312, "统一社会信用代码:"),
]
RAIL_VALUES = [
    (70, 56, RAIL_NUMBER),
    (475, 56, "2025年04月25日"),
    (96, 98, "北京南"),
    (123, 98, "站"),
    (270, 98, "G1234"),
    (400, 98, "上海虹桥"),
    (436, 98, "站"),
    (98, 118, "Beijingnan"),
    (25, 143, "2025年04月20日"),
    (125, 143, "13:17开"),
    (212, 143, "09车07A号"),
    (360, 143, "二等座"),
    (55, 178, "￥"),
    (73, 178, "128.50"),
    (25, 232, "1101011990****1234"),
    (212, 232, "王小明"),
    (90, 288, "6581889086041493427732025"),
    (92, 312, "北京某某科技有限公司"),
    (405, 312, "91110000600037341L"),
]

AIR_NUMBER = "25117000000012345678"
AIR_QR = f"01,61,,{AIR_NUMBER},1370.00,20250312,,a1b2"
# The public layout of 电子发票（航空运输电子客票行程单）: labelled header lines, a route table whose header row
# carries the labels and whose rows carry the values, the fare row under its labels, then 合计.
AIR_LABELS = [
    (150, 30, "电子发票（航空运输电子客票行程单）"),
    (400, 50, "发票号码："),
    (400, 64, "开票日期："),
    (20, 84, "旅客姓名："),
    (200, 84, "有效身份证件号码："),
    (20, 110, "自"),
    (20, 124, "至"),
    (160, 98, "承运人"),
    (220, 98, "航班号"),
    (300, 98, "座位等级"),
    (370, 98, "日期"),
    (440, 98, "时间"),
    (20, 150, "票价"),
    (100, 150, "燃油附加费"),
    (180, 150, "增值税税率"),
    (250, 150, "增值税税额"),
    (330, 150, "民航发展基金"),
    (420, 150, "其他税费"),
    (490, 150, "合计"),
    (20, 190, "电子客票号码："),
    (300, 190, "验证码："),
    (20, 214, "购买方名称："),
    (300, 214, "统一社会信用代码："),
]
AIR_VALUES = [
    (460, 50, AIR_NUMBER),
    (460, 64, "2025年03月12日"),
    (75, 84, "李四"),
    (290, 84, "1101011990****1234"),
    (40, 110, "北京首都"),
    (40, 124, "上海虹桥"),
    (160, 110, "国航"),
    (220, 110, "CA1831"),
    (305, 110, "Y"),
    (370, 110, "2025-03-15"),
    (440, 110, "08:30"),
    (20, 164, "1200.00"),
    (100, 164, "120.00"),
    (180, 164, "9%"),
    (250, 164, "108.26"),
    (330, 164, "50.00"),
    (420, 164, "0.00"),
    (490, 164, "1370.00"),
    (95, 190, "7812345678901"),
    (345, 190, "1234"),
    (85, 214, "北京某某科技有限公司"),
    (400, 214, "91110000600037341L"),
]


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
