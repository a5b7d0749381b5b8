"""OFD (GB/T 33190) documents: a zip of XML parts. Page text comes from ``TextCode`` elements with their
positions (template pages first, as they hold the pre-printed labels); an attached invoice XML, when present,
gives structured fields.

The zip is read member by member in memory with size caps, never extracted, so path-traversal names and zip
bombs cannot escape or exhaust the machine.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from xml.etree.ElementTree import Element

from fapiao.core.errors import CorruptDocument, LimitExceeded
from fapiao.core.messages import Message
from fapiao.core.models import FieldSource, FieldValue, TextBox
from fapiao.intake.loaders.base import LoadedDocument, LoadedPage, LoadLimits
from fapiao.intake.loaders.ofd_tags import (
    custom_data_fields,
    custom_tag_files,
    graph_codes,
    image_qr,
    object_texts,
    tag_fields,
)
from fapiao.intake.loaders.xml_fields import convert_field, local, parse_xml, structured_fields

MM_TO_PT = 72 / 25.4
DEFAULT_BOX = (0.0, 0.0, 210.0, 140.0)
"""Millimetres: a VAT invoice's page, for an OFD that names no PhysicalBox."""
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError)
"""What zipfile raises for a damaged archive or member (bad CRC, header or deflate stream, offsets past the
end, an unsupported compression, a password)."""
_MAX_MEMBER_BYTES = 20 * 1024 * 1024
_MAX_TOTAL_BYTES = 100 * 1024 * 1024


class _OfdZip:
    def __init__(self, data: bytes, name: str) -> None:
        self.name = name
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
        except ZIP_ERRORS as exc:
            raise CorruptDocument(Message.of("ofd_not_zip", name=name, error=exc), hint="re-export it") from exc
        total = sum(i.file_size for i in self.zf.infolist())
        if total > _MAX_TOTAL_BYTES:
            raise LimitExceeded(
                Message.of("ofd_unpacks_too_much", name=name, size=total), hint="this is not a normal invoice OFD"
            )
        self.members = {posixpath.normpath(i.filename.lstrip("/")): i for i in self.zf.infolist()}

    def read(self, path: str) -> bytes:
        key = posixpath.normpath(path.lstrip("/"))
        info = self.members.get(key)
        if info is None or key.startswith(".."):
            raise CorruptDocument(Message.of("ofd_part_missing", name=self.name, part=path), hint="re-export the OFD")
        if info.file_size > _MAX_MEMBER_BYTES:
            raise LimitExceeded(
                Message.of("ofd_part_too_large", name=self.name, part=path, size=info.file_size),
                hint="not a normal OFD",
            )
        try:
            with self.zf.open(info) as fh:
                data = fh.read(_MAX_MEMBER_BYTES + 1)
        except ZIP_ERRORS as exc:
            # a damaged member (bad CRC, header, deflate stream), an unsupported compression or a password
            raise CorruptDocument(
                Message.of("ofd_part_unreadable", name=self.name, part=path, error=exc), hint="re-export the OFD"
            ) from exc
        if len(data) > _MAX_MEMBER_BYTES:
            raise LimitExceeded(Message.of("ofd_part_oversized", name=self.name, part=path), hint="not a normal OFD")
        return data

    def xml(self, path: str) -> Element:
        return parse_xml(self.read(path), f"{self.name}:{path}")

    def names(self) -> list[str]:
        return list(self.members)


