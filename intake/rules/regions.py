"""Region codes used in invoice codes (4 digits: the province's GB/T 2260 code + "00", or one of the five
计划单列市 with their own tax bureaux) and the names printed in invoice titles (北京增值税电子普通发票)."""

from __future__ import annotations

PROVINCES: dict[str, str] = {
    "11": "北京",
    "12": "天津",
    "13": "河北",
    "14": "山西",
    "15": "内蒙古",
    "21": "辽宁",
    "22": "吉林",
    "23": "黑龙江",
    "31": "上海",
    "32": "江苏",
    "33": "浙江",
    "34": "安徽",
    "35": "福建",
    "36": "江西",
    "37": "山东",
    "41": "河南",
    "42": "湖北",
    "43": "湖南",
    "44": "广东",
    "45": "广西",
    "46": "海南",
    "50": "重庆",
    "51": "四川",
    "52": "贵州",
    "53": "云南",
    "54": "西藏",
    "61": "陕西",
    "62": "甘肃",
    "63": "青海",
    "64": "宁夏",
    "65": "新疆",
}
"""GB/T 2260 province-level codes (mainland; 71 台湾, 81 香港, 82 澳门 issue no VAT invoices)."""

PLAN_CITIES: dict[str, str] = {"2102": "大连", "3302": "宁波", "3502": "厦门", "3702": "青岛", "4403": "深圳"}
"""计划单列市: their own tax bureaux, their own invoice region codes and titles."""

INVOICE_REGIONS: dict[str, str] = {f"{p}00": name for p, name in PROVINCES.items()} | PLAN_CITIES
"""Invoice-code region (4 digits) → the name printed in the title."""

_ALL_NAMES = sorted(set(INVOICE_REGIONS.values()), key=len, reverse=True)


def region_name(code4: str) -> str | None:
    return INVOICE_REGIONS.get(code4)


def title_region(title: str | None) -> str | None:
    """The region a printed title names, e.g. 深圳 for 深圳增值税电子普通发票; None when it names none."""
    flat = (title or "").replace(" ", "")
    best: tuple[int, str] | None = None
    for name in _ALL_NAMES:
        pos = flat.find(name)
        if pos >= 0 and (best is None or pos < best[0]):
            best = (pos, name)
    return best[1] if best else None


def is_province(code2: str) -> bool:
    return code2 in PROVINCES
