"""Extraction from OCR boxes with the habits PP-OCR shows on scans and photos (no model needed: the boxes are
written by hand the way the recogniser returns them)."""

from __future__ import annotations

from decimal import Decimal

from fapiao.core.models import FieldSource, TextBox
from fapiao.intake.extract.assemble import assemble, read_page
from fapiao.intake.loaders import LoadedPage

W, H = 1200, 700


def _box(
    x0: float, y0: float, x1: float, y1: float, text: str, conf: float = 0.99, alts: tuple[str, ...] = ()
) -> TextBox:
    return TextBox(text=text, bbox=(x0, y0, x1, y1), page=1, confidence=conf, source=FieldSource.ocr, alternatives=alts)


def _read(boxes: list[TextBox]):
    page = LoadedPage(number=1, width=W, height=H, unit="px", boxes=boxes)
    return assemble([read_page(page)])


HEADER = [
    _box(450, 40, 760, 70, "电子发票（增值税专用发票）"),
    _box(860, 40, 1180, 62, "发票号码：24332000000123456789"),
    _box(860, 70, 1110, 92, "开票日期：2024年04月27日"),
]
TABLE = [
    _box(140, 260, 210, 282, "项目名称"),
    _box(860, 260, 900, 282, "金额"),
    _box(950, 260, 1040, 282, "税率/征收率"),
    _box(1080, 260, 1120, 282, "税额"),
    _box(30, 290, 200, 312, "*信息技术服务*软件开发"),
    _box(850, 290, 940, 312, "1000.00"),
    _box(965, 290, 1000, 312, "6%"),
    _box(1090, 290, 1150, 312, "60.00"),
]


def _side_by_side(buyer_anchor: list[TextBox], seller_anchor: list[TextBox]) -> list[TextBox]:
    return (
        HEADER
        + buyer_anchor
        + seller_anchor
        + [
            _box(60, 160, 360, 186, "名称：北京某某科技有限公司"),
            _box(640, 160, 900, 186, "名称：上海某某贸易有限公司"),
            _box(60, 205, 540, 231, "统一社会信用代码/纳税人识别号：91110000600037341L"),
            _box(640, 205, 1120, 231, "统一社会信用代码/纳税人识别号：914403001922038216"),
        ]
        + TABLE
    )


def test_vertical_anchor_read_in_pieces_still_assigns_parties() -> None:
    # the seller's 销售方信息 came out as "售方" + "信" + "息", the buyer's as "方信息" (购买 lost)
    seller = [_box(606, 150, 624, 190, "售方"), _box(607, 192, 623, 210, "信"), _box(607, 212, 623, 230, "息")]
    buyer = [_box(27, 170, 50, 240, "方信息")]
    inv = _read(_side_by_side(buyer, seller)).invoice
    assert (inv.buyer_name, inv.buyer_tax_id) == ("北京某某科技有限公司", "91110000600037341L")
    assert (inv.seller_name, inv.seller_tax_id) == ("上海某某贸易有限公司", "914403001922038216")


def test_without_anchors_a_tilted_photo_is_still_side_by_side() -> None:
    # no anchor read at all, and the right-hand block sits a line and a half higher (residual tilt)
    boxes = HEADER + [
        _box(60, 190, 360, 216, "名称：北京某某科技有限公司"),
        _box(640, 150, 900, 176, "名称：上海某某贸易有限公司"),
        _box(60, 235, 540, 261, "统一社会信用代码/纳税人识别号：91110000600037341L"),
        _box(640, 195, 1120, 221, "统一社会信用代码/纳税人识别号：914403001922038216"),
    ]
    inv = _read(boxes).invoice
    assert inv.buyer_name == "北京某某科技有限公司" and inv.seller_name == "上海某某贸易有限公司"


