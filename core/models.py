"""The data every stage passes on: invoices, their fields with provenance, findings, and results.

Every stage of the pipeline is a plain function over these models, so the CLI, the API, the drop folder and
the bulk job all speak the same language. Money is always ``Decimal``; JSON output renders it as a string
with two decimals (``"123.45"``), never as a float.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from fapiao.core.messages import Message

BBox = tuple[float, float, float, float]
"""(x0, y0, x1, y1) in page units: PDF points for digital pages, pixels for images."""


class InvoiceType(StrEnum):
    """The invoice family, as named in the CLI contract."""

    special = "special"  # 01 增值税专用发票 (paper)
    normal = "normal"  # 04 增值税普通发票 (paper)
    e_special = "e_special"  # 08 增值税电子专用发票
    e_normal = "e_normal"  # 10 增值税电子普通发票
    roll = "roll"  # 11 卷票
    toll = "toll"  # 14 通行费电子普票
    digital_special = "digital_special"  # 31 数电票 (增值税专用发票)
    digital_normal = "digital_normal"  # 32 数电票 (普通发票)
    motor_vehicle = "motor_vehicle"  # 03 机动车销售统一发票
    used_car = "used_car"  # 15 二手车销售统一发票
    rail = "rail"  # 51 电子发票（铁路电子客票）
    air = "air"  # 61 电子发票（航空运输电子客票行程单）
    unknown = "unknown"


TYPE_CODES: dict[InvoiceType, str] = {
    InvoiceType.special: "01",
    InvoiceType.motor_vehicle: "03",
    InvoiceType.normal: "04",
    InvoiceType.e_special: "08",
    InvoiceType.e_normal: "10",
    InvoiceType.roll: "11",
    InvoiceType.toll: "14",
    InvoiceType.used_car: "15",
    InvoiceType.digital_special: "31",
    InvoiceType.digital_normal: "32",
    InvoiceType.rail: "51",
    InvoiceType.air: "61",
}
TYPE_BY_CODE: dict[str, InvoiceType] = {code: kind for kind, code in TYPE_CODES.items()}

DIGITAL_TYPES = frozenset({InvoiceType.digital_special, InvoiceType.digital_normal})
"""数电票: 20-digit number, no invoice code, no check code."""
TICKET_TYPES = frozenset({InvoiceType.rail, InvoiceType.air})
"""数电 passenger tickets (铁路电子客票, 航空运输电子客票行程单): a 20-digit number, a buyer and a fare; no seller
block, no 合计金额/合计税额 to require."""
TICKET_FIELDS = (
    "passenger",
    "passenger_id",
    "route_from",
    "route_to",
    "trip_number",
    "carrier",
    "seat_class",
    "seat",
    "departure_date",
    "departure_time",
    "fare",
    "fuel_surcharge",
    "aviation_fund",
    "ticket_number",
    "ticket_check_code",
)
"""The Invoice fields only a 数电 passenger ticket (rail / air) prints, in the order a reviewer reads them."""
NUMBER_ONLY_TYPES = DIGITAL_TYPES | TICKET_TYPES
"""Types identified by a 20-digit number alone: no invoice code, no check code."""
NO_CHECK_CODE_TYPES = NUMBER_ONLY_TYPES | {InvoiceType.special, InvoiceType.motor_vehicle}
"""Types that print no 校验码 (paper 专票, 数电票 and 数电 tickets)."""


class FieldSource(StrEnum):
    """Where a field value came from, most trusted first for ``qr``."""

    qr = "qr"
    text_layer = "text_layer"
    ocr = "ocr"
    xml = "xml"
    corrected = "corrected"
    reviewer = "reviewer"


class Severity(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"


class Status(StrEnum):
    """The decision on one invoice, as defined in the CLI contract (see docs/ARCHITECTURE.md)."""

    verified = "verified"
    needs_review = "needs_review"
    rejected = "rejected"


KEY_FIELDS: tuple[str, ...] = (
    "invoice_code",
    "invoice_number",
    "issue_date",
    "check_code",
    "buyer_name",
    "buyer_tax_id",
    "seller_name",
    "seller_tax_id",
    "total_amount",
    "total_tax",
    "amount_with_tax",
)


class TextBox(BaseModel):
    """One piece of positioned text: a PDF word/span, an OFD TextCode, or an OCR line.

    All readers produce these, so one extractor serves every source.
    """

    model_config = ConfigDict(frozen=True)

    text: str
    bbox: BBox
    page: int = 1
    confidence: float = 1.0
    source: FieldSource = FieldSource.text_layer
    alternatives: tuple[str, ...] = ()

    @property
    def x0(self) -> float:
        return self.bbox[0]

    @property
    def y0(self) -> float:
        return self.bbox[1]

    @property
    def x1(self) -> float:
        return self.bbox[2]

    @property
    def y1(self) -> float:
        return self.bbox[3]

    @property
    def cx(self) -> float:
        return (self.bbox[0] + self.bbox[2]) / 2

    @property
    def cy(self) -> float:
        return (self.bbox[1] + self.bbox[3]) / 2

    @property
    def height(self) -> float:
        return self.bbox[3] - self.bbox[1]


class FieldValue(BaseModel):
    """A field's value with where it came from, so a reviewer can be shown the evidence."""

    value: Any = None
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    source: FieldSource = FieldSource.text_layer
    page: int | None = None
    bbox: BBox | None = None
    raw: str | None = None
    original: Any = None
    """The value before a rule-driven repair or a QR override (``source`` then says who decided)."""
    rule: str | None = None
    """The rule code that decided a correction."""
    alternatives: list[str] = Field(default_factory=list)

    @field_serializer("value", "original")
    def _plain(self, v: Any) -> Any:
        return _jsonable(v)


