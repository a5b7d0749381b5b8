"""Issuer signatures on a PDF made and signed in the test: the untouched file verifies and names its signer;
every alteration (a byte inside the signed range, bytes appended, a PyMuPDF text edit saved in full or
incrementally, a cut) is `signature.broken`; an unsigned PDF gives no signature finding."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image

from fapiao.core.models import Severity, Status
from fapiao.intake.loaders import load_document
from fapiao.intake.pipeline import Pipeline, PipelineOptions
from fapiao.intake.signatures import check_pdf_signatures, signature_findings
from fapiao.intake.signatures.findings import BROKEN, DAMAGED, UNSUPPORTED, VALID, damaged_finding
from fapiao.intake.signatures.pdf import BYTERANGE_RE
from tests.intake.signed_pdf import SIGNER, signed_pdf

KINDS = ["adbe.pkcs7.detached", "adbe.x509.rsa_sha1"]


@pytest.fixture(scope="module", params=KINDS)
def signed(request) -> bytes:
    return signed_pdf(request.param)


def _codes(data: bytes) -> list[str]:
    return [f.code for f in signature_findings(check_pdf_signatures(data))]


def test_untouched_file_verifies_and_names_the_signer(signed):
    (check,) = check_pdf_signatures(signed)
    assert check.state == "valid", check.problems
    assert check.signature_ok and check.digest_ok and check.covers_whole_file
    assert check.serial == "1234ABCD" and SIGNER in check.signer_subject
    (finding,) = signature_findings([check])
    assert finding.code == VALID and finding.severity is Severity.info
    assert SIGNER in finding.message and SIGNER in finding.message_zh and "1234ABCD" in finding.message
    assert "cannot be checked offline" in finding.message and "无法离线核验" in finding.message_zh


def test_byte_changed_inside_the_signed_range_is_broken(signed):
    a, b, c, d = map(int, BYTERANGE_RE.search(signed).groups())
    pos = signed.index(b"12345678")  # the invoice number in the page content, inside the first signed part
    assert a <= pos < a + b
    tampered = signed[:pos] + b"9" + signed[pos + 1 :]
    (check,) = check_pdf_signatures(tampered)
    assert check.state == "broken" and (check.digest_ok is False or check.signature_ok is False)
    assert _codes(tampered) == [BROKEN]


def test_bytes_appended_after_signing_are_broken(signed):
    (check,) = check_pdf_signatures(signed + b"\n% appended\n")
    assert check.signature_ok and check.covers_whole_file is False and check.state == "broken"


@pytest.mark.parametrize("how", ["save", "saveIncr"])
def test_text_edit_saved_by_pymupdf_is_broken(signed, tmp_path, how):
    path = tmp_path / "edited.pdf"
    path.write_bytes(signed)
    doc = pymupdf.open(path)
    doc[0].insert_text((20, 150), "999.00", fontsize=12)
    if how == "saveIncr":
        doc.saveIncr()
        doc.close()
        edited = path.read_bytes()
    else:
        edited = doc.tobytes()
        doc.close()
    assert edited != signed
    assert _codes(edited) == [BROKEN]


def test_truncated_file_is_broken_and_damaged(signed):
    cut = signed[:-40]
    assert _codes(cut) == [BROKEN]
    assert load_document(cut, "cut.pdf").damage  # no %%EOF any more


def test_unsigned_pdf_gives_no_signature_finding():
    doc = pymupdf.open()
    doc.new_page().insert_text((40, 60), "Invoice 12345678")
    data = doc.tobytes()
    assert check_pdf_signatures(data) == []
    loaded = load_document(data, "plain.pdf")
    assert loaded.signatures == [] and loaded.damage == []


def test_signed_pdf_load_carries_the_check(signed):
    loaded = load_document(signed, "signed.pdf")
    assert [c.state for c in loaded.signatures] == ["valid"] and loaded.damage == []


def test_unknown_signature_format_is_checked_by_the_value_it_holds(signed):
    """The signature dictionary is inside the signed range: renaming its /SubFilter changes signed bytes, and
    the value (CMS or PKCS#1) is still checked, so the change is caught rather than waved through."""
    sub = BYTERANGE_RE.search(signed)
    start = signed.index(b"/SubFilter /", 0, sub.start())
    end = signed.index(b" ", start + len(b"/SubFilter /"))
    odd = signed[:start] + (b"/SubFilter /x.odd".ljust(end - start)) + signed[end:]  # same length: offsets kept
    (check,) = check_pdf_signatures(odd)
    assert check.state == "broken" and check.digest_ok is False


def test_unrecognisable_signature_value_is_unsupported():
    data = signed_pdf("adbe.pkcs7.detached")
    sub = BYTERANGE_RE.search(data)
    start = data.index(b"/SubFilter /", 0, sub.start())
    end = data.index(b" ", start + len(b"/SubFilter /"))
    odd = data[:start] + (b"/SubFilter /x.odd".ljust(end - start)) + data[end:]
    at = odd.index(b"/Contents <") + len(b"/Contents <")
    odd = odd[:at] + b"ff" + odd[at + 2 :]  # no longer DER: nothing says how to check it
    (check,) = check_pdf_signatures(odd)
    assert check.state == "unsupported" and "x.odd" in check.unsupported
    (finding,) = signature_findings([check])
    assert finding.code == UNSUPPORTED and finding.severity is Severity.warning and "x.odd" in finding.message


def test_damage_finding_is_bilingual_warning():
    f = damaged_finding([("the PDF was repaired", "PDF 已修复")])
    assert f.code == DAMAGED and f.severity is Severity.warning
    assert "repaired" in f.message and "已修复" in f.message_zh


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_image_cut_short_is_read_and_marked_damaged(fmt):
    rng = np.random.default_rng(1)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (200, 300, 3), dtype=np.uint8)).save(buf, fmt)
    whole = buf.getvalue()
    assert load_document(whole, "photo").damage == []
    cut = load_document(whole[: len(whole) * 2 // 3], "photo")
    assert cut.damage and cut.pages[0].image.shape[:2] == (200, 300)


SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "examples"


def _run(data: bytes, name: str):
    (result,) = Pipeline(PipelineOptions(ocr=False)).process_bytes(data, name)
    return result.status, [f.code for f in result.findings]


def test_damage_alone_keeps_an_invoice_from_verified():
    """An unsigned PDF and OFD that verify whole: cut short, or missing a part, they are still read but only
    `needs_review`, with `file.damaged` as the reason."""
    pdf = (SAMPLES / "digital_normal.pdf").read_bytes()
    assert _run(pdf, "a.pdf") == (Status.verified, [])
    assert _run(pdf[:-20], "a.pdf") == (Status.needs_review, [DAMAGED])  # MuPDF repairs it; no %%EOF
    ofd = (SAMPLES / "e_normal.ofd").read_bytes()
    assert _run(ofd, "b.ofd") == (Status.verified, [])
    src = zipfile.ZipFile(io.BytesIO(ofd))
    image = next(n for n in src.namelist() if n.lower().endswith((".png", ".jpg", ".jb2")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename != image:
                dst.writestr(info, src.read(info))
    assert _run(out.getvalue(), "b.ofd") == (Status.needs_review, [DAMAGED])