def test_anchor_pieces_are_never_taken_as_a_name() -> None:
    boxes = (
        HEADER
        + [
            _box(27, 150, 50, 240, "购买方信息"),
            _box(60, 160, 110, 186, "名称："),
            _box(606, 182, 631, 245, "方信息"),
            _box(640, 160, 690, 186, "名称："),
        ]
        + TABLE
    )
    inv = _read(boxes).invoice
    assert inv.buyer_name is None


def test_small_amount_label_variants() -> None:
    totals = [
        _box(150, 480, 195, 505, "合计"),
        _box(850, 482, 940, 504, "￥1000.00"),
        _box(1080, 482, 1150, 504, "￥60.00"),
        _box(30, 515, 150, 537, "价税合计（大写）"),
        _box(350, 515, 520, 537, "壹仟零陆拾圆整"),
    ]
    for small in ("(小写￥1060.00", "（小写》1060.00", "小￥1060.00"):
        ex = _read(HEADER + TABLE + totals + [_box(700, 512, 860, 540, small)])
        assert ex.invoice.amount_with_tax == Decimal("1060.00"), small


def test_amount_with_tax_from_words_when_the_figures_are_lost() -> None:
    totals = [
        _box(150, 480, 195, 505, "合计"),
        _box(850, 482, 940, 504, "￥1000.00"),
        _box(1080, 482, 1150, 504, "￥60.00"),
        _box(30, 515, 150, 537, "价税合计（大写）"),
        _box(350, 515, 520, 537, "壹仟零陆拾圆整"),
    ]
    ex = _read(HEADER + TABLE + totals)
    assert ex.invoice.amount_with_tax == Decimal("1060.00") and ex.fields["amount_with_tax"].confidence >= 0.9
    # words that disagree with 合计金额 + 合计税额: taken, but left to a person
    ex = _read(HEADER + TABLE + totals[:-1] + [_box(350, 515, 520, 537, "壹仟零柒拾圆整")])
    assert ex.invoice.amount_with_tax == Decimal("1070.00") and ex.fields["amount_with_tax"].confidence < 0.9


def test_misread_total_label_and_unlabelled_total_row() -> None:
    row = [_box(850, 482, 940, 504, "￥1000.00"), _box(1080, 482, 1150, 504, "￥60.00")]
    ex = _read(HEADER + TABLE + row + [_box(150, 480, 195, 505, "舍计", conf=0.9, alts=("含计",))])
    assert (ex.invoice.total_amount, ex.invoice.total_tax) == (Decimal("1000.00"), Decimal("60.00"))
    ex = _read(HEADER + TABLE + row + [_box(30, 515, 150, 537, "价税合计（大写）")])
    assert (ex.invoice.total_amount, ex.invoice.total_tax) == (Decimal("1000.00"), Decimal("60.00"))
    assert ex.fields["total_amount"].confidence < 1.0


def test_final_j_read_as_a_bracket() -> None:
    boxes = _side_by_side([_box(27, 150, 50, 240, "购买方信息")], [_box(606, 150, 624, 240, "销售方信息")])
    boxes = [
        b.model_copy(update={"text": "统一社会信用代码/纳税人识别号：91110000600037341]"})
        if "91110000600037341L" in b.text
        else b
        for b in boxes
    ]
    ex = _read(boxes)
    # 91110000600037341J fails the check character: the bracket is not turned into a J
    assert ex.invoice.buyer_tax_id == "91110000600037341"
    assert ex.fields["buyer_tax_id"].confidence < 0.9  # 17 characters off a picture: a person looks


