"""Small documents the loader and parser tests share."""

from __future__ import annotations

import io
import zipfile

EINVOICE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<EInvoice>
  <Header><EIid>24312000000136634917</EIid></Header>
  <EInvoiceData>
    <SellerInformation><SellerIdNum>91110000600037341L</SellerIdNum><SellerName>北京测试科技有限公司</SellerName></SellerInformation>
    <BuyerInformation><BuyerIdNum>914403001922038216</BuyerIdNum><BuyerName>深圳测试贸易有限公司</BuyerName></BuyerInformation>
    <BasicInformation><TotalAmWithoutTax>100.00</TotalAmWithoutTax><TotalTaxAm>6.00</TotalTaxAm>
      <TotalTax-includedAmount>106.00</TotalTax-includedAmount>
      <TotalTax-includedAmountInChinese>壹佰零陆圆整</TotalTax-includedAmountInChinese></BasicInformation>
    <IssuItemInformation><ItemName>*信息技术服务*软件服务</ItemName><Quantity>1</Quantity><UnPrice>100</UnPrice>
      <Amount>100.00</Amount><TaxRate>0.06</TaxRate><ComTaxAm>6.00</ComTaxAm></IssuItemInformation>
  </EInvoiceData>
  <TaxSupervisionInfo><InvoiceNumber>24312000000136634917</InvoiceNumber><IssueTime>2024-05-14 10:11:12</IssueTime></TaxSupervisionInfo>
</EInvoice>""".encode()  # noqa: E501


def zip_of(members: dict[str, bytes]) -> bytes:
    """A zip archive (deflated) holding ``members``, name → bytes, in order."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()
