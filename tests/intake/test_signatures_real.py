"""Issuer signatures on the real invoices (../shared/real-invoices): every signed original verifies, the
unsigned ones give no signature finding, and every tampered copy (a byte changed inside the signed range, a text
edit saved by PyMuPDF in full or incrementally, a cut file, an edited OFD part) is caught — `signature.broken` or
`file.damaged` — and never `verified`."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pymupdf
import pytest

from fapiao.core.models import Status
from fapiao.intake.pipeline import Pipeline, PipelineOptions
from fapiao.intake.signatures import check_ofd_signatures, check_pdf_signatures
from fapiao.intake.signatures.findings import BROKEN, DAMAGED, VALID
from fapiao.intake.signatures.pdf import BYTERANGE_RE

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "real-invoices" / "files"
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"the real invoices are not at {REAL}")

SIGNED_PDF = [
    *(f"einv_{n:03d}" for n in (1, 2, 3, 5, 6, 7, 8, 9, 11, 16, 17, 18, 19, 25)),
    "rail_001",
    "rail_002",
    "other_001",
    "other_002",
]
SIGNED_OFD = ["ofd_001", "ofd_003", "ofd_006", "ofd_007"]
UNSIGNED = [
    *(f"sd_{n:03d}.pdf" for n in (1, 2, 4, 6, 7, 8, 9, 10, 11)),
    *(f"toll_{n:03d}.pdf" for n in (1, 2, 3)),
    "ofd_002.ofd",
    "ofd_004.ofd",
]
# one of each kind: CMS RSA, x509.rsa_sha1 with SHA-256 and with SHA-1, SM2 with and without signed attributes
TAMPER_PDF = ["einv_001", "einv_005", "einv_009", "rail_001", "other_001"]


def _read(name: str) -> bytes:
    return (REAL / name).read_bytes()


def _caught(data: bytes, name: str) -> list:
    """The pipeline's results for a tampered copy: each must carry broken or damaged and not be verified."""
    results = Pipeline(PipelineOptions(ocr=False)).process_bytes(data, name)
    for r in results:
        codes = {f.code for f in r.findings}
        assert r.status is not Status.verified, (name, codes)
        assert r.status is Status.rejected or codes & {BROKEN, DAMAGED}, (name, codes)
    return results


@pytest.mark.parametrize("name", SIGNED_PDF)
def test_signed_pdf_verifies(name):
    (check,) = check_pdf_signatures(_read(name + ".pdf"))
    assert check.state == "valid", check.problems
    assert check.signer_subject and check.serial and check.not_before < check.not_after


@pytest.mark.parametrize("name", SIGNED_OFD)
def test_signed_ofd_verifies(name):
    (check,) = check_ofd_signatures(_read(name + ".ofd"))
    assert check.state == "valid", check.problems
    assert check.details["seal_signature_ok"] and "SM2" in check.algorithm


@pytest.mark.parametrize("name", UNSIGNED)
def test_unsigned_gives_no_check(name):
    data = _read(name)
    assert (check_ofd_signatures(data) if name.endswith(".ofd") else check_pdf_signatures(data)) == []


def test_spec_sample_ofd_008_does_not_verify():
    (check,) = check_ofd_signatures(_read("ofd_008.ofd"))
    assert check.state == "broken"


@pytest.mark.parametrize("name", ["einv_001.pdf", "einv_005.pdf", "rail_001.pdf", "ofd_001.ofd"])
def test_pipeline_reports_the_valid_signature(name):
    (result,) = Pipeline(PipelineOptions(ocr=False)).process_bytes(_read(name), name)
    (finding,) = [f for f in result.findings if f.code.startswith("signature.")]
    assert finding.code == VALID and "无法离线核验" in finding.message_zh