def test_print_offset_moves_values_off_their_labels_line() -> None:
    # 套打偏移: the data layer is printed 60 % of a line higher than the form
    dy = -14
    boxes = [
        _box(450, 40, 760, 70, "北京增值税电子普通发票"),
        _box(800, 38, 866, 58, "发票代码："),
        _box(866, 38 + dy, 1000, 58 + dy, "011002337911"),
        _box(800, 62, 866, 82, "发票号码："),
        _box(866, 62 + dy, 960, 82 + dy, "68142122"),
        _box(800, 86, 866, 106, "开票日期："),
        _box(866, 86 + dy, 1040, 106 + dy, "2023年05月14日"),
        _box(57, 180, 78, 260, "购买方"),
        _box(87, 180, 130, 202, "名称："),
        _box(181, 180 + dy, 400, 202 + dy, "北京某某科技有限公司"),
        _box(87, 204, 180, 226, "纳税人识别号："),
        _box(181, 204 + dy, 390, 226 + dy, "91110000600037341L"),
        _box(57, 590, 78, 670, "销售方"),
        _box(85, 596, 127, 619, "名称："),
        _box(181, 596 + dy, 400, 619 + dy, "上海某某贸易有限公司"),
        _box(86, 622, 170, 645, "纳税人识别号："),
        _box(181, 622 + dy, 390, 645 + dy, "914403001922038216"),
    ]
    inv = _read(boxes).invoice
    assert (inv.invoice_code, inv.invoice_number) == ("011002337911", "68142122")
    assert (inv.buyer_name, inv.buyer_tax_id) == ("北京某某科技有限公司", "91110000600037341L")
    assert (inv.seller_name, inv.seller_tax_id) == ("上海某某贸易有限公司", "914403001922038216")


def test_final_j_read_as_a_bracket_is_restored_when_the_check_passes() -> None:
    boxes = _side_by_side([_box(27, 150, 50, 240, "购买方信息")], [_box(606, 150, 624, 240, "销售方信息")])
    boxes = [
        b.model_copy(update={"text": "统一社会信用代码/纳税人识别号：91320106871568507)"})
        if "914403001922038216" in b.text
        else b
        for b in boxes
    ]
    assert _read(boxes).invoice.seller_tax_id == "91320106871568507J"


def test_a_tax_id_is_never_a_name_and_a_misread_private_buyer_is_doubted() -> None:
    boxes = (
        HEADER
        + [
            _box(27, 150, 50, 240, "购买方信息"),
            _box(60, 160, 110, 186, "名称："),
            _box(130, 172, 330, 196, "91110000600037341L"),
            _box(606, 150, 624, 240, "销售方信息"),
            _box(640, 160, 900, 186, "名称：个大"),
        ]
        + TABLE
    )
    ex = _read(boxes)
    assert ex.invoice.buyer_name is None
    boxes = (
        HEADER
        + [
            _box(27, 150, 50, 240, "购买方信息"),
            _box(60, 160, 200, 186, "名称：个大"),
            _box(606, 150, 624, 240, "销售方信息"),
            _box(640, 160, 900, 186, "名称：上海某某贸易有限公司"),
        ]
        + TABLE
    )
    ex = _read(boxes)
    assert ex.invoice.buyer_name == "个大" and ex.fields["buyer_name"].confidence < 0.9


ITEM_HEADER = [
    _box(140, 260, 210, 282, "项目名称"),
    _box(560, 260, 600, 282, "数量"),
    _box(680, 260, 720, 282, "单价"),
    _box(860, 260, 900, 282, "金额"),
    _box(950, 260, 1040, 282, "税率/征收率"),
    _box(1080, 260, 1120, 282, "税额"),
]


def _items(rows: list[list[TextBox]], source: FieldSource = FieldSource.ocr):
    boxes = [b.model_copy(update={"source": source}) for b in HEADER + ITEM_HEADER + [b for r in rows for b in r]]
    return _read(boxes).invoice.items


