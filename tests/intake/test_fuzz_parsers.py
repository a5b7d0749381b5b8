"""Fuzzing the parsers that read what strangers send: QR payloads, amounts in words, tax IDs and invoice
codes, the verification rules on arbitrary invoices, invoice XML, OFD containers, and mutated files of every
type through the whole pipeline. The property is always the same: a clear answer (a value, None, or a
FapiaoError naming the file) within bounded time, never another exception.

Budget: see tests/fuzzing.py (FAPIAO_FUZZ_EXAMPLES for a longer run)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import time
import zipfile
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from fapiao.core.errors import FapiaoError
from fapiao.core.models import (
    TYPE_BY_CODE,
    ExtractionResult,
    FieldSource,
    FieldValue,
    Invoice,
    InvoiceType,
    LineItem,
    Status,
)
from fapiao.intake.amount_words import DIGITS, AmountWordsError, parse_words, safe_parse_words, to_words
from fapiao.intake.loaders import LoadLimits, load_document
from fapiao.intake.loaders.xml_fields import FIELD_ALIASES, ITEM_ALIASES
from fapiao.intake.pipeline import Pipeline, PipelineOptions
from fapiao.intake.qr_payload import parse_qr_payload
from fapiao.intake.rules import RULE_CODES
from fapiao.intake.rules.codes import type_code_from_code, type_from_code
from fapiao.intake.rules.tax_ids import CODES as TAX_ID_CODES
from fapiao.intake.rules.tax_ids import USCC_ALPHABET, looks_like_resident_id, resident_check_char, tax_id_problems
from fapiao.intake.verify import VerifyOptions, verify
from tests.builders import OLD_LABELS, OLD_VALUES, placed_pdf
from tests.fuzzing import fuzz
from tests.helpers.documents import EINVOICE_XML
from tests.rules.strategies import usccs

pytestmark = pytest.mark.slow  # fuzzing

PIPELINE = Pipeline(PipelineOptions(ocr=False))
NUMBERISH = st.one_of(
    st.text("0123456789", max_size=22),
    st.text("0123456789.-eE+,，", max_size=12),
    st.sampled_from(["NaN", "Infinity", "-inf", "1e999999", "1E+30", "0x10", "１２３", "٣", ""]),
    st.text(max_size=12),
)


def _json_ok(results: list[ExtractionResult], name: str) -> None:
    assert results, name
    for r in results:
        json.dumps(r.to_contract())  # what the CLI prints and the service stores must always serialise
        if r.status is Status.rejected and r.invoice is None:
            assert r.error and name in r.error


# ---------------------------------------------------------------- QR payloads

QR_FIELD = st.one_of(
    NUMBERISH,
    st.sampled_from(
        [
            "01",
            "10",
            "20",
            "32",
            "04",
            "011001900111",
            "12345678",
            "24312000000136634917",
            "20240514",
            "2024-05-14",
            "1DD6",
        ]
    ),
)


@st.composite
def qr_texts(draw) -> str:
    parts = draw(st.lists(QR_FIELD, min_size=0, max_size=10))
    if parts and draw(st.booleans()):
        parts[0] = "01"
    text = draw(st.sampled_from([",", "，"])).join(parts)
    return draw(st.sampled_from(["", " ", "\ufeff", "\n"])) + text + draw(st.sampled_from(["", ",", ",,", " \n"]))


@fuzz(400)
@given(st.one_of(qr_texts(), st.text(max_size=80)))
def test_qr_parser_answers_a_valid_payload_or_none(text: str) -> None:
    qr = parse_qr_payload(text)
    if qr is None:
        return
    assert re.fullmatch(r"\d{2}", qr.type_code)
    assert qr.invoice_code is None or re.fullmatch(r"\d{10}|\d{12}", qr.invoice_code)
    assert re.fullmatch(r"\d{8}|\d{20}", qr.invoice_number)
    assert qr.amount is None or qr.amount.as_tuple().exponent == -2
    assert qr.check_code is None or re.fullmatch(r"\d{5,}", qr.check_code)
    assert isinstance(qr.issue_date, dt.date)
    json.dumps(qr.model_dump(mode="json"))


@fuzz(300)
@given(
    type_code=st.sampled_from(["01", "04", "10", "32", "31", "08"]),
    code=st.one_of(
        st.just(""), st.text("0123456789", min_size=10, max_size=10), st.text("0123456789", min_size=12, max_size=12)
    ),
    number=st.one_of(st.text("0123456789", min_size=8, max_size=8), st.text("0123456789", min_size=20, max_size=20)),
    cents=st.integers(0, 10**14),
    date=st.dates(dt.date(1994, 1, 1), dt.date(2099, 12, 31)),
    check=st.one_of(st.just(""), st.text("0123456789", min_size=20, max_size=20)),
    tail=st.sampled_from(["", "1DD6", "ABCD"]),
    trailing=st.booleans(),
)
def test_every_well_formed_qr_round_trips(type_code, code, number, cents, date, check, tail, trailing) -> None:
    amount = Decimal(cents) / 100
    text = ",".join(["01", type_code, code, number, f"{amount:.2f}", date.strftime("%Y%m%d"), check, tail]) + (
        "," if trailing else ""
    )
    qr = parse_qr_payload(text)
    assert qr is not None, text
    assert (qr.type_code, qr.invoice_code, qr.invoice_number, qr.amount, qr.issue_date, qr.check_code) == (
        type_code,
        code or None,
        number,
        amount,
        date,
        check or None,
    )


# ---------------------------------------------------------------- amounts in words

WORD_CHARS = DIGITS + "拾佰仟万亿圆元角分整正零〇两负数（）()ⓧ⊗人民币: X一二三百千"


@fuzz(600)
@given(st.integers(-(10**18) + 1, 10**18 - 1))
def test_amount_words_round_trip_over_the_whole_stored_range(cents: int) -> None:
    """Every amount Numeric(18, 2) can hold renders and parses back to itself (found: 10¹² yuan and more
    rendered 万亿 forms that could not be parsed, and 10¹⁶ raised IndexError)."""
    value = Decimal(cents) / 100
    assert parse_words(to_words(value)) == value


@fuzz(600)
@given(st.one_of(st.text(WORD_CHARS, max_size=30), st.text(max_size=30)))
def test_amount_words_parser_answers_a_value_or_amount_words_error(text: str) -> None:
    try:
        value = parse_words(text)
    except AmountWordsError:
        assert safe_parse_words(text) is None
        return
    assert isinstance(value, Decimal) and value.is_finite() and value.as_tuple().exponent == -2
    assert safe_parse_words(text) == (value if text else None)


# ---------------------------------------------------------------- tax IDs and invoice codes


@fuzz(600)
@given(
    st.one_of(
        st.text(USCC_ALPHABET + "IOSVZ", min_size=0, max_size=22),
        st.text(max_size=22),
        st.text("0123456789X", min_size=15, max_size=20),
    )
)
def test_tax_id_check_classifies_anything(value: str) -> None:
    problems = tax_id_problems(value)
    assert all(p.code in TAX_ID_CODES and p.message and p.message_zh for p in problems)


@fuzz(400)
@given(usccs(), st.data())
def test_a_valid_uscc_passes_and_any_single_substitution_is_caught(uscc: str, data) -> None:
    assert tax_id_problems(uscc) == []
    i = data.draw(st.integers(0, 17))
    c = data.draw(st.sampled_from(sorted(set(USCC_ALPHABET) - {uscc[i]})))
    bad = uscc[:i] + c + uscc[i + 1 :]
    # The only way a changed USCC passes is as a valid resident ID (an 18-digit number with its own check).
    assert tax_id_problems(bad) != [] or (looks_like_resident_id(bad) and resident_check_char(bad[:17]) == bad[17])


@fuzz(600)
@given(st.one_of(st.text("0123456789", min_size=8, max_size=14), st.text(max_size=14)))
def test_invoice_code_type_lookup_answers_a_type_code_or_none(code: str) -> None:
    tc = type_code_from_code(code)
    assert tc is None or re.fullmatch(r"\d{2}", tc)  # "02" (货运专票, discontinued) has no InvoiceType
    assert type_from_code(code) in (None, *InvoiceType)


# ---------------------------------------------------------------- the rules on arbitrary invoices

MONEY = st.one_of(
    st.none(),
    st.decimals(min_value=Decimal("-1e15"), max_value=Decimal("1e15"), places=2, allow_nan=False, allow_infinity=False),
)
SHORT = st.one_of(st.none(), st.text(max_size=24), st.text("0123456789ABCDEFGHJKLMNPQRTUWXY", max_size=22))
ITEMS = st.lists(
    st.builds(
        LineItem,
        name=st.text(max_size=12),
        amount=MONEY,
        tax=MONEY,
        quantity=st.one_of(st.none(), st.decimals(-(10**6), 10**6, places=3, allow_nan=False)),
        unit_price=st.one_of(st.none(), st.decimals(-(10**6), 10**6, places=4, allow_nan=False)),
        tax_rate=st.one_of(st.none(), st.sampled_from(["13%", "6%", "1.5%", "免税", "不征税", "x%", "%", ""])),
    ),
    max_size=4,
)
INVOICES = st.builds(
    Invoice,
    invoice_type=st.sampled_from(list(InvoiceType)),
    type_code=st.one_of(st.none(), st.sampled_from(sorted(TYPE_BY_CODE))),
    title=st.one_of(
        st.none(), st.text(max_size=20), st.sampled_from(["北京增值税电子普通发票", "电子发票（普通发票）"])
    ),
    invoice_code=SHORT,
    invoice_number=SHORT,
    check_code=SHORT,
    buyer_tax_id=SHORT,
    seller_tax_id=SHORT,
    buyer_name=st.one_of(st.none(), st.text(max_size=16)),
    seller_name=st.one_of(st.none(), st.text(max_size=16)),
    issue_date=st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1))),
    total_amount=MONEY,
    total_tax=MONEY,
    amount_with_tax=MONEY,
    amount_in_words=st.one_of(st.none(), st.text(WORD_CHARS, max_size=20)),
    items=ITEMS,
    remarks=st.one_of(st.none(), st.text(max_size=40)),
    is_red_letter=st.booleans(),
)


@fuzz(300)
@given(INVOICES, st.one_of(st.none(), qr_texts()), st.floats(0, 1))
def test_rules_and_repair_judge_any_invoice(invoice: Invoice, qr_text: str | None, confidence: float) -> None:
    fields = {
        n: FieldValue(value=getattr(invoice, n), confidence=confidence, source=FieldSource.ocr)
        for n in ("invoice_code", "invoice_number", "total_amount", "amount_with_tax", "seller_tax_id")
        if getattr(invoice, n) is not None
    }
    result = ExtractionResult(
        source="fuzz", page=1, invoice=invoice, fields=fields, qr=parse_qr_payload(qr_text) if qr_text else None
    )
    out = verify(result, VerifyOptions(today=dt.date(2025, 7, 1)))
    assert out.status in (Status.verified, Status.needs_review, Status.rejected)
    assert all(f.code in RULE_CODES or f.code.startswith(("repair.", "qr.")) for f in out.findings), [
        f.code for f in out.findings if f.code not in RULE_CODES
    ]
    json.dumps(out.to_contract())


# ---------------------------------------------------------------- invoice XML

TAGS = sorted(
    {a for aliases in (*FIELD_ALIASES.values(), *ITEM_ALIASES.values()) for a in aliases}
    | {"EInvoice", "Header", "IssuItemInformation", "EInvoiceData"}
)
XML_TEXT = st.one_of(
    NUMBERISH,
    st.text(max_size=20),
    st.sampled_from(["2024-05-14", "20240514", "24312000000136634917", "壹佰零陆圆整", "0.06", "***"]),
)


@st.composite
def xml_trees(draw, depth: int = 0) -> str:
    tag = draw(st.sampled_from(TAGS))
    if depth < 3 and draw(st.booleans()):
        inner = "".join(draw(st.lists(xml_trees(depth + 1), max_size=4)))
    else:
        inner = draw(XML_TEXT).replace("&", "&amp;").replace("<", "&lt;")
        inner = "".join(
            ch
            for ch in inner
            if ch in "\t\n\r" or (ch >= " " and ch not in "\ufffe\uffff" and not "\ud800" <= ch <= "\udfff")
        )
    return f"<{tag}>{inner}</{tag}>"


@fuzz(300)
@given(xml_trees(), st.sampled_from(['<?xml version="1.0" encoding="UTF-8"?>', "", "\ufeff"]))
def test_any_invoice_xml_gives_a_result_or_a_clear_rejection(tree: str, prolog: str) -> None:
    _json_ok(PIPELINE.process_bytes((prolog + tree).encode(), "fuzz.xml"), "fuzz.xml")


@fuzz(200)
@given(
    st.binary(max_size=300),
    st.sampled_from([b"<?xml version='1.0'?>", b"<", b"\xef\xbb\xbf<EInvoice>", b"<!DOCTYPE x ["]),
)
def test_xml_like_garbage_is_rejected_clearly(body: bytes, head: bytes) -> None:
    _json_ok(PIPELINE.process_bytes(head + body, "garbage.xml"), "garbage.xml")


# ---------------------------------------------------------------- OFD containers

NAME = st.one_of(
    st.sampled_from(
        [
            "OFD.xml",
            "Doc_0/Document.xml",
            "Doc_0/Pages/Page_0/Content.xml",
            "../../etc/passwd",
            "/abs/OFD.xml",
            "Doc_0\\..\\..\\x.xml",
            "Doc_0/Attachs/original_invoice.xml",
            "Doc_0/./Document.xml",
            "",
        ]
    ),
    st.text(max_size=20),
)
ATTR = st.one_of(
    NUMBERISH,
    st.sampled_from(["10 10 50 10", "0 0 210 140", "g 3 3.5", "g 100000000 1", "g x y", "1e400 1 1 1", "nan"]),
)


def _attr(v: str) -> str:
    return v.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


@st.composite
def ofds(draw) -> bytes:
    size, x, y, delta, boundary, box = (_attr(draw(ATTR)) for _ in range(6))
    doc_root = _attr(draw(NAME))
    text = draw(st.sampled_from(["发票号码", "12345678", "¥106.00", "x" * 200]))
    members = {
        "OFD.xml": f"<OFD><DocBody><DocRoot>{doc_root}</DocRoot></DocBody></OFD>",
        "Doc_0/Document.xml": f"<Document><CommonData><PageArea><PhysicalBox>{box}</PhysicalBox></PageArea></CommonData>"  # noqa: E501
        f'<Pages><Page ID="1" BaseLoc="{_attr(draw(NAME))}"/></Pages></Document>',
        "Doc_0/Pages/Page_0/Content.xml": f'<Page><Content><Layer><TextObject ID="2" Boundary="{boundary}" Size="{size}">'  # noqa: E501
        f'<TextCode X="{x}" Y="{y}" DeltaX="{delta}">{text}</TextCode></TextObject>'
        "</Layer></Content></Page>",
    }
    for _ in range(draw(st.integers(0, 2))):
        name = draw(NAME)
        members[name if name.split("\x00")[0].lstrip("/") else "x"] = draw(
            st.sampled_from([EINVOICE_XML.decode(), "<x/>", "not xml", "<a>&lol;</a>"])
        )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buf.getvalue()


@fuzz(300)
@given(ofds())
def test_any_ofd_gives_a_result_or_a_clear_rejection_quickly(data: bytes) -> None:
    """Found: a non-numeric Size/X/Y/DeltaX raised ValueError out of the loader, and DeltaX "g 100000000 1"
    built a list of 10⁸ floats (1.5 GB) for one text box."""
    start = time.monotonic()
    _json_ok(PIPELINE.process_bytes(data, "fuzz.ofd"), "fuzz.ofd")
    assert time.monotonic() - start < 5


# ---------------------------------------------------------------- mutated files of every type


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(buf, format="PNG")
    return buf.getvalue()


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(buf, format="JPEG")
    return buf.getvalue()


def _tiny_ofd() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("OFD.xml", "<OFD><DocBody><DocRoot>Doc_0/Document.xml</DocRoot></DocBody></OFD>")
        zf.writestr(
            "Doc_0/Document.xml",
            '<Document><Pages><Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></Pages></Document>',
        )
        zf.writestr(
            "Doc_0/Pages/Page_0/Content.xml",
            '<Page><Content><Layer><TextObject ID="2" Boundary="10 10 50 10" '
            'Size="3.5"><TextCode X="0" Y="3">发票号码 12345678</TextCode>'
            "</TextObject></Layer></Content></Page>",
        )
        zf.writestr("Doc_0/Attachs/original_invoice.xml", EINVOICE_XML)
    return buf.getvalue()


SEEDS = {
    "seed.pdf": placed_pdf(OLD_LABELS, OLD_VALUES),
    "seed.png": _png(),
    "seed.jpg": _jpeg(),
    "seed.ofd": _tiny_ofd(),
    "seed.xml": EINVOICE_XML,
}


@st.composite
def mutated_files(draw) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(SEEDS)))
    data = bytearray(SEEDS[name])
    for _ in range(draw(st.integers(1, 6))):
        how = draw(st.sampled_from(["flip", "truncate", "insert", "delete"]))
        i = draw(st.integers(0, max(len(data) - 1, 0)))
        if how == "flip" and data:
            data[i] ^= draw(st.integers(1, 255))
        elif how == "truncate":
            del data[i:]
        elif how == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=16))
        elif data:
            del data[i : i + draw(st.integers(1, 64))]
    return name, bytes(data)


@fuzz(150)
@given(mutated_files())
def test_mutated_files_of_every_type_never_crash_the_pipeline(case: tuple[str, bytes]) -> None:
    name, data = case
    start = time.monotonic()
    results = Pipeline(PipelineOptions(ocr=False, limits=LoadLimits(max_pages=5))).process_bytes(data, name)
    _json_ok(results, name)
    assert time.monotonic() - start < 10


@fuzz(200)
@given(st.binary(max_size=2000))
def test_random_bytes_are_refused_with_a_fapiao_error(data: bytes) -> None:
    try:
        load_document(data, "random.bin", LoadLimits(max_pages=5))
    except FapiaoError as exc:
        assert "random.bin" in str(exc)
