"""Invoice-like test pages rendered with PyMuPDF: a brown form, black data, a QR code, known text.

Not a faithful invoice generator (samples/generator is that); just enough layout — form lines, labels, data
in cells, a QR code in the corner — to exercise cropping, orientation and OCR with known ground truth.
"""

from __future__ import annotations

import cv2
import numpy as np
import pymupdf
import zxingcpp

FORM = (0.55, 0.30, 0.15)
INK = (0.0, 0.0, 0.0)
QR_TEXT = "01,04,044001900111,{number},1234.50,20240315,51234567890123456789,A1B2,"


def render_page(seed: int = 0, dpi: int = 200, with_qr: bool = True) -> tuple[np.ndarray, dict[str, str]]:
    """A 240 × 140 mm invoice-like page as BGR pixels, plus the data texts printed on it."""
    rng = np.random.default_rng(seed)
    number = f"{rng.integers(10_000_000, 99_999_999)}"
    truth = {
        "title": "北京增值税普通发票",
        "invoice_code": f"0440{rng.integers(10_000_000, 99_999_999)}",
        "invoice_number": number,
        "issue_date": f"2024年{rng.integers(1, 13):02d}月{rng.integers(1, 29):02d}日",
        "check_code": " ".join(f"{rng.integers(10000, 99999)}" for _ in range(4)),
        "buyer_name": ["北京示例科技有限公司", "上海测试贸易有限公司", "广州样本信息技术有限公司"][seed % 3],
        "buyer_tax_id": "91110108MA01ABCD2X",
        "seller_name": ["深圳演示电子有限公司", "杭州模拟软件有限公司", "成都虚构餐饮管理有限公司"][seed % 3],
        "seller_tax_id": "91440300MA5FXYZ12K",
        "item": ["*信息技术服务*软件服务费", "*餐饮服务*餐费", "*电子元件*电阻器"][seed % 3],
        "amount": f"{rng.integers(100, 99999)}.{rng.integers(0, 99):02d}",
        "total_words": "壹仟贰佰叁拾肆圆伍角整",
    }
    doc = pymupdf.open()
    page = doc.new_page(width=680, height=397)

    def label(x, y, text, size=8.0):
        page.insert_text((x, y), text, fontname="china-s", fontsize=size, color=FORM)

    def data(x, y, text, size=9.0):
        page.insert_text((x, y), text, fontname="china-s", fontsize=size, color=INK)

    page.insert_text((235, 38), truth["title"], fontname="china-s", fontsize=18, color=FORM)
    page.draw_line((240, 46), (440, 46), color=FORM, width=0.8)
    page.draw_line((240, 49), (440, 49), color=FORM, width=0.8)
    label(470, 30, "发票代码：")
    data(520, 30, truth["invoice_code"])
    label(470, 46, "发票号码：")
    data(520, 46, truth["invoice_number"])
    label(470, 62, "开票日期：")
    data(520, 62, truth["issue_date"])
    label(40, 78, "校 验 码：")
    data(90, 78, truth["check_code"])

    x0, x1 = 30, 650
    rows = [86, 146, 236, 254, 274, 334, 372]
    page.draw_rect(pymupdf.Rect(x0, rows[0], x1, rows[-1]), color=FORM, width=1.2)
    for y in rows[1:-1]:
        page.draw_line((x0, y), (x1, y), color=FORM, width=0.8)
    page.draw_line((50, rows[0]), (50, rows[1]), color=FORM, width=0.8)
    page.draw_line((50, rows[4]), (50, rows[5]), color=FORM, width=0.8)
    page.draw_line((400, rows[0]), (400, rows[1]), color=FORM, width=0.8)
    label(35, 105, "购", 9), label(35, 118, "买", 9), label(35, 131, "方", 9)
    label(55, 100, "名      称：")
    data(125, 100, truth["buyer_name"])
    label(55, 114, "纳税人识别号：")
    data(125, 114, truth["buyer_tax_id"])
    label(55, 128, "地 址、电 话：")
    data(125, 128, "北京市海淀区中关村大街1号 010-12345678", 8)
    label(55, 142, "开户行及账号：")
    data(125, 142, "中国银行北京分行 1234567890123", 8)
    label(410, 100, "密码区")
    data(440, 100, "03<*>+-/98>>12*/+<6<78-/", 8)
    headers = [
        (40, "货物或应税劳务、服务名称"),
        (190, "规格型号"),
        (250, "单位"),
        (290, "数 量"),
        (340, "单 价"),
        (420, "金 额"),
        (500, "税率"),
        (570, "税 额"),
    ]
    for x, text in headers:
        label(x, 160, text)
    data(40, 178, truth["item"])
    data(290, 178, "1")
    data(420, 178, truth["amount"])
    data(500, 178, "6%")
    data(570, 178, "74.07")
    label(60, 249, "合        计")
    data(420, 249, f"¥{truth['amount']}")
    label(40, 268, "价税合计（大写）")
    data(130, 268, truth["total_words"])
    label(420, 268, "（小写）")
    data(460, 268, "¥1234.50")
    label(35, 292, "销", 9), label(35, 305, "售", 9), label(35, 318, "方", 9)
    label(55, 296, "名      称：")
    data(125, 296, truth["seller_name"])
    label(55, 312, "纳税人识别号：")
    data(125, 312, truth["seller_tax_id"])
    label(55, 356, "备注")
    label(40, 385, "收款人：")
    label(200, 385, "复核：")
    label(360, 385, "开票人：")
    data(400, 385, "张三")
    label(520, 385, "销售方：（章）")
    if with_qr:
        qr = zxingcpp.create_barcode(QR_TEXT.format(number=number), zxingcpp.BarcodeFormat.QRCode)
        png = cv2.imencode(".png", np.asarray(qr.to_image(scale=4, add_quiet_zones=True)))[1].tobytes()
        page.insert_image(pymupdf.Rect(32, 8, 92, 68), stream=png)
    pix = page.get_pixmap(dpi=dpi)
    rgb = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.h, pix.w, pix.n)[:, :, :3]
    return np.ascontiguousarray(rgb[:, :, ::-1]), truth