def test_a_lost_leading_star_of_the_goods_name_is_restored_and_only_then() -> None:
    rows = [
        [
            _box(30, 290, 200, 312, "经营租赁*通行费"),
            _box(850, 290, 940, 312, "100.00"),
            _box(965, 290, 1000, 312, "3%"),
            _box(1090, 290, 1150, 312, "3.00"),
        ],
        [
            _box(30, 320, 200, 342, "办公用品"),
            _box(850, 320, 940, 342, "50.00"),
            _box(965, 320, 1000, 342, "13%"),
            _box(1090, 320, 1150, 342, "6.50"),
        ],
        [
            _box(30, 350, 200, 372, "*餐饮服务*餐费"),
            _box(850, 350, 940, 372, "20.00"),
            _box(965, 350, 1000, 372, "6%"),
            _box(1090, 350, 1150, 372, "1.20"),
        ],
    ]
    assert [i.name for i in _items(rows)] == ["*经营租赁*通行费", "办公用品", "*餐饮服务*餐费"]
    # a text layer is what was printed: nothing is added to it
    assert _items(rows, FieldSource.text_layer)[0].name == "经营租赁*通行费"


def test_a_quantity_lost_by_detection_is_the_whole_number_price_and_amount_imply() -> None:
    def row(y: int, price: str, amount: str, quantity: str | None = None) -> list[TextBox]:
        out = [
            _box(30, y, 200, y + 22, "*餐饮服务*餐费"),
            _box(660, y, 780, y + 22, price),
            _box(850, y, 940, y + 22, amount),
            _box(965, y, 1000, y + 22, "6%"),
            _box(1090, y, 1150, y + 22, "0.00"),
        ]
        return out + ([_box(570, y, 590, y + 22, quantity)] if quantity else [])

    items = _items(
        [
            row(290, "642.45283019", "642.45"),
            row(320, "51", "5100.00"),
            row(350, "2.5", "6.25"),
            row(380, "0.01", "3.00"),
            row(410, "7", "14.00", quantity="2"),
            row(440, "687.168142", "1374.34"),
        ]
    )
    assert [i.quantity for i in items] == [Decimal(1), Decimal(100), None, None, Decimal(2), Decimal(2)]
    # "687.168142" also splits as 687.16814 × 2; a long price for a whole quantity is by far the likelier reading
    assert items[-1].unit_price == Decimal("687.168142")
    # 6.25 / 2.5 is not whole; at a price of 0.01 many whole numbers give 3.00 to the cent: nothing is guessed
    assert _items([row(290, "51", "5100.00")], FieldSource.text_layer)[0].quantity is None


def test_the_tail_of_a_spaced_name_label_is_not_part_of_the_name() -> None:
    # "名    称：" with the lone "名" lost (under a seal, or too faint to detect): OCR gives "称：深圳市…" as one
    # line; the name is what follows the label's remnant
    boxes = (
        HEADER
        + [
            _box(79, 190, 103, 280, "购买方"),
            _box(208, 189, 403, 205, "称：深圳市骏合商贸有限公司"),
            _box(120, 213, 240, 236, "纳税人识别号："),
            _box(234, 213, 468, 236, "914403003597744087"),
        ]
        + TABLE
    )
    inv = _read(boxes).invoice
    assert (inv.buyer_name, inv.buyer_tax_id) == ("深圳市骏合商贸有限公司", "914403003597744087")


def test_ocr_names_lose_leading_specks_and_get_registered_brackets() -> None:
    boxes = (
        HEADER
        + [
            _box(60, 160, 112, 186, "名称："),
            _box(112, 160, 200, 186, "，张蕾蕾"),
            _box(640, 160, 700, 186, "名称："),
            _box(700, 160, 960, 186, "广德月满庭酒店（个体工商户)"),
            _box(640, 205, 1120, 231, "统一社会信用代码/纳税人识别号：914403001922038216"),
        ]
        + TABLE
    )
    inv = _read(boxes).invoice
    assert (inv.buyer_name, inv.seller_name) == ("张蕾蕾", "广德月满庭酒店（个体工商户）")


