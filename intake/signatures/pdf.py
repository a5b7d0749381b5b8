"""PDF signatures: for each signature dictionary, the /ByteRange bytes against the signature, and whether that
range is the whole file but the signature value (bytes appended after signing, such as an incremental update
with an edit, are not covered by it).

Signature dictionaries are found with PyMuPDF's object model; when MuPDF cannot open the file, or finds fewer
than the raw bytes hold, the raw bytes are scanned (a signature dictionary cannot live in an object stream,
since its /ByteRange must be written in place). /Contents is taken from the byte-range gap, not from MuPDF,
whose string values are text-decoded."""

from __future__ import annotations

import binascii
import contextlib
import re
from dataclasses import dataclass
from typing import Any

import pymupdf
from asn1crypto import algos, core
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from fapiao.intake.signatures.algorithms import DIGESTS, Unsupported, digest, digest_label
from fapiao.intake.signatures.certs import note_validity, read_certificate
from fapiao.intake.signatures.cms import check_cms
from fapiao.intake.signatures.model import SignatureCheck

BYTERANGE_RE = re.compile(rb"/ByteRange\s*\[\s*(-?\d+)\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)\s*\]")


@dataclass
class _PdfSig:
    name: str
    obj_text: str
    byte_range: list[int] | None
    sub_filter: str | None
    certs: list[bytes]
    signing_time: str | None


def check_pdf_signatures(data: bytes) -> list[SignatureCheck]:
    """One check per signature dictionary; an empty list for an unsigned PDF. Never raises."""
    try:
        sigs = _find_signatures(data)
    except Exception as exc:  # a hostile file must not escape as an exception
        return [SignatureCheck(kind="pdf", problems=[f"the signatures cannot be located ({type(exc).__name__})"])]
    checks = []
    for sig in sigs:
        check = SignatureCheck(kind=f"pdf:{sig.sub_filter or '?'}", field=sig.name, signing_time=sig.signing_time)
        try:
            _check_one(check, sig, data)
            note_validity(check)
        except Exception as exc:
            check.problem(f"the signature cannot be checked ({type(exc).__name__}: {exc})")
        checks.append(check)
    return checks


def _find_signatures(data: bytes) -> list[_PdfSig]:
    raw_count = len(BYTERANGE_RE.findall(data))
    if not raw_count:
        return []
    sigs: list[_PdfSig] = []
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception:
        doc = None
    if doc is not None:
        with doc:
            sigs = _from_object_model(doc)
    if len(sigs) < raw_count:
        sigs = _raw_scan(data)
    return sigs


def _from_object_model(doc: Any) -> list[_PdfSig]:
    names: dict[int, str] = {}
    texts: dict[int, str] = {}
    for xref in range(1, doc.xref_length()):
        try:
            texts[xref] = doc.xref_object(xref, compressed=True)
        except Exception:
            continue
        if "/FT/Sig" in texts[xref].replace(" ", ""):
            kind, value = doc.xref_get_key(xref, "V")
            if kind == "xref":
                names[int(value.split()[0])] = _text(doc.xref_get_key(xref, "T")) or f"xref {xref}"
    sigs = []
    for xref, text in texts.items():
        if "/ByteRange" not in text:
            continue
        sigs.append(
            _PdfSig(
                name=names.get(xref, f"xref {xref}"),
                obj_text=text,
                byte_range=_byte_range(doc.xref_get_key(xref, "ByteRange")),
                sub_filter=_name(doc.xref_get_key(xref, "SubFilter")),
                certs=_certs(doc, xref),
                signing_time=_text(doc.xref_get_key(xref, "M")),
            )
        )
    return sigs


def _text(item: tuple[str, str]) -> str | None:
    return item[1] if item[0] == "string" else None


def _name(item: tuple[str, str]) -> str | None:
    return item[1].lstrip("/") if item[0] == "name" else None


def _byte_range(item: tuple[str, str]) -> list[int] | None:
    if item[0] != "array":
        return None
    try:
        return [int(v) for v in item[1].strip("[] ").split()]
    except ValueError:
        return None


def _certs(doc: Any, xref: int) -> list[bytes]:
    kind, value = doc.xref_get_key(xref, "Cert")
    if kind == "null":
        return []
    if kind == "xref":
        return pdf_strings(doc.xref_object(int(value.split()[0]), compressed=True))
    if kind == "array":
        out: list[bytes] = []
        for ref in re.findall(r"(\d+)\s+\d+\s+R", value):
            out += pdf_strings(doc.xref_object(int(ref), compressed=True))
        return out + pdf_strings(re.sub(r"\d+\s+\d+\s+R", "", value))
    # a direct string: MuPDF's value is text-decoded, so read it from the object's text (binary shows as hex)
    m = re.search(r"/Cert\s*(<[0-9A-Fa-f\s]*>|\[[^\]]*\])", doc.xref_object(xref, compressed=True))
    return pdf_strings(m.group(1)) if m else []


