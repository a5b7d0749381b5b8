"""GB/T 33190 OFD e-invoices: the same canvas pages written as OFD XML in millimetres, inside a zip.

Layout of the package: ``OFD.xml`` → ``Doc_0/Document.xml`` → ``Doc_0/Pages/Page_N/Content.xml`` with the
form layer before the data layer (``ofd:TextObject`` / ``ofd:TextCode X Y DeltaX``), fonts in
``Doc_0/PublicRes.xml``, the QR image in ``Doc_0/DocumentRes.xml``; old-type invoices also carry
``Doc_0/Attachs/original_invoice.xml`` like the files the 税控 platforms issued.
"""

from __future__ import annotations

import io
import random
import zipfile
from xml.sax.saxutils import escape, quoteattr

from fapiao.core.models import DIGITAL_TYPES, Invoice
from samples.generator import fmt, ids
from samples.generator.canvas import CrossCircle, Line, PageSpec, QrCode, Text, text_width
from samples.generator.layouts import Rendered, layout_invoice
from samples.generator.qr import qr_png

NS = "http://www.ofdspec.org/2016"
MM = 25.4 / 72
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


def render_ofd(invoice: Invoice, rng: random.Random) -> bytes:
    return build_ofd(invoice, rng)[0]


def build_ofd(invoice: Invoice, rng: random.Random) -> tuple[bytes, Rendered]:
    rendered = layout_invoice(invoice, rng)
    files = _package(rendered, rng)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        stamp = invoice.issue_date.timetuple()[:6]  # fixed timestamps: same seed, same bytes
        for name, data in files.items():
            z.writestr(zipfile.ZipInfo(name, stamp), data, zipfile.ZIP_DEFLATED)
    return buf.getvalue(), rendered


def _package(r: Rendered, rng: random.Random) -> dict[str, bytes | str]:
    inv = r.invoice
    ids_ = _Ids()
    fonts = {"song": ids_.next(), "mono": ids_.next()}
    qr_res = ids_.next()
    pages = [_content(p, fonts, qr_res, ids_, r.style.embedded) for p in r.pages]
    page_ids = [ids_.next() for _ in pages]
    files: dict[str, bytes | str] = {
        "OFD.xml": _ofd_xml(inv, rng),
        "Doc_0/Document.xml": _document(
            r.pages[0], page_ids, ids_.value, attachments=inv.invoice_type not in DIGITAL_TYPES
        ),
        "Doc_0/PublicRes.xml": _public_res(fonts),
        "Doc_0/DocumentRes.xml": _document_res(qr_res),
        "Doc_0/Res/qr.png": qr_png(r.qr, 4),
    }
    for i, xml in enumerate(pages):
        files[f"Doc_0/Pages/Page_{i}/Content.xml"] = xml
    if inv.invoice_type not in DIGITAL_TYPES:
        files["Doc_0/Attachs/Attachments.xml"] = _attachments()
        files["Doc_0/Attachs/original_invoice.xml"] = original_invoice_xml(inv, rng)
    return files


class _Ids:
    def __init__(self) -> None:
        self.value = 0

    def next(self) -> int:
        self.value += 1
        return self.value


def _n(v: float) -> str:
    return f"{v:.3f}".rstrip("0").rstrip(".")


def _rgb(c: tuple[float, float, float]) -> str:
    return " ".join(str(round(v * 255)) for v in c)


def _ofd_xml(inv: Invoice, rng: random.Random) -> str:
    custom = ""
    if rng.random() < 0.6:  # many issuers repeat the key fields as document metadata
        data = {
            "发票代码": inv.invoice_code,
            "发票号码": inv.invoice_number,
            "开票日期": fmt.date_cn(inv.issue_date, _CN),
            "校验码": inv.check_code,
            "合计金额": fmt.money(inv.total_amount),
            "合计税额": fmt.money(inv.total_tax),
            "购买方纳税人识别号": inv.buyer_tax_id,
            "销售方纳税人识别号": inv.seller_tax_id,
        }
        custom = (
            "<ofd:CustomDatas>"
            + "".join(f"<ofd:CustomData Name={quoteattr(k)}>{escape(v)}</ofd:CustomData>" for k, v in data.items() if v)
            + "</ofd:CustomDatas>"
        )
    return (
        f'{HEAD}<ofd:OFD xmlns:ofd="{NS}" Version="1.1" DocType="OFD"><ofd:DocBody><ofd:DocInfo>'
        f"<ofd:DocID>{ids.digits(rng, 32)}</ofd:DocID><ofd:Creator>fapiao sample generator</ofd:Creator>"
        f"<ofd:CreationDate>{inv.issue_date.isoformat()}</ofd:CreationDate>{custom}</ofd:DocInfo>"
        "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
    )