def load_ofd(data: bytes, limits: LoadLimits, name: str = "") -> LoadedDocument:
    z = _OfdZip(data, name)
    ofd = z.xml("OFD.xml")
    doc_root = _text_of(ofd, "DocRoot")
    if not doc_root:
        raise CorruptDocument(Message.of("ofd_no_docroot", name=name), hint="re-export the OFD")
    doc_dir = posixpath.dirname(doc_root)
    document = z.xml(doc_root)
    default_box = _physical_box(document)
    templates = {el.get("ID"): el.get("BaseLoc") for el in document.iter() if local(el.tag) == "TemplatePage"}
    page_els = [el for el in document.iter() if local(el.tag) == "Page" and el.get("BaseLoc")]
    if len(page_els) > limits.max_pages:
        raise LimitExceeded(
            Message.of("ofd_too_many_pages", name=name, pages=len(page_els), limit=limits.max_pages),
            hint="split the file",
        )
    pages: list[LoadedPage] = []
    contents: list[Element] = []
    missing: list[str] = []
    for number, page_el in enumerate(page_els, start=1):
        content_path = posixpath.join(doc_dir, page_el.get("BaseLoc"))
        content = _part(z, content_path, missing)
        if content is None:
            continue
        box = _physical_box(content) or default_box or DEFAULT_BOX
        boxes: list[TextBox] = []
        for tpl in (el for el in content.iter() if local(el.tag) == "Template"):
            loc = templates.get(tpl.get("TemplateID"))
            template = _part(z, posixpath.join(doc_dir, loc), missing) if loc else None
            if template is not None:
                contents.append(template)
                boxes += _text_boxes(template, number)
        contents.append(content)
        boxes += _text_boxes(content, number)
        width, height = box[2] * MM_TO_PT, box[3] * MM_TO_PT
        boxes = [b for b in boxes if b.bbox[1] < height and b.bbox[3] > 0 and b.bbox[0] < width and b.bbox[2] > 0]
        pages.append(LoadedPage(number=number, width=width, height=height, unit="pt", boxes=boxes))
    if page_els and not pages:
        raise CorruptDocument(Message.of("ofd_no_page", name=name, missing=", ".join(missing)), hint="re-export it")
    missing += _missing_resources(z, doc_dir, document)
    structured, items, attachment = _attachment_fields(z, doc_dir)
    _fill(structured, tag_fields_of(z, document, doc_dir, object_texts(contents)))
    _fill(structured, custom_data_fields(ofd))
    if pages:
        pages[0].qr = (graph_codes(attachment) if attachment is not None else []) or image_qr(z.names(), z.read)
    damage = []
    if missing:
        shown = ", ".join(missing)
        damage.append((f"parts of the OFD are missing: {shown}", f"OFD 缺少部分内容：{shown}"))
    return LoadedDocument(
        kind="ofd", pages=pages, structured=structured or None, structured_items=items or None, damage=damage
    )


_DOCUMENT_PARTS = ("PublicRes", "DocumentRes", "Annotations", "Attachments", "CustomTags")
_RESOURCE_FILES = ("MediaFile", "FontFile")


def _located(base_dir: str, ref: str) -> str:
    """A zip member name for an OFD location: absolute ('/Doc_0/…') or relative to ``base_dir``."""
    ref = ref.strip().replace("\\", "/")
    return posixpath.normpath(ref.lstrip("/") if ref.startswith("/") else posixpath.join(base_dir, ref))


def _missing_resources(z: _OfdZip, doc_dir: str, document: Element) -> list[str]:
    """Parts Document.xml lists (resources, annotations, attachments, tags) and the image and font files the
    resource lists name, which the package lacks. They hold no text, so reading goes on; the file is damaged."""
    missing: list[str] = []
    for el in document.iter():
        if local(el.tag) not in _DOCUMENT_PARTS or not (el.text or "").strip():
            continue
        path = _located(doc_dir, el.text or "")
        if path not in z.members:
            missing.append(path)
        elif local(el.tag) in ("PublicRes", "DocumentRes"):
            try:
                res = z.xml(path)
            except (CorruptDocument, LimitExceeded):
                missing.append(path)
                continue
            base = _located(posixpath.dirname(path), res.get("BaseLoc") or "")
            for f in res.iter():
                text = (f.text or "").strip()
                if local(f.tag) in _RESOURCE_FILES and text and _located(base, text) not in z.members:
                    missing.append(_located(base, text))
    return missing


def _part(z: _OfdZip, path: str, missing: list[str]) -> Element | None:
    """A page or template part, or None (noted in ``missing``) when the package lacks it: the rest of the
    document is still read, and the invoice is marked damaged."""
    key = posixpath.normpath(path.lstrip("/"))
    if key not in z.members:
        missing.append(path)
        return None
    return z.xml(path)


