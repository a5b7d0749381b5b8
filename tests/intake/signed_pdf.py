"""A small signed PDF made in the test with a self-signed RSA certificate, so the signature checks are tested
without the real invoices: ``adbe.pkcs7.detached`` (CMS from cryptography's PKCS#7 builder) or
``adbe.x509.rsa_sha1`` (a PKCS#1 v1.5 signature in a DER OCTET STRING, the certificate in /Cert)."""

from __future__ import annotations

import datetime as dt

from asn1crypto import core
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

SIGNER = "测试销售有限公司"
_CONTENTS_BYTES = 8192
_PLACEHOLDER = b"/ByteRange [0 0000000000 0000000000 0000000000]"


def self_signed(common_name: str = SIGNER) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)  # valid from before the /M date to long after today
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(0x1234ABCD)
        .not_valid_before(start)
        .not_valid_after(dt.datetime.now(dt.UTC) + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    return key, cert


def signed_pdf(sub_filter: str = "adbe.pkcs7.detached", text: str = "Invoice 12345678 total 106.00") -> bytes:
    """A one-page PDF whose signature covers the whole file but the signature value."""
    key, cert = self_signed()
    cert_der = cert.public_bytes(serialization.Encoding.DER)
    cert_entry = b"/Cert <" + cert_der.hex().encode() + b">" if sub_filter == "adbe.x509.rsa_sha1" else b""
    stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R] /SigFlags 3 >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 6 0 R >> >> /Annots [5 0 R] >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature1) /V 7 0 R /Rect [0 0 0 0] /P 3 0 R /F 132 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /"
        + sub_filter.encode()
        + b" "
        + _PLACEHOLDER
        + b" /Contents <"
        + b"0" * (2 * _CONTENTS_BYTES)
        + b"> "
        + cert_entry
        + b" /M (D:20240601120000+08'00') >>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    start = out.index(b"/Contents <", out.index(b"/Type /Sig")) + len(b"/Contents ")
    end = out.index(b">", start) + 1
    byte_range = f"/ByteRange [0 {start:010d} {end:010d} {len(out) - end:010d}]".encode()
    at = out.index(_PLACEHOLDER)
    out[at : at + len(_PLACEHOLDER)] = byte_range
    signed = bytes(out[:start] + out[end:])
    if sub_filter == "adbe.x509.rsa_sha1":
        value = core.OctetString(key.sign(signed, padding.PKCS1v15(), hashes.SHA1())).dump()
    else:
        value = (
            pkcs7.PKCS7SignatureBuilder()
            .set_data(signed)
            .add_signer(cert, key, hashes.SHA256())
            .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary])
        )
    hexed = value.hex().encode()
    out[start + 1 : start + 1 + len(hexed)] = hexed
    return bytes(out)