class _CnStyle:
    date_format = "cn"


_CN = _CnStyle()


def _document(first: PageSpec, page_ids: list[int], max_id: int, attachments: bool) -> str:
    box = f"0 0 {_n(first.width * MM)} {_n(first.height * MM)}"
    pages = "".join(f'<ofd:Page ID="{pid}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i, pid in enumerate(page_ids))
    att = "<ofd:Attachments>Attachs/Attachments.xml</ofd:Attachments>" if attachments else ""
    return (
        f'{HEAD}<ofd:Document xmlns:ofd="{NS}"><ofd:CommonData><ofd:MaxUnitID>{max_id}</ofd:MaxUnitID>'
        f"<ofd:PageArea><ofd:PhysicalBox>{box}</ofd:PhysicalBox></ofd:PageArea>"
        "<ofd:PublicRes>PublicRes.xml</ofd:PublicRes><ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes>"
        f"</ofd:CommonData><ofd:Pages>{pages}</ofd:Pages>{att}</ofd:Document>"
    )


def _public_res(fonts: dict[str, int]) -> str:
    return (
        f'{HEAD}<ofd:Res xmlns:ofd="{NS}" BaseLoc="Res"><ofd:Fonts>'
        f'<ofd:Font ID="{fonts["song"]}" FontName="宋体" FamilyName="宋体"/>'
        f'<ofd:Font ID="{fonts["mono"]}" FontName="Courier New" FamilyName="Courier New" FixedWidth="true"/>'
        "</ofd:Fonts></ofd:Res>"
    )


def _document_res(qr_res: int) -> str:
    return (
        f'{HEAD}<ofd:Res xmlns:ofd="{NS}" BaseLoc="Res"><ofd:MultiMedias>'
        f'<ofd:MultiMedia ID="{qr_res}" Type="Image" Format="PNG"><ofd:MediaFile>qr.png</ofd:MediaFile>'
        "</ofd:MultiMedia></ofd:MultiMedias></ofd:Res>"
    )


def _attachments() -> str:
    return (
        f'{HEAD}<ofd:Attachments xmlns:ofd="{NS}"><ofd:Attachment ID="1" Name="original_invoice" '
        'Format="xml" Visible="false"><ofd:FileLoc>original_invoice.xml</ofd:FileLoc></ofd:Attachment>'
        "</ofd:Attachments>"
    )


def _content(page: PageSpec, fonts: dict[str, int], qr_res: int, ids_: _Ids, embedded: bool) -> str:
    layers: dict[int, list[str]] = {0: [], 1: []}
    for op in page.ordered():
        layers[op.layer].append(_op(op, fonts, qr_res, ids_, embedded))
    box = f"0 0 {_n(page.width * MM)} {_n(page.height * MM)}"
    body = "".join(
        f'<ofd:Layer ID="{ids_.next()}" Type="{"Background" if k == 0 else "Body"}">{"".join(v)}</ofd:Layer>'
        for k, v in layers.items()
    )
    return (
        f'{HEAD}<ofd:Page xmlns:ofd="{NS}"><ofd:Area><ofd:PhysicalBox>{box}</ofd:PhysicalBox></ofd:Area>'
        f"<ofd:Content>{body}</ofd:Content></ofd:Page>"
    )


def _op(op, fonts: dict[str, int], qr_res: int, ids_: _Ids, embedded: bool) -> str:
    if isinstance(op, Text):
        return _text(op, fonts, ids_.next(), embedded)
    if isinstance(op, Line):
        x0, y0 = min(op.x0, op.x1) * MM, min(op.y0, op.y1) * MM
        w, h = abs(op.x1 - op.x0) * MM, abs(op.y1 - op.y0) * MM
        return (
            f'<ofd:PathObject ID="{ids_.next()}" Boundary="{_n(x0)} {_n(y0)} {_n(w + 0.01)} {_n(h + 0.01)}" '
            f'LineWidth="{_n(op.width * MM)}"><ofd:StrokeColor Value="{_rgb(op.color)}"/>'
            f"<ofd:AbbreviatedData>M {_n(op.x0 * MM - x0)} {_n(op.y0 * MM - y0)} "
            f"L {_n(op.x1 * MM - x0)} {_n(op.y1 * MM - y0)}</ofd:AbbreviatedData></ofd:PathObject>"
        )
    if isinstance(op, CrossCircle):
        return _text(Text(op.x, op.y, "ⓧ", op.size, op.layer, op.color), fonts, ids_.next(), embedded)
    if isinstance(op, QrCode):
        s = _n(op.size * MM)
        return (
            f'<ofd:ImageObject ID="{ids_.next()}" Boundary="{_n(op.x * MM)} {_n(op.y * MM)} {s} {s}" '
            f'CTM="{s} 0 0 {s} 0 0" ResourceID="{qr_res}"/>'
        )
    raise TypeError(op)


def _text(op: Text, fonts: dict[str, int], oid: int, embedded: bool) -> str:
    size = op.size * MM
    lines = (op.text, *op.lines)
    lead = op.size * 1.25 * MM
    width = max(text_width(t, op.size, op.spacing, embedded) for t in lines) * MM
    top = op.y * MM - size * 0.88
    font = fonts["mono"] if op.text.isascii() and op.text.replace(" ", "").isdigit() and not op.lines else fonts["song"]
    codes = "".join(
        f'<ofd:TextCode X="0" Y="{_n(size * 0.88 + k * lead)}"{_delta(t, op, embedded)}>{escape(t)}</ofd:TextCode>'
        for k, t in enumerate(lines)
    )
    return (
        f'<ofd:TextObject ID="{oid}" Boundary="{_n(op.x * MM)} {_n(top)} {_n(width + 0.5)} '
        f'{_n(size * 1.2 + lead * len(op.lines))}" Font="{font}" Size="{_n(size)}">'
        f'<ofd:FillColor Value="{_rgb(op.color)}"/>{codes}</ofd:TextObject>'
    )


def _delta(text: str, op: Text, embedded: bool) -> str:
    """DeltaX: the advance after each character but the last, in mm, with the ``g`` shorthand for runs."""
    if len(text) < 2:
        return ""
    adv = [_n((text_width(ch, op.size, 0, embedded) + op.spacing) * MM) for ch in text[:-1]]
    out, i = [], 0
    while i < len(adv):
        j = i
        while j < len(adv) and adv[j] == adv[i]:
            j += 1
        out.append(f"g {j - i} {adv[i]}" if j - i > 1 else adv[i])
        i = j
    return f' DeltaX="{" ".join(out)}"'


def original_invoice_xml(inv: Invoice, rng: random.Random) -> str:
    """The structured copy old e-invoice OFDs embed (fp: namespace)."""

    def el(tag: str, value) -> str:
        return f"<fp:{tag}>{escape(str(value)) if value not in (None, '') else ''}</fp:{tag}>"

    goods = "".join(
        "<fp:GoodsInfo>"
        + el("Item", it.name)
        + el("Specification", it.spec)
        + el("MeasurementDimension", it.unit)
        + el("Price", fmt.number(it.unit_price, _PlainStyle))
        + el("Quantity", fmt.number(it.quantity, _PlainStyle))
        + el("Amount", fmt.money(it.amount))
        + el("TaxScheme", it.tax_rate)
        + el("TaxAmount", fmt.tax(it.tax, it.tax_rate))
        + "</fp:GoodsInfo>"
        for it in inv.items
    )
    return (
        HEAD
        + '<eInvoice xmlns:fp="http://www.edrm.org.cn/schema/e-invoice/2019">'
        + el("DocID", ids.digits(rng, 20))
        + el("TypeCode", inv.type_code)
        + el("InvoiceCode", inv.invoice_code)
        + el("InvoiceNo", inv.invoice_number)
        + el("IssueDate", inv.issue_date.strftime("%Y%m%d"))
        + el("InvoiceCheckCode", inv.check_code)
        + el("MachineNo", inv.machine_number)
        + el("TaxControlCode", "".join(ids.cipher_rows(rng)))
        + "<fp:Buyer>"
        + el("BuyerName", inv.buyer_name)
        + el("BuyerTaxID", inv.buyer_tax_id)
        + el("BuyerAddrTel", inv.buyer_address_phone)
        + el("BuyerFinancialAccount", inv.buyer_bank_account)
        + "</fp:Buyer><fp:Seller>"
        + el("SellerName", inv.seller_name)
        + el("SellerTaxID", inv.seller_tax_id)
        + el("SellerAddrTel", inv.seller_address_phone)
        + el("SellerFinancialAccount", inv.seller_bank_account)
        + "</fp:Seller>"
        + el("TaxInclusiveTotalAmount", fmt.money(inv.amount_with_tax))
        + el("TaxExclusiveTotalAmount", fmt.money(inv.total_amount))
        + el("TaxTotalAmount", fmt.money(inv.total_tax))
        + el("Note", inv.remarks)
        + el("InvoiceClerk", inv.drawer)
        + el("Payee", inv.payee)
        + el("Checker", inv.reviewer)
        + f"<fp:GoodsInfos>{goods}</fp:GoodsInfos></eInvoice>"
    )


class _PlainStyle:
    pad_prices = False