class LineItem(BaseModel):
    """One row of the goods/services table (货物或应税劳务、服务名称 …)."""

    name: str = ""
    spec: str | None = None
    unit: str | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    amount: Decimal | None = None
    tax_rate: str | None = None
    """As printed: "6%", "1.5%", "免税", "不征税"."""
    tax: Decimal | None = None
    """None when the tax column prints "***" (免税 / 不征税)."""
    plate_number: str | None = None
    """通行费: 车牌号."""
    vehicle_type: str | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None

    @field_serializer("amount", "tax")
    def _money(self, v: Decimal | None) -> str | None:
        return money_str(v)

    @field_serializer("quantity", "unit_price")
    def _num(self, v: Decimal | None) -> str | None:
        return None if v is None else _plain_decimal(v)


class Invoice(BaseModel):
    """Every field a back-entry (补录) form needs."""

    invoice_type: InvoiceType = InvoiceType.unknown
    type_code: str | None = None
    title: str | None = None
    """The printed title, e.g. 北京增值税电子普通发票 (used for the region check)."""
    invoice_code: str | None = None
    invoice_number: str | None = None
    issue_date: dt.date | None = None
    check_code: str | None = None
    machine_number: str | None = None
    buyer_name: str | None = None
    buyer_tax_id: str | None = None
    buyer_address_phone: str | None = None
    buyer_bank_account: str | None = None
    seller_name: str | None = None
    seller_tax_id: str | None = None
    seller_address_phone: str | None = None
    seller_bank_account: str | None = None
    total_amount: Decimal | None = None
    total_tax: Decimal | None = None
    amount_with_tax: Decimal | None = None
    amount_in_words: str | None = None
    items: list[LineItem] = Field(default_factory=list)
    remarks: str | None = None
    drawer: str | None = None
    payee: str | None = None
    reviewer: str | None = None
    is_red_letter: bool = False
    # 数电 passenger tickets (rail / air); None on every other type.
    passenger: str | None = None
    """旅客 / 乘车人 / 旅客姓名."""
    passenger_id: str | None = None
    """The ID number as printed, usually masked (4401041988****3723)."""
    route_from: str | None = None
    """出发站 / 自 (station or airport)."""
    route_to: str | None = None
    """到达站 / 至."""
    trip_number: str | None = None
    """车次 (G795) or 航班号 (CA1234)."""
    carrier: str | None = None
    """承运人 (air)."""
    seat_class: str | None = None
    """二等座, 经济舱 …"""
    seat: str | None = None
    """Car and seat (09车07A号)."""
    departure_date: dt.date | None = None
    departure_time: str | None = None
    """HH:MM as printed."""
    fare: Decimal | None = None
    """票价: for rail the whole tax-inclusive price (= amount_with_tax); for air the fare before surcharges."""
    fuel_surcharge: Decimal | None = None
    """燃油附加费 (air)."""
    aviation_fund: Decimal | None = None
    """民航发展基金 (air)."""
    ticket_number: str | None = None
    """电子客票号 / 电子客票号码."""
    ticket_check_code: str | None = None
    """验证码 of an air itinerary (not a VAT 校验码)."""

    @field_serializer("total_amount", "total_tax", "amount_with_tax", "fare", "fuel_surcharge", "aviation_fund")
    def _money(self, v: Decimal | None) -> str | None:
        return money_str(v)

    @field_serializer("issue_date", "departure_date")
    def _date(self, v: dt.date | None) -> str | None:
        return None if v is None else v.isoformat()

    @property
    def buyer_is_person(self) -> bool:
        """A private person buyer (个人) has no tax ID."""
        name = (self.buyer_name or "").strip()
        return name in {"个人", "个人消费者"} or (not self.buyer_tax_id and len(name) <= 4 and "公司" not in name)

    @property
    def key(self) -> str | None:
        """The identity of an invoice: code + number, or the 20-digit 数电 number alone."""
        if not self.invoice_number:
            return None
        return f"{self.invoice_code or ''}:{self.invoice_number}" if self.invoice_code else self.invoice_number


