"""Inputs and waits shared by the service tests: a digital invoice, 数电 XML invoices, records exports, and
polling a document or a back-fill until it is finished."""

from __future__ import annotations

import time
from decimal import Decimal

from fastapi.testclient import TestClient

from tests.builders import OLD_LABELS, OLD_QR, OLD_VALUES, placed_pdf, with_qr

PDF = with_qr(placed_pdf(OLD_LABELS, OLD_VALUES), OLD_QR)
"""A digital invoice with its QR code (invoice number 12345678)."""

SELLER_ID = "914403001922038216"
XML = """<?xml version="1.0" encoding="UTF-8"?>
<EInvoice><Header><EIid>{number}</EIid></Header>
<EInvoiceData>
<SellerInformation><SellerIdNum>{seller_id}</SellerIdNum><SellerName>上海某某贸易有限公司</SellerName></SellerInformation>
<BuyerInformation><BuyerIdNum>91330106273175535K</BuyerIdNum><BuyerName>思星顺生物技术集团有限公司</BuyerName></BuyerInformation>
<BasicInformation><TotalAmWithoutTax>{amount}</TotalAmWithoutTax><TotalTaxAm>{tax}</TotalTaxAm>
<TotalTax-includedAmount>{total}</TotalTax-includedAmount></BasicInformation>
<IssuItemInformation><ItemName>*信息技术服务*软件开发服务</ItemName><Quantity>1</Quantity><UnPrice>{amount}</UnPrice>
<Amount>{amount}</Amount><TaxRate>0.06</TaxRate><ComTaxAm>{tax}</ComTaxAm></IssuItemInformation>
</EInvoiceData>
<TaxSupervisionInfo><InvoiceNumber>{number}</InvoiceNumber><IssueTime>2024-03-08 10:00:00</IssueTime></TaxSupervisionInfo>
</EInvoice>"""  # noqa: E501
"""A 数电 XML invoice (read without OCR); fill with ``number``, ``amount``, ``tax``, ``total``, ``seller_id``."""

ERP_HEADERS = ["票号", "Supplier", "Supplier Tax ID", "Invoice Date", "Net Amount", "VAT", "Gross Amount", "Status"]
MAPPING = {"invoice_number": "票号"}  # "票号" is no known alias: the automatic mapping cannot read it
BUREAU_HEADERS = "发票代码,发票号码,数电票号码,销方识别号,销方名称,购方识别号,购买方名称,开票日期,金额,税额,价税合计,发票状态,发票票种"  # noqa: E501


def xml(number: str, amount: str, tax: str, seller_id: str = SELLER_ID, pad: str = "") -> bytes:
    total = str(Decimal(amount) + Decimal(tax))
    return (XML.format(number=number, amount=amount, tax=tax, total=total, seller_id=seller_id) + pad).encode()


def csv_bytes(rows: list[list[str]], headers: list[str] = ERP_HEADERS) -> bytes:
    """An ERP ledger export (headers the automatic mapping cannot read: use ``MAPPING``)."""
    lines = [",".join(headers)] + [",".join(r) for r in rows]
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def bureau_export(numbers: list[str]) -> bytes:
    """A tax-bureau export listing the 数电 invoices ``numbers`` (100.00 + 6.00 each, seller SELLER_ID)."""
    rows = [f",,{n},{SELLER_ID},上海某某贸易有限公司,,,2024-03-08,100.00,6.00,106.00,正常," for n in numbers]
    return ("\ufeff" + "\n".join([BUREAU_HEADERS, *rows]) + "\n").encode()


def import_records(client: TestClient, h: dict, data: bytes, **form) -> dict:
    resp = client.post(
        "/api/v1/records/imports",
        headers=h,
        files={"file": ("ledger.csv", data, "text/csv")},
        data={k: v for k, v in form.items()},
    )
    assert resp.status_code in (200, 201), resp.text
    return resp.json()


def wait_done(client: TestClient, doc_id: str, headers: dict, timeout: float = 60) -> dict:
    """The document once its job is done or failed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/documents/{doc_id}", headers=headers).json()
        if body["status"] in {"done", "failed"}:
            return body
        time.sleep(0.1)
    raise AssertionError(f"document {doc_id} still {body['status']} after {timeout} s")


def wait_backfill(client: TestClient, h: dict, bid: str, timeout: float = 90) -> dict:
    """The back-fill once it is done or failed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/backfills/{bid}", headers=h).json()
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.1)
    raise AssertionError(f"back-fill {bid} is still {body['status']}: {body}")
