"""The invoice data an OFD carries besides its page text, for OFDs without an invoice XML (数电 OFDs, the
2017 specification's samples):

- the CustomTag object map (``Tags/CustomTags.xml`` → a tag file): each invoice field names the page text
  objects that print it, in the ``ofd:root`` form (``InvoiceNo``, ``TaxExclusiveTotalAmount``…) or the 2017
  ``fp:TAX_TICKET`` form (``FP_HM``, ``GMF/MC``, ``HJJE``…);
- ``DocInfo/CustomDatas`` in OFD.xml: fields by Chinese name (发票号码, 合计金额…);
- the QR code, as a PNG/JPEG under ``Res/``, or as ``GraphCode`` text in an attached XML.

These are the document's own labelling, so they need no label search on the page.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from xml.etree.ElementTree import Element

import cv2
import numpy as np

from fapiao.core.errors import CorruptDocument, LimitExceeded
from fapiao.intake.loaders.base import QrText
from fapiao.intake.loaders.xml_fields import FIELD_ALIASES, local
from fapiao.ocr.qr import decode_qr

TAX_TICKET_NAMES: dict[str, str] = {
    "FP_DM": "invoice_code",
    "FP_HM": "invoice_number",
    "KPRQ": "issue_date",
    "JYM": "check_code",
    "JQBH": "machine_number",
    "GMF/MC": "buyer_name",
    "GMF/NSRSBH": "buyer_tax_id",
    "GMF/DZDH": "buyer_address_phone",
    "GMF/YHZH": "buyer_bank_account",
    "XSF_MC": "seller_name",
    "XSF_NSRSBH": "seller_tax_id",
    "XSF_DZDH": "seller_address_phone",
    "XSF_YHZH": "seller_bank_account",
    "HJJE": "total_amount",
    "HJSE": "total_tax",
    "JSHJ_XX": "amount_with_tax",
    "JSHJ_DX": "amount_in_words",
    "BZ": "remarks",
    "KPR": "drawer",
    "SKR": "payee",
    "FHR": "reviewer",
}
"""The 2017 tax-ticket tag names (pinyin initials), with the parent for the ambiguous MC / NSRSBH."""
_ROOT_NAMES = {alias.lower(): field for field, aliases in FIELD_ALIASES.items() for alias in aliases}
HEADER_FIELDS = frozenset(TAX_TICKET_NAMES.values()) | frozenset(FIELD_ALIASES)
CUSTOM_DATA_NAMES: dict[str, str] = {
    "发票代码": "invoice_code",
    "发票号码": "invoice_number",
    "开票日期": "issue_date",
    "校验码": "check_code",
    "机器编号": "machine_number",
    "购买方名称": "buyer_name",
    "购买方纳税人识别号": "buyer_tax_id",
    "销售方名称": "seller_name",
    "销售方纳税人识别号": "seller_tax_id",
    "合计金额": "total_amount",
    "合计税额": "total_tax",
    "价税合计": "amount_with_tax",
    "价税合计(小写)": "amount_with_tax",
    "价税合计（小写）": "amount_with_tax",
    "价税合计(大写)": "amount_in_words",
    "价税合计（大写）": "amount_in_words",
}
_MAX_QR_IMAGES = 8
_MAX_IMAGE_BYTES = 2 * 1024 * 1024


def object_texts(contents: list[Element]) -> dict[str, str]:
    """TextObject ID → its text (all TextCodes joined), over the given page and template contents."""
    out: dict[str, str] = {}
    for content in contents:
        for obj in content.iter():
            oid = obj.get("ID")
            if local(obj.tag) == "TextObject" and oid:
                text = "".join(c.text or "" for c in obj if local(c.tag) == "TextCode")
                out.setdefault(oid, text)
    return out


def tag_fields(tag_root: Element, texts: dict[str, str]) -> dict[str, str]:
    """Field → the text of the objects the CustomTag file maps it to (first mapping wins)."""
    out: dict[str, str] = {}
    parents = {child: parent for parent in tag_root.iter() for child in parent}
    for el in tag_root.iter():
        refs = [c for c in el if local(c.tag) == "ObjectRef" and (c.text or "").strip()]
        if not refs:
            continue
        name = local(el.tag)
        parent = parents.get(el)
        field = TAX_TICKET_NAMES.get(f"{local(parent.tag)}/{name}" if parent is not None else name)
        field = field or TAX_TICKET_NAMES.get(name) or _ROOT_NAMES.get(name.lower())
        if field is None or field not in HEADER_FIELDS or field in out:
            continue
        value = "".join(texts.get((r.text or "").strip(), "") for r in refs).strip()
        if value:
            out[field] = value
    return out


def custom_data_fields(ofd: Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for el in ofd.iter():
        if local(el.tag) == "CustomData" and (el.text or "").strip():
            field = CUSTOM_DATA_NAMES.get((el.get("Name") or "").replace(" ", ""))
            if field:
                out.setdefault(field, (el.text or "").strip())
    return out


def custom_tag_files(document: Element, doc_dir: str, read_xml: Callable[[str], Element]) -> list[Element]:
    """The tag files listed by the document's CustomTags index (``Tags/CustomTags.xml``)."""
    index_loc = next((el.text.strip() for el in document.iter() if local(el.tag) == "CustomTags" and el.text), None)
    if not index_loc:
        return []
    index_path = _resolve(doc_dir, index_loc)
    try:
        index = read_xml(index_path)
    except (CorruptDocument, LimitExceeded):
        return []
    out = []
    for loc in (el.text.strip() for el in index.iter() if local(el.tag) == "FileLoc" and el.text):
        try:
            out.append(read_xml(_resolve(posixpath.dirname(index_path), loc)))
        except (CorruptDocument, LimitExceeded):
            continue
    return out