class Finding(BaseModel):
    """One result of a verification rule: stable code, severity, fields involved, bilingual message."""

    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    fields: tuple[str, ...] = ()
    message: str
    """English message."""
    message_zh: str = ""


class QrPayload(BaseModel):
    """The parsed QR code (``01,<type>,<code>,<number>,<amount>,<YYYYMMDD>,<check>,<tail>``)."""

    raw: str
    type_code: str | None = None
    invoice_code: str | None = None
    invoice_number: str | None = None
    amount: Decimal | None = None
    """Tax-exclusive total for 税控 invoices; 价税合计 for 数电 31/32."""
    issue_date: dt.date | None = None
    check_code: str | None = None
    page: int | None = None
    bbox: BBox | None = None

    @field_serializer("amount")
    def _money(self, v: Decimal | None) -> str | None:
        return money_str(v)


class ExtractionResult(BaseModel):
    """One invoice found in one input document (or a rejection of the document)."""

    source: str
    page: int | None = None
    pages: list[int] = Field(default_factory=list)
    status: Status = Status.needs_review
    invoice: Invoice | None = None
    fields: dict[str, FieldValue] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)
    qr: QrPayload | None = None
    error: str | None = None
    error_message: Message | None = Field(default=None, exclude=True)
    """``error``'s message when it is one coded message (the service stores its code for a UI); not in the
    CLI contract."""
    document_kind: str | None = None
    page_images: dict[int, str] = Field(default_factory=dict)
    """Page number → reference of the stored image the boxes were read from (OCR'd pages; set by the service)."""
    timings_ms: dict[str, int] = Field(default_factory=dict)

    def to_contract(self) -> dict[str, Any]:
        """The JSON object printed by ``fapiao extract --json`` (the CLI contract)."""
        out: dict[str, Any] = {"source": self.source, "page": self.page, "status": self.status.value}
        if self.error is not None:
            out["error"] = self.error
        out["invoice"] = self.invoice.model_dump(mode="json") if self.invoice else None
        out["fields"] = {
            name: fv.model_dump(mode="json", exclude_none=True, exclude_defaults=False)
            for name, fv in self.fields.items()
        }
        out["findings"] = [f.model_dump(mode="json") for f in self.findings]
        if self.qr is not None:
            out["qr"] = self.qr.model_dump(mode="json", exclude_none=True)
        out["pages"] = self.pages
        out["document_kind"] = self.document_kind
        if self.page_images:
            out["page_images"] = {str(k): v for k, v in self.page_images.items()}
        out["timings_ms"] = self.timings_ms
        return out


def money_str(v: Decimal | None) -> str | None:
    """Render money with exactly two decimals, as a string."""
    if v is None:
        return None
    return str(v.quantize(Decimal("0.01")))


def _plain_decimal(v: Decimal) -> str:
    """Render a quantity or unit price without exponent and without trailing zeros past the point."""
    s = format(v, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s or "0"


def _jsonable(v: Any) -> Any:
    if isinstance(v, Decimal):
        return money_str(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return v