_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def pdf_strings(text: str | bytes) -> list[bytes]:
    """The string objects in a PDF token sequence, <hex> and (literal) forms (PDF syntax, not cryptography)."""
    if isinstance(text, str):
        text = text.encode("latin-1", "replace")
    out, i = [], 0
    while i < len(text):
        c = text[i : i + 1]
        if c == b"<" and text[i + 1 : i + 2] != b"<":
            end = text.find(b">", i)
            if end < 0:
                break
            hexs = re.sub(rb"\s", b"", text[i + 1 : end])
            with contextlib.suppress(binascii.Error):
                out.append(binascii.unhexlify(hexs + b"0" * (len(hexs) % 2)))
            i = end + 1
        elif c == b"(":
            buf, depth, i = bytearray(), 1, i + 1
            while i < len(text) and depth:
                ch = text[i : i + 1]
                if ch == b"\\":
                    nxt = text[i + 1 : i + 2]
                    octal = re.match(rb"[0-7]{1,3}", text[i + 1 : i + 4])
                    if nxt in _ESCAPES:
                        buf += _ESCAPES[nxt]
                        i += 2
                    elif octal:
                        buf.append(int(octal.group(0), 8) & 0xFF)
                        i += 1 + len(octal.group(0))
                    else:
                        i += 1
                    continue
                depth += (ch == b"(") - (ch == b")")
                if depth:
                    buf += ch
                i += 1
            out.append(bytes(buf))
        elif c == b"<":
            i += 2
        else:
            i += 1
    return out


def _raw_scan(data: bytes) -> list[_PdfSig]:
    sigs = []
    for m in BYTERANGE_RE.finditer(data):
        start = data.rfind(b" obj", 0, m.start())
        end = data.find(b"endobj", m.end())
        start = start + 4 if start >= 0 and m.start() - start < 200_000 else max(0, m.start() - 4096)
        end = end if end >= 0 else min(len(data), m.end() + 65536)
        obj = data[start:end]
        sub = re.search(rb"/SubFilter\s*/([A-Za-z0-9._#-]+)", obj)
        when = re.search(rb"/M\s*\((D:[^)]*)\)", obj)
        certs: list[bytes] = []
        cm = re.search(rb"/Cert\s*(<[0-9A-Fa-f\s]*>|\[[^\]]*\]|(\d+)\s+\d+\s+R)", obj)
        if cm:
            certs = pdf_strings(re.sub(rb"\d+\s+\d+\s+R", b"", cm.group(1)))
            for ref in re.findall(rb"(\d+)\s+\d+\s+R", cm.group(1)):
                om = re.search(rb"(?<!\d)" + ref + rb"\s+\d+\s+obj\s*(<[0-9A-Fa-f\s]*>)", data)
                if om:
                    certs += pdf_strings(om.group(1))
        sigs.append(
            _PdfSig(
                name=f"offset {m.start()}",
                obj_text=obj.decode("latin-1"),
                byte_range=[int(x) for x in m.groups()],
                sub_filter=sub.group(1).decode("latin-1") if sub else None,
                certs=certs,
                signing_time=when.group(1).decode("latin-1") if when else None,
            )
        )
    return sigs