@pytest.mark.parametrize("name", TAMPER_PDF)
def test_byte_changed_inside_signed_range_is_caught(name):
    data = _read(name + ".pdf")
    a, b, c, d = map(int, BYTERANGE_RE.search(data).groups())
    for pos in (a + b // 2, c + d // 2):
        tampered = data[:pos] + bytes([data[pos] ^ 0x01]) + data[pos + 1 :]
        assert all(ch.state != "valid" for ch in check_pdf_signatures(tampered))
        _caught(tampered, name)


@pytest.mark.parametrize("name", TAMPER_PDF)
@pytest.mark.parametrize("how", ["save", "saveIncr"])
def test_text_edit_saved_by_pymupdf_is_caught(name, how, tmp_path):
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(_read(name + ".pdf"))
    doc = pymupdf.open(path)
    doc[0].insert_text((60, 60), "9999.00", fontsize=9)
    if how == "saveIncr":
        doc.saveIncr()
        doc.close()
        edited = path.read_bytes()
    else:
        edited = doc.tobytes()
        doc.close()
    checks = check_pdf_signatures(edited)
    assert checks and all(ch.state == "broken" for ch in checks)
    results = _caught(edited, name)
    # A document that is not a VAT invoice (other_*: 财政电子票据) is rejected before any finding is made.
    assert all(r.status is Status.rejected or BROKEN in {f.code for f in r.findings} for r in results)


@pytest.mark.parametrize("name", TAMPER_PDF)
@pytest.mark.parametrize("cut", [1, 20, 200])
def test_truncated_pdf_is_caught(name, cut):
    data = _read(name + ".pdf")
    _caught(data[:-cut], name)


def _ofd_with(data: bytes, member: str, change) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == member:
                body = change(body)
                if body is None:
                    continue
            dst.writestr(info.filename, body)
    return out.getvalue()


def _edit_digit(body: bytes) -> bytes:
    for digit in b"123456789":
        at = body.find(bytes([digit]) + b"<", body.find(b"TextCode"))
        if at > 0:
            return body[:at] + bytes([digit ^ 0x03]) + body[at + 1 :]
    raise AssertionError("no digit in a TextCode")


@pytest.mark.parametrize("name", SIGNED_OFD)
def test_ofd_with_an_edited_content_file_is_broken(name):
    data = _read(name + ".ofd")
    edited = _ofd_with(data, "Doc_0/Pages/Page_0/Content.xml", _edit_digit)
    (check,) = check_ofd_signatures(edited)
    assert check.state == "broken" and check.digest_ok is False
    results = _caught(edited, name)
    # A document that is not a VAT invoice (other_*: 财政电子票据) is rejected before any finding is made.
    assert all(r.status is Status.rejected or BROKEN in {f.code for f in r.findings} for r in results)


def test_ofd_unchanged_rezip_still_verifies():
    edited = _ofd_with(_read("ofd_001.ofd"), "OFD.xml", lambda body: body)
    assert [c.state for c in check_ofd_signatures(edited)] == ["valid"]


def test_ofd_with_a_missing_template_is_damaged_and_broken():
    data = _read("ofd_001.ofd")
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    template = next(n for n in names if n.endswith("Content.xml") and "Tpl" in n)
    results = _caught(_ofd_with(data, template, lambda body: None), "ofd_001")
    for r in results:
        assert {BROKEN, DAMAGED} <= {f.code for f in r.findings}


@pytest.mark.parametrize("name", SIGNED_OFD)
def test_truncated_ofd_is_rejected(name):
    data = _read(name + ".ofd")
    for r in _caught(data[: len(data) - 100], name):
        assert r.status is Status.rejected


def test_unsigned_ofd_with_a_missing_image_is_damaged():
    """ofd_002 (数电, unsigned): no signature to break, so the missing part itself must keep it from verified."""
    data = _read("ofd_002.ofd")
    image = next(n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.endswith(".png"))
    (original,) = Pipeline(PipelineOptions(ocr=False)).process_bytes(data, "ofd_002")
    assert DAMAGED not in {f.code for f in original.findings}
    for r in _caught(_ofd_with(data, image, lambda body: None), "ofd_002"):
        (finding,) = [f for f in r.findings if f.code == DAMAGED]
        assert image in finding.message and image in finding.message_zh