def _resolve(base: str, loc: str) -> str:
    """An OFD location: absolute from the package root when it starts with '/', else relative to ``base``."""
    return loc.lstrip("/") if loc.startswith("/") else posixpath.join(base, loc)


def graph_codes(root: Element) -> list[QrText]:
    """QR payloads an attached invoice XML carries as text (``GraphCode``)."""
    return [
        QrText(el.text.strip())
        for el in root.iter()
        if local(el.tag).lower() == "graphcode" and el.text and re.match(r"\s*01,", el.text)
    ]


def image_qr(names: list[str], read: Callable[[str], bytes]) -> list[QrText]:
    """Decode the square PNG/JPEG images of the package (the QR code is one); seals and photos decode to
    nothing."""
    out: list[QrText] = []
    tried = 0
    for name in sorted(names):
        if not name.lower().endswith((".png", ".jpg", ".jpeg", ".bmp")) or tried >= _MAX_QR_IMAGES:
            continue
        try:
            data = read(name)
        except (CorruptDocument, LimitExceeded):
            continue
        if len(data) > _MAX_IMAGE_BYTES:
            continue
        tried += 1
        grey = _grey(data)
        if grey is None or not (20 <= grey.shape[1] <= 2000 and 0.8 <= grey.shape[1] / max(grey.shape[0], 1) <= 1.25):
            continue
        grey = np.pad(grey, 8, constant_values=255)
        out += [QrText(q.text) for q in decode_qr(grey)]
        if out:
            break
    return out


def _grey(data: bytes) -> np.ndarray | None:
    """Grey pixels, transparent ones white (QR PNGs are often black modules on a transparent ground)."""
    img = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_UNCHANGED)
    if img is None:
        return None
    if img.dtype != np.uint8:
        img = cv2.convertScaleAbs(img, alpha=255.0 / max(float(img.max()), 1.0))
    if img.ndim == 2:
        return img
    if img.shape[2] == 4:
        alpha = img[:, :, 3:4].astype(np.float32) / 255.0
        img = (img[:, :, :3].astype(np.float32) * alpha + 255.0 * (1 - alpha)).astype(np.uint8)
    return cv2.cvtColor(img[:, :, :3], cv2.COLOR_BGR2GRAY)