def _check_one(check: SignatureCheck, sig: _PdfSig, data: bytes) -> None:
    br = sig.byte_range
    if not br or len(br) != 4 or any(v < 0 for v in br):
        check.problem(f"malformed /ByteRange {br}")
        return
    a, b, c, d = br
    check.details["byte_range"] = br
    if not (a <= a + b <= c):
        check.problem(f"/ByteRange {br} is not two ascending parts")
        return
    if c + d > len(data):
        check.covers_whole_file = False
        check.problem(f"the signed range ends at byte {c + d}, past the end of the file ({len(data)} bytes)")
        return
    gap = data[a + b : c]
    m = re.fullmatch(rb"<([0-9A-Fa-f\s]*)>", gap)
    if m is None:
        check.covers_whole_file = False
        check.problem("the bytes left out of the signed range are not the signature value (the file was rewritten)")
        return
    hexs = re.sub(rb"\s", b"", m.group(1))
    contents = binascii.unhexlify(hexs + b"0" * (len(hexs) % 2))
    own = re.search(r"/Contents\s*<([0-9A-Fa-f\s]*)>", sig.obj_text)
    if own and re.sub(r"\s", "", own.group(1)).upper() != hexs.decode().upper():
        check.problem("the signed range leaves out a value other than this signature's own")
    trailing = len(data) - (c + d)
    check.covers_whole_file = a == 0 and trailing == 0
    if a:
        check.problem(f"the signed range starts at byte {a}, not at the start of the file")
    if trailing:
        check.problem(
            f"{trailing} bytes were added after the signed range (a later revision the signature does not cover)"
        )
    signed = data[a : a + b] + data[c : c + d]
    try:  # /Contents is DER padded with zeros; anything else after the DER would be outside every check
        der_len = len(core.Asn1Value.load(contents, strict=False).dump())
        if contents[der_len:].strip(b"\x00"):
            check.problem("non-zero bytes follow the signature value in /Contents")
    except Exception:  # unreadable DER is reported by the check of the value itself
        pass
    sub = sig.sub_filter
    if sub is None:  # required in every signature dictionary; it is inside the signed range
        check.problem("the signature dictionary names no /SubFilter: it is damaged or was altered")
        return
    if sub not in _KNOWN_SUB_FILTERS and sub != "ETSI.RFC3161":
        # An unknown or unreadable /SubFilter (the dictionary is inside the signed range, so a changed byte there
        # garbles it): the value's own form still tells how to check it. Unrecognisable: unsupported.
        check.details["sub_filter"] = sub
        sub = {0x30: "adbe.pkcs7.detached", 0x04: "adbe.x509.rsa_sha1"}.get(contents[0] if contents else -1)
        if sub == "adbe.x509.rsa_sha1" and not sig.certs:
            sub = None
    if sub == "adbe.x509.rsa_sha1":
        _check_x509_rsa_sha1(check, contents, sig.certs, signed)
    elif sub in ("adbe.pkcs7.detached", "ETSI.CAdES.detached", "adbe.pkcs7.sha1"):
        check_cms(check, contents, signed, encapsulated_sha1=(sub == "adbe.pkcs7.sha1"))
    else:
        check.unsupported = f"signature format /SubFilter /{sig.sub_filter}"


_KNOWN_SUB_FILTERS = ("adbe.x509.rsa_sha1", "adbe.pkcs7.detached", "ETSI.CAdES.detached", "adbe.pkcs7.sha1")


def _check_x509_rsa_sha1(check: SignatureCheck, contents: bytes, certs: list[bytes], signed: bytes) -> None:
    """/Contents is a DER OCTET STRING holding an RSA PKCS#1 v1.5 signature; /Cert holds the signer's
    certificate first. The hash is the one the signature's DigestInfo names: SHA-1 by the name, SHA-256 on many
    real files."""
    try:
        value = core.OctetString.load(contents, strict=False).native
    except Exception as exc:
        check.problem(f"the signature value is not a DER OCTET STRING ({exc})")
        return
    if not certs:
        check.problem("no signer certificate (/Cert)")
        return
    read_certificate(check, certs[0])
    try:
        key = x509.load_der_x509_certificate(certs[0]).public_key()
    except Exception as exc:
        check.unsupported = f"signer key that cannot be loaded ({exc})"
        return
    if not isinstance(key, rsa.RSAPublicKey):
        check.unsupported = f"adbe.x509.rsa_sha1 with a {type(key).__name__} key"
        return
    try:  # the public-key operation yields the DigestInfo, which names the hash that was used
        info = algos.DigestInfo.load(key.recover_data_from_signature(value, padding.PKCS1v15(), None))
        digest_oid = info["digest_algorithm"]["algorithm"].dotted
        embedded = info["digest"].native
    except Exception:
        check.signature_ok = False
        check.problem("the signature value does not decode with the signer's key")
        return
    check.digest_algorithm = digest_label(digest_oid)
    check.algorithm = f"RSA PKCS#1 v1.5 with {DIGESTS.get(digest_oid, ('?',))[0]} (1.2.840.113549.1.1.1)"
    try:
        check.outcome(digest_ok=digest(digest_oid, signed) == embedded)
        key.verify(value, signed, padding.PKCS1v15(), DIGESTS[digest_oid][1])
        check.signature_ok = True
    except InvalidSignature:
        if check.digest_ok:
            check.outcome(signature_ok=False)
        else:
            check.signature_ok = False  # the digest check above already named the problem
    except (Unsupported, KeyError) as exc:
        check.unsupported = f"digest {digest_label(digest_oid)} ({exc})"
