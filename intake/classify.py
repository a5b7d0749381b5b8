"""Before extraction: is this document a VAT invoice at all?

People upload what they were given for an expense: 财政电子票据 (government fiscal receipts: 非税收入, 医疗收费,
车辆通行费票据), the trip lists of ride-hailing apps (滴滴出行-行程单) and hotel folios. None of them is a VAT
invoice, and reading them as one invents fields. Each is recognised by its title and its own labels; a document
that prints 发票号码/发票代码 or carries a VAT QR payload is never turned away here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fapiao.core.errors import NotAnInvoice
from fapiao.core.messages import Message
from fapiao.core.models import TextBox
from fapiao.intake.extract.text import compact
from fapiao.intake.loaders.base import LoadedPage

_INVOICE_LABELS = ("发票号码", "发票代码")
_AIR_ITINERARY = "航空运输电子客票行程单"

_FISCAL_LABELS = ("票据代码", "票据号码", "交款人", "收款单位", "财政电子票据", "财政部监制", "非税收入")
_TRIP_LABELS = (
    "上车时间",
    "上车地点",
    "下车地点",
    "起点",
    "终点",
    "里程",
    "行程起止日期",
    "行程人手机号",
    "滴滴出行",
    "高德打车",
    "曹操出行",
    "T3出行",
    "首汽约车",
    "美团打车",
    "花小猪",
)
_TRIP_COUNT = re.compile(r"共\d+笔行程")
_FOLIO_LABELS = (
    "房号",
    "房间号",
    "入住日期",
    "入住时间",
    "到达日期",
    "离店日期",
    "离店时间",
    "离开日期",
    "宾客",
    "客人姓名",
    "结账单",
    "宾客账单",
    "房费",
    "ROOMNO",
    "ARRIVAL",
    "DEPARTURE",
    "FOLIO",
    "GUEST",
)


@dataclass(frozen=True)
class OtherDocument:
    """A document that is not a VAT invoice: what it is, in both languages, and what to do with it."""

    what_zh: str
    what_en: str
    todo_zh: str
    todo_en: str

    def error(self, source: str) -> NotAnInvoice:
        return NotAnInvoice(
            Message.of(
                "not_vat_invoice",
                name=source,
                what_zh=self.what_zh,
                what_en=self.what_en,
                todo_zh=self.todo_zh,
                todo_en=self.todo_en,
            ),
            hint=f"{self.todo_zh} / {self.todo_en}",
        )


def reject_other_documents(pages: list[LoadedPage], source: str) -> None:
    """Raise ``NotAnInvoice`` saying what the document is when it is a known kind of non-invoice."""
    other = classify_document(pages)
    if other is not None:
        raise other.error(source)


def classify_document(pages: list[LoadedPage]) -> OtherDocument | None:
    """None for anything that may be an invoice; an ``OtherDocument`` for a recognised non-invoice."""
    boxes = [b for p in pages for b in p.boxes]
    if not boxes:
        return None
    flats = [compact(b.text).upper() for b in boxes]
    text = "".join(flats)
    qr_texts = [q.text.strip() for p in pages for q in p.qr]
    if any(label in text for label in _INVOICE_LABELS) or any(q.startswith("01,") for q in qr_texts):
        return None
    title = _title(pages)
    flat_title = compact(title or "")
    if _AIR_ITINERARY in flat_title:
        return None  # an air itinerary (行程单) is a ticket, read as such
    fiscal = sum(label in text for label in _FISCAL_LABELS)
    fiscal += bool(flat_title and "票据" in flat_title and "发票" not in flat_title)
    fiscal += any(re.match(r"https?://", q) for q in qr_texts) and fiscal > 0
    if fiscal >= 2:
        name = title or "财政电子票据"
        return OtherDocument(
            what_zh=f"财政电子票据（{name}）",
            what_en=f"a 财政电子票据 (government fiscal receipt: {name})",
            todo_zh="请到财政电子票据查验平台查验；报销按财政票据处理，不作为增值税进项发票",
            todo_en="verify it on the 财政 e-receipt platform named on it; it is no input VAT invoice",
        )
    trip = sum(label.upper() in text for label in _TRIP_LABELS) + bool(_TRIP_COUNT.search(text))
    if ("行程单" in text and trip >= 1) or trip >= 3:
        name = title if title and "行程" in title else "网约车行程单"
        return OtherDocument(
            what_zh=f"行程单（{name}）",
            what_en=f"a trip list ({name}) of a ride-hailing app",
            todo_zh="请上传该行程对应的电子发票（通常与行程单一同发送）",
            todo_en="upload the e-invoice issued for these trips (usually sent together with the trip list)",
        )
    folio = sum(label in text for label in _FOLIO_LABELS)
    if folio >= 3:
        return OtherDocument(
            what_zh="酒店账单（宾客账单/结账单）",
            what_en="a hotel folio (guest bill)",
            todo_zh="请向酒店索取增值税发票后上传",
            todo_en="ask the hotel for the VAT invoice and upload that",
        )
    return None


def _title(pages: list[LoadedPage]) -> str | None:
    """The tallest text in the top third of the first page with text (a document's title), topmost on a tie;
    a labelled value ("票据号码：…") is no title."""
    for page in pages:
        top = [
            b
            for b in page.boxes
            if _cy(b) < page.height * 0.33 and len(compact(b.text)) >= 4 and ":" not in compact(b.text)
        ]
        if top:
            best = max(top, key=lambda b: (round(b.bbox[3] - b.bbox[1], 1), -_cy(b)))
            return re.sub(r"\s+", "", best.text)
    return None


def _cy(b: TextBox) -> float:
    return (b.bbox[1] + b.bbox[3]) / 2
