"""A detached CMS / PKCS#7 SignedData (RFC 5652), including the GM/T 0010 flavour with SM2/SM3 OIDs, checked
against the bytes it signs: the messageDigest attribute against their hash, then the signature over the signed
attributes (or, with no signed attributes, directly over the bytes)."""

from __future__ import annotations

import contextlib

from asn1crypto import cms
from asn1crypto import x509 as a_x509

from fapiao.intake.signatures.algorithms import Unsupported, digest, digest_label, signature_label, verify_with_cert
from fapiao.intake.signatures.certs import read_certificate
from fapiao.intake.signatures.model import SignatureCheck

OID_GM_SIGNED_DATA = "1.2.156.10197.6.1.4.2.2"
OID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
OID_SIGNING_TIME = "1.2.840.113549.1.9.5"


class _ContentInfo(cms.ContentInfo):
    """ContentInfo that also maps the GM/T 0010 signedData OID to SignedData."""

    _oid_specs = dict(cms.ContentInfo._oid_specs, **{OID_GM_SIGNED_DATA: cms.SignedData})


def check_cms(check: SignatureCheck, cms_der: bytes, content: bytes, encapsulated_sha1: bool = False) -> None:
    """``encapsulated_sha1``: adbe.pkcs7.sha1, where the signed content is the SHA-1 of ``content``."""
    try:
        info = _ContentInfo.load(cms_der, strict=False)  # a PDF /Contents is zero-padded after the DER
        ctype = info["content_type"].dotted
        if ctype not in ("1.2.840.113549.1.7.2", OID_GM_SIGNED_DATA):
            check.problem(f"the CMS content type {ctype} is not SignedData")
            return
        signed_data = info["content"]
        signer_infos = signed_data["signer_infos"]
        certs = [c.chosen for c in (signed_data["certificates"] or []) if c.name == "certificate"]
    except Exception as exc:
        check.problem(f"the signature value cannot be read as CMS ({exc})")
        return
    if len(signer_infos) != 1:
        check.problem(f"{len(signer_infos)} signers in one signature (expected 1)")
        if not signer_infos:
            return
    si = signer_infos[0]
    digest_oid = si["digest_algorithm"]["algorithm"].dotted
    sig_oid = si["signature_algorithm"]["algorithm"].dotted
    check.digest_algorithm, check.algorithm = digest_label(digest_oid), signature_label(sig_oid)
    signer = _find_signer(si["sid"], certs)
    if signer is None:
        check.problem("the signer's certificate is not in the signature")
        return
    read_certificate(check, signer.dump())
    try:
        actual = digest(digest_oid, content)
    except Unsupported as exc:
        check.unsupported = str(exc)
        return
    attrs = si["signed_attrs"]
    if attrs:
        values = {a["type"].dotted: a["values"] for a in attrs}
        md = values.get(OID_MESSAGE_DIGEST)
        if md is None or len(md) != 1:
            check.digest_ok = False
            check.problem("the signed attributes have no single messageDigest")
        else:
            check.outcome(digest_ok=md[0].native == actual)
        if OID_SIGNING_TIME in values:
            with contextlib.suppress(Exception):  # an unreadable time is left out; the PDF's /M may still give one
                check.signing_time = values[OID_SIGNING_TIME][0].native.isoformat()
        message = b"\x31" + attrs.dump()[1:]  # signed as a universal SET, not the [0] it is stored as
    elif encapsulated_sha1:
        encap = signed_data["encap_content_info"]["content"].native
        check.outcome(digest_ok=encap is not None and bytes(encap) == digest("1.3.14.3.2.26", content))
        message = bytes(encap or b"")
    else:
        message = content  # the signature itself covers the bytes
    try:
        check.outcome(
            signature_ok=verify_with_cert(signer.dump(), sig_oid, digest_oid, si["signature"].native, message)
        )
    except Unsupported as exc:
        check.unsupported = str(exc)
        return
    if check.digest_ok is None and not attrs and not encapsulated_sha1:
        check.digest_ok = check.signature_ok


def _find_signer(sid: cms.SignerIdentifier, certs: list[a_x509.Certificate]) -> a_x509.Certificate | None:
    for cert in certs:
        if sid.name == "issuer_and_serial_number":
            ias = sid.chosen
            if cert.serial_number == ias["serial_number"].native and cert.issuer == ias["issuer"]:
                return cert
        elif sid.name == "subject_key_identifier" and cert.key_identifier == sid.chosen.native:
            return cert
    return None
