"""Hand-placed invoice PDFs for tests: labels and values at given positions, in a given drawing order."""

from __future__ import annotations

import pymupdf

Placed = tuple[float, float, str]


def placed_pdf(
    labels: list[Placed],
    values: list[Placed],
    *,
    size: float = 9,
    width: float = 680,
    height: float = 400,
    values_first: bool = False,
) -> bytes:
    doc = pymupdf.open()
    page = doc.new_page(width=width, height=height)
    order = (values + labels) if values_first else (labels + values)
    for x, y, text in order:
        page.insert_text((x, y), text, fontname="china-s", fontsize=size)
    return doc.tobytes()


OLD_LABELS: list[Placed] = [
    (250, 40, "北京增值税电子普通发票"),
    (470, 40, "发票代码："),
    (470, 55, "发票号码："),
    (470, 70, "开票日期："),
    (400, 85, "校 验 码："),
    (20, 120, "购"),
    (20, 132, "买"),
    (20, 144, "方"),
    (40, 110, "名    称："),
    (40, 125, "纳税人识别号："),
    (30, 180, "货物或应税劳务、服务名称"),
    (180, 180, "规格型号"),
    (250, 180, "单位"),
    (300, 180, "数量"),
    (360, 180, "单价"),
    (440, 180, "金额"),
    (520, 180, "税率"),
    (600, 180, "税额"),
    (60, 260, "合    计"),
    (30, 280, "价税合计（大写）"),
    (450, 280, "（小写）"),
    (20, 300, "销"),
    (20, 312, "售"),
    (20, 324, "方"),
    (40, 300, "名    称："),
    (40, 315, "纳税人识别号："),
    (420, 300, "备"),
    (420, 320, "注"),
    (300, 370, "开票人："),
]
OLD_VALUES: list[Placed] = [
    (530, 40, "011001900111"),
    (530, 55, "12345678"),
    (530, 70, "2019  07  20"),
    (450, 85, "12345 67890 12345 67890"),
    (110, 110, "北京某某科技有限公司（海淀分公司）"),
    (110, 125, "91110000600037341L"),
    (110, 300, "上海某某贸易有限公司"),
    (110, 315, "914403001922038216"),
    (30, 200, "*信息技术服务*软件开发"),
    (30, 212, "服务"),
    (250, 200, "次"),
    (305, 200, "2"),
    (355, 200, "50.00"),
    (440, 200, "100.00"),
    (525, 200, "6%"),
    (600, 200, "6.00"),
    (30, 225, "*信息技术服务*软件开发服务"),
    (440, 225, "-10.00"),
    (525, 225, "6%"),
    (600, 225, "-0.60"),
    (440, 260, "¥90.00"),
    (600, 260, "¥5.40"),
    (120, 280, "ⓧ玖拾伍圆肆角整"),
    (500, 280, "¥95.40"),
    (440, 300, "订单号 123"),
    (340, 370, "张三"),
]


def qr_png(payload: str, scale: int = 4) -> bytes:
    """A QR code image (PNG bytes) with a quiet zone, as printed on e-invoices."""
    import cv2
    import numpy as np
    import zxingcpp

    img = np.array(zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode).to_image(scale=scale))
    img = cv2.copyMakeBorder(img, 16, 16, 16, 16, cv2.BORDER_CONSTANT, value=255)
    return cv2.imencode(".png", img)[1].tobytes()


def with_qr(pdf: bytes, payload: str, rect: tuple[float, float, float, float] = (20, 15, 80, 75)) -> bytes:
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    doc[0].insert_image(pymupdf.Rect(*rect), stream=qr_png(payload))
    return doc.tobytes()


OLD_QR = "01,10,011001900111,12345678,90.00,20190720,12345678901234567890,ABCD,"