def test_with_only_the_sellers_anchor_read_a_label_left_of_it_is_the_buyers() -> None:
    # 数电 photo: the buyer's vertical anchor garbled ("财买方靠息"), the seller's read in pieces; the buyer's
    # 名称 label lies in the seller anchor's rows but left of it, so it is not in the seller's block
    boxes = (
        HEADER
        + [
            _box(68, 198, 116, 218, "名称："),
            _box(113, 198, 348, 218, "无锡天鹏菜篮子工程有限公司"),
            _box(612, 194, 694, 217, "销名称："),
            _box(686, 197, 867, 219, "梁溪苏翼智能产品中心"),
            _box(31, 189, 53, 297, "财买方靠息", 0.69),
            _box(608, 209, 629, 278, "售方信"),
            _box(97, 259, 313, 279, "社会信用代码/纳税人识别号："),
            _box(311, 259, 570, 279, "91320200796148368W"),
            _box(642, 258, 890, 279, "统一社会信用代码/纳税人识别号："),
            _box(887, 258, 1146, 280, "92320213MACRYAKN16"),
            _box(609, 272, 626, 292, "息"),
        ]
        + TABLE
    )
    inv = _read(boxes).invoice
    assert (inv.buyer_name, inv.buyer_tax_id) == ("无锡天鹏菜篮子工程有限公司", "91320200796148368W")
    assert (inv.seller_name, inv.seller_tax_id) == ("梁溪苏翼智能产品中心", "92320213MACRYAKN16")


def _table_with(amount_header: list[TextBox]) -> list[TextBox]:
    return [_box(140, 260, 210, 282, "项目名称"), *amount_header, *TABLE[2:]]


TOTALS_ROW = [
    _box(850, 482, 940, 504, "￥1000.00"),
    _box(1080, 482, 1150, 504, "￥60.00"),
    _box(30, 515, 150, 537, "价税合计（大写）"),
    _box(350, 515, 520, 537, "壹仟零陆拾圆整"),
    _box(700, 512, 860, 540, "（小写）￥1060.00"),
]


def test_a_misread_amount_header_is_known_by_its_alternative_reading() -> None:
    # 150 dpi photo: 金额 read as "全额", the recogniser's runner-up being 金额; the 合 of 合计 not detected
    header = [_box(860, 260, 900, 282, "全额", conf=0.84, alts=("金额",))]
    ex = _read(HEADER + _table_with(header) + TOTALS_ROW + [_box(180, 482, 200, 504, "计")])
    assert (ex.invoice.total_amount, ex.invoice.total_tax) == (Decimal("1000.00"), Decimal("60.00"))
    assert ex.fields["total_tax"].confidence > 0.9  # four readings agree (合计金额 + 税额 = 小写 = 大写)


def test_headers_and_the_total_label_read_one_character_a_box_are_joined() -> None:
    # the spaced-out "金 额" and "合      计" of old-layout forms, each character its own OCR box
    header = [_box(852, 260, 872, 282, "金"), _box(880, 260, 900, 282, "额")]
    total = [_box(120, 483, 138, 503, "合"), _box(185, 483, 203, 503, "计")]
    ex = _read(HEADER + _table_with(header) + TOTALS_ROW + total)
    assert (ex.invoice.total_amount, ex.invoice.total_tax) == (Decimal("1000.00"), Decimal("60.00"))
    page = read_page(LoadedPage(number=1, width=W, height=H, unit="px", boxes=HEADER + TOTALS_ROW + total))
    assert [lb.box.flat for lb in page.labels if lb.kind == "total"] == ["合计"]  # read along its label


SD_PHOTO_PARTIES = [
    _box(33, 97, 59, 201, "购买方信息", 0.65),
    _box(80, 101, 130, 125, "名你：", 0.61),
    _box(122, 101, 182, 125, "丁俊卿", 0.96),
    _box(608, 95, 635, 204, "销售方话9", 0.52),
    _box(661, 101, 713, 124, "总：", 0.30),
    _box(705, 101, 1055, 126, "中国平安财产保险股份有限公司深圳分公司", 0.98),
    _box(81, 176, 350, 196, "请一社会信用代码/纳国人银别号：", 0.08),
    _box(675, 175, 938, 196, "一业会信闻代码/纳亿人初别号：", 0.14),
    _box(935, 176, 1113, 197, "9144030089218633X2", 0.82),
]
"""A 150 dpi phone photo of a 数电 invoice (the private buyer has no ID): the seller's labels unreadable."""


