"""What a person calls each field, invoice type and deciding rule, in Chinese and English (zh, en): one table
for the rules' messages (``fapiao.intake``) and the pages (``fapiao.api.ui``), so a finding never names
``total_tax`` or ``arith.sum_tax`` where a clerk reads it. The codes stay the stable names for machines."""

from __future__ import annotations

LANGS = ("zh", "en")

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "invoice_type": ("发票类型", "Invoice type"),
    "title": ("发票标题", "Title"),
    "invoice_code": ("发票代码", "Invoice code"),
    "invoice_number": ("发票号码", "Invoice number"),
    "issue_date": ("开票日期", "Issue date"),
    "check_code": ("校验码", "Check code"),
    "machine_number": ("机器编号", "Machine number"),
    "buyer_name": ("购买方名称", "Buyer name"),
    "buyer_tax_id": ("购买方税号", "Buyer tax ID"),
    "buyer_address_phone": ("购买方地址电话", "Buyer address, phone"),
    "buyer_bank_account": ("购买方开户行及账号", "Buyer bank account"),
    "seller_name": ("销售方名称", "Seller name"),
    "seller_tax_id": ("销售方税号", "Seller tax ID"),
    "seller_address_phone": ("销售方地址电话", "Seller address, phone"),
    "seller_bank_account": ("销售方开户行及账号", "Seller bank account"),
    "total_amount": ("合计金额", "Total amount"),
    "total_tax": ("合计税额", "Total tax"),
    "amount_with_tax": ("价税合计", "Total incl. tax"),
    "amount_in_words": ("价税合计（大写）", "Amount in words"),
    "remarks": ("备注", "Remarks"),
    "drawer": ("开票人", "Drawer"),
    "payee": ("收款人", "Payee"),
    "reviewer": ("复核人", "Reviewer"),
    "passenger": ("旅客", "Passenger"),
    "passenger_id": ("身份证件号码", "Passenger ID number"),
    "route_from": ("出发站", "From"),
    "route_to": ("到达站", "To"),
    "trip_number": ("车次/航班号", "Train / flight number"),
    "carrier": ("承运人", "Carrier"),
    "seat_class": ("座位等级", "Seat class"),
    "seat": ("座位", "Seat"),
    "departure_date": ("乘车/乘机日期", "Departure date"),
    "departure_time": ("开车/起飞时间", "Departure time"),
    "fare": ("票价", "Fare"),
    "fuel_surcharge": ("燃油附加费", "Fuel surcharge"),
    "aviation_fund": ("民航发展基金", "Civil aviation development fund"),
    "ticket_number": ("电子客票号", "E-ticket number"),
    "ticket_check_code": ("验证码", "Verification code"),
    "name": ("名称", "Name"),
    "spec": ("规格型号", "Spec"),
    "unit": ("单位", "Unit"),
    "quantity": ("数量", "Quantity"),
    "unit_price": ("单价", "Unit price"),
    "amount": ("金额", "Amount"),
    "tax_rate": ("税率", "Tax rate"),
    "tax": ("税额", "Tax"),
    "items": ("明细", "Items"),
    "digital_number": ("数电票号码", "Digital invoice number"),
    "status": ("发票状态", "Invoice status"),
    "invoice_kind": ("发票票种", "Invoice kind"),
}

INVOICE_TYPES: dict[str, tuple[str, str]] = {
    "special": ("增值税专用发票", "VAT special invoice"),
    "normal": ("增值税普通发票", "VAT normal invoice"),
    "e_special": ("增值税电子专用发票", "VAT electronic special invoice"),
    "e_normal": ("增值税电子普通发票", "VAT electronic normal invoice"),
    "roll": ("增值税普通发票（卷票）", "VAT roll invoice"),
    "toll": ("通行费电子普通发票", "Toll e-invoice"),
    "digital_special": ("数电票（增值税专用发票）", "Fully digital special invoice"),
    "digital_normal": ("数电票（普通发票）", "Fully digital normal invoice"),
    "motor_vehicle": ("机动车销售统一发票", "Motor vehicle sales invoice"),
    "used_car": ("二手车销售统一发票", "Used car sales invoice"),
    "rail": ("电子发票（铁路电子客票）", "Rail e-ticket (e-invoice)"),
    "air": ("电子发票（航空运输电子客票行程单）", "Air e-ticket itinerary (e-invoice)"),
    "unknown": ("未知类型", "Unknown type"),
}

RULE_LABELS: dict[str, tuple[str, str]] = {
    "arith.sum_amount": ("各行金额之和等于合计金额", "the line amounts add up to the total amount"),
    "arith.sum_tax": ("各行税额之和等于合计税额", "the line taxes add up to the total tax"),
    "arith.total": ("合计金额加合计税额等于价税合计", "total amount plus total tax is the total incl. tax"),
    "words.mismatch": ("价税合计与大写金额一致", "the total incl. tax agrees with the amount in words"),
    "words.unreadable": ("大写金额可读", "the amount in words can be read"),
    "qr.disagree": ("票面与二维码一致", "the face agrees with the QR code"),
    "tax_id.format": ("纳税人识别号只含数字和大写字母", "a tax ID holds only digits and capital letters"),
    "uscc.checksum": ("统一社会信用代码的校验位", "the check character of the unified social credit code"),
    "resident_id.checksum": ("居民身份证号码的校验位", "the check character of the resident ID number"),
    "parties.buyer_not_own": ("购买方是本公司", "the buyer is one of your company's tax IDs"),
    "totals.filled": (
        "其他合计金额与明细一致确定了未识别的合计",
        "the other totals and the lines agree on a total left unread",
    ),
}
"""The rules a repair can name as the one that settled a value (``FieldValue.rule``)."""


def field_label(name: str, lang: str) -> str:
    """``total_tax`` → 合计税额 / Total tax; an items cell ``items[0].tax`` → 第 1 行 税额 / Tax, line 1."""
    if name.startswith("items[") and "]." in name:
        row, col = name[6:].split("].", 1)
        if row.isdigit():
            cell = field_label(col, lang)
            return f"第 {int(row) + 1} 行 {cell}" if lang == "zh" else f"{cell}, line {int(row) + 1}"
    pair = FIELD_LABELS.get(name)
    return pair[LANGS.index(lang)] if pair else name


def rule_label(code: str, lang: str) -> str:
    """A deciding rule as a person reads it (the code itself for a rule not listed)."""
    pair = RULE_LABELS.get(code)
    return pair[LANGS.index(lang)] if pair else code


def type_label(value: str | None, lang: str) -> str:
    """An invoice type (``e_normal``) by its printed name."""
    pair = INVOICE_TYPES.get(value or "unknown")
    return pair[LANGS.index(lang)] if pair else str(value)


def shown_key(key: str | None) -> str:
    """An invoice key as people write it: ``code / number`` (the 数电 number alone), not the stored
    ``code:number``."""
    return (key or "").replace(":", " / ")