def tag_fields_of(z: _OfdZip, document: Element, doc_dir: str, texts: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for tag_root in custom_tag_files(document, doc_dir, z.xml):
        for field, raw in tag_fields(tag_root, texts).items():
            out.setdefault(field, raw)
    return out


def _fill(structured: dict[str, FieldValue], raw_fields: dict[str, str]) -> None:
    """Add fields the invoice XML did not give (source ``xml``: the document's own labelling)."""
    for field, raw in raw_fields.items():
        if field in structured:
            continue
        value = convert_field(field, raw)
        if value is not None:
            structured[field] = FieldValue(value=value, confidence=1.0, source=FieldSource.xml, raw=raw)


def _attachment_fields(z: _OfdZip, doc_dir: str):
    """The invoice XML some OFDs carry (Attachs/original_invoice.xml or a 数电 EInvoice XML)."""
    for path in sorted(z.names()):
        lower = path.lower()
        if lower.endswith(".xml") and ("attach" in lower or "invoice" in lower) and not lower.endswith("ofd.xml"):
            try:
                fields, items = structured_fields(z.xml(path))
            except (CorruptDocument, LimitExceeded):
                continue
            if "invoice_number" in fields:
                for fv in fields.values():
                    fv.source = FieldSource.xml
                return fields, items, z.xml(path)
    return {}, [], None


def _text_of(root: Element, name: str) -> str | None:
    for el in root.iter():
        if local(el.tag) == name and el.text:
            return el.text.strip()
    return None


def _physical_box(root: Element) -> tuple[float, float, float, float] | None:
    text = _text_of(root, "PhysicalBox")
    if not text:
        return None
    nums = _floats(text)
    return tuple(nums[:4]) if len(nums) >= 4 else None


def _floats(text: str) -> list[float]:
    return [_number(v) for v in re.findall(r"-?\d+(?:\.\d+)?", text or "")]


_MAX_COORD = 100_000.0
"""Millimetres: far beyond any page. Coordinates past it (or unreadable ones) are hostile or broken input."""


def _number(text: str | None, default: float = 0.0) -> float:
    """An OFD number attribute; garbage, NaN, infinities and absurd magnitudes give ``default`` instead of
    an exception, so one bad attribute costs one text box at most, never the document."""
    try:
        value = float(text) if text else default
    except ValueError:
        return default
    return value if abs(value) <= _MAX_COORD else default  # also false for NaN


def _text_boxes(content: Element, page: int) -> list[TextBox]:
    out: list[TextBox] = []
    for obj in content.iter():
        if local(obj.tag) != "TextObject":
            continue
        bx, by, bw, bh = (_floats(obj.get("Boundary", "")) + [0, 0, 0, 0])[:4]
        size = _number(obj.get("Size"), 3.5)
        for code in (c for c in obj if local(c.tag) == "TextCode"):
            text = code.text or ""
            if not text.strip():
                continue
            x = bx + _number(code.get("X"))
            y = by + _number(code.get("Y"))  # baseline
            width = _text_width(text, size, code.get("DeltaX"))
            bbox = (x * MM_TO_PT, (y - size * 0.88) * MM_TO_PT, (x + width) * MM_TO_PT, (y + size * 0.2) * MM_TO_PT)
            out.append(TextBox(text=text, bbox=bbox, page=page, source=FieldSource.text_layer))
    return out


def _text_width(text: str, size: float, delta_x: str | None) -> float:
    """Width from DeltaX when given (``g N d`` repeats), else an estimate: CJK full width, ASCII half."""
    if delta_x:
        deltas: list[float] = []
        tokens = delta_x.split()
        i = 0
        needed = len(text) - 1  # "g 100000000 1" must not become a list of 10⁸ floats
        while i < len(tokens) and len(deltas) < needed:
            if tokens[i] == "g" and i + 2 < len(tokens):
                count = int(_number(tokens[i + 1]))
                deltas += [_number(tokens[i + 2])] * max(0, min(count, needed - len(deltas)))
                i += 3
            else:
                deltas.append(_number(tokens[i]))
                i += 1
        if deltas:
            return sum(deltas[: len(text) - 1]) + size * (1.0 if ord(text[-1]) > 0x2E80 else 0.5)
    return sum(size if ord(ch) > 0x2E80 else size * 0.5 for ch in text)