def test_a_tax_id_in_the_other_partys_block_is_never_this_partys() -> None:
    # the buyer's ID label is read, the seller's is not: the run right of the buyer's label crosses the
    # seller's anchor and reaches the seller's ID, which must not become the buyer's
    inv = _read(HEADER + SD_PHOTO_PARTIES + TABLE).invoice
    assert inv.buyer_tax_id is None


def test_an_id_in_a_partys_block_without_a_readable_label_is_offered_for_review() -> None:
    # the same photo: the seller's labels unreadable, but its ID (check character holding) lies in the
    # seller's block, right of 销售方信息 on its rows; taken for a person to confirm, with the name above it
    ex = _read(HEADER + SD_PHOTO_PARTIES + TABLE)
    assert ex.invoice.seller_tax_id == "9144030089218633X2" and ex.fields["seller_tax_id"].confidence < 0.9
    assert ex.invoice.seller_name == "中国平安财产保险股份有限公司深圳分公司"
    assert ex.fields["seller_name"].confidence < 0.9
    assert ex.invoice.buyer_tax_id is None


def test_only_a_whole_checked_id_is_taken_without_its_label() -> None:
    # a bank account of ID length, a run failing the check character, an ID inside other text: none is an ID
    parties = [b for b in SD_PHOTO_PARTIES if "X2" not in b.text]
    for text in ("122905939910401", "9144030089218633X3", "招商银行9144030089218633X2"):
        inv = _read(HEADER + parties + [_box(935, 176, 1113, 197, text, 0.82)] + TABLE).invoice
        assert inv.seller_tax_id is None and inv.buyer_tax_id is None, text


def test_without_a_readable_table_header_the_total_row_is_the_two_yen_figures_above_the_words() -> None:
    # 130 dpi photo: the headers garbled (半位, 个额, 统车), the 合 of 合计 lost; the ¥ figures of the 合计 row
    # are still the line right above 价税合计, 金额 left of 税额
    garbled = [_box(490, 260, 530, 282, "半位", 0.48), _box(816, 260, 871, 282, "个额", 0.48)]
    rows = [_box(30, 290, 200, 312, "*运输服务*客运服务费"), _box(867, 290, 930, 312, "380.86")]
    totals = [
        _box(210, 482, 228, 500, "计"),
        _box(854, 482, 928, 503, "￥354.66", 0.75),
        _box(1097, 482, 1163, 503, "￥10.64", 0.46),
        _box(116, 515, 253, 538, "价税合计（大写）"),
        _box(337, 515, 518, 538, "叁佰陆拾伍圆叁角整"),
        _box(920, 515, 1058, 540, "（小）￥365.30"),
    ]
    ex = _read(HEADER + garbled + rows + totals)
    assert (ex.invoice.total_amount, ex.invoice.total_tax) == (Decimal("354.66"), Decimal("10.64"))
    assert ex.fields["total_tax"].confidence > 0.9  # 354.66 + 10.64 = 365.30 in figures and in words
    # figures that do not add up to 价税合计 are left to a person; a "tax" above the amount is no tax
    ex = _read(HEADER + garbled + rows + [*totals[:2], _box(1097, 482, 1163, 503, "￥10.04"), *totals[3:]])
    assert ex.invoice.total_tax == Decimal("10.04") and ex.fields["total_tax"].confidence < 0.9
    swapped = [_box(854, 482, 928, 503, "￥10.64"), _box(1097, 482, 1163, 503, "￥354.66")]
    ex = _read(HEADER + garbled + rows + [totals[0], *swapped, *totals[3:]])
    assert ex.invoice.total_amount is None and ex.invoice.total_tax is None
