"""The OFD electronic seal signature (GM/T 0031 SES_Signature, v4 and the older v1 layout): the signer's
signature over TBS_Sign, whose dataHash is the hash of Signature.xml, and the seal maker's signature over the
seal. Only structure definitions here; the verification is ``algorithms.verify_with_cert``."""

from __future__ import annotations

import contextlib

from asn1crypto import core
from cryptography import x509

from fapiao.intake.signatures.algorithms import (
    OID_SM3,
    SIGNATURES,
    Unsupported,
    digest,
    digest_label,
    signature_label,
    verify_with_cert,
)
from fapiao.intake.signatures.certs import read_certificate
from fapiao.intake.signatures.model import SignatureCheck

# Times are UTCTime or GeneralizedTime, read as text: real seals carry forms asn1crypto rejects
# (a UTCTime without seconds, '201709201022Z').
_Time = core.Any


def _time_text(value: core.Any) -> str:
    return (core.load(value.dump()).contents or b"").decode("latin-1", "replace")


class _ExtData(core.Sequence):
    _fields = [
        ("extn_id", core.ObjectIdentifier),
        ("critical", core.Boolean, {"default": False}),
        ("extn_value", core.OctetString),
    ]


class _ExtDatas(core.SequenceOf):
    _child_spec = _ExtData


class _Header(core.Sequence):
    _fields = [("id", core.IA5String), ("version", core.Integer), ("vid", core.IA5String)]


class _OctetStrings(core.SequenceOf):
    _child_spec = core.OctetString


class _PropertyV1(core.Sequence):
    _fields = [
        ("type", core.Integer),
        ("name", core.UTF8String),
        ("cert_list", _OctetStrings),
        ("create_date", _Time),
        ("valid_start", _Time),
        ("valid_end", _Time),
    ]


class _PropertyV4(core.Sequence):
    _fields = [
        ("type", core.Integer),
        ("name", core.UTF8String),
        ("cert_list_type", core.Integer),
        ("cert_list", core.Any),
        ("create_date", _Time),
        ("valid_start", _Time),
        ("valid_end", _Time),
    ]


class _Picture(core.Sequence):
    _fields = [("type", core.IA5String), ("data", core.OctetString), ("width", core.Integer), ("height", core.Integer)]


class _SealInfoV1(core.Sequence):
    _fields = [
        ("header", _Header),
        ("es_id", core.IA5String),
        ("property", _PropertyV1),
        ("picture", _Picture),
        ("ext_datas", _ExtDatas, {"optional": True}),
    ]


class _SealInfoV4(core.Sequence):
    _fields = [
        ("header", _Header),
        ("es_id", core.IA5String),
        ("property", _PropertyV4),
        ("picture", _Picture),
        ("ext_datas", _ExtDatas, {"optional": True}),
    ]


class _SignInfoV1(core.Sequence):
    _fields = [
        ("cert", core.OctetString),
        ("signature_algorithm", core.ObjectIdentifier),
        ("sign_data", core.BitString),
    ]


class _SealV1(core.Sequence):
    _fields = [("seal_info", _SealInfoV1), ("sign_info", _SignInfoV1)]


class _SealV4(core.Sequence):
    _fields = [
        ("seal_info", _SealInfoV4),
        ("cert", core.OctetString),
        ("sign_alg_id", core.ObjectIdentifier),
        ("signed_value", core.BitString),
    ]


class _TbsSignV1(core.Sequence):
    _fields = [
        ("version", core.Integer),
        ("eseal", _SealV1),
        ("time_info", core.BitString),
        ("data_hash", core.BitString),
        ("property_info", core.IA5String),
        ("cert", core.OctetString),
        ("signature_algorithm", core.ObjectIdentifier),
    ]


class _TbsSignV4(core.Sequence):
    _fields = [
        ("version", core.Integer),
        ("eseal", _SealV4),
        ("time_info", _Time),
        ("data_hash", core.BitString),
        ("property_info", core.IA5String),
        ("ext_datas", _ExtDatas, {"optional": True}),
    ]


class _SesSignatureV1(core.Sequence):
    _fields = [("to_sign", _TbsSignV1), ("signature", core.BitString)]


class _SesSignatureV4(core.Sequence):
    _fields = [
        ("to_sign", _TbsSignV4),
        ("cert", core.OctetString),
        ("signature_alg_id", core.ObjectIdentifier),
        ("signature", core.BitString),
        ("time_stamp", core.BitString, {"explicit": 0, "optional": True}),
    ]


def _bits(value: core.BitString) -> bytes:
    contents = value.contents or b""
    return contents[1:] if contents else b""  # drop the unused-bits octet


def ses_version(signed_value: bytes) -> int | None:
    """The SES version when ``signed_value`` looks like an SES_Signature, else None."""
    try:
        version = core.Sequence.load(signed_value)[0][0].native
    except Exception:
        return None
    return version if isinstance(version, int) else None


def check_ses(check: SignatureCheck, signed_value: bytes, signature_xml: bytes, version: int) -> None:
    check.kind = f"ofd:SES_Signature v{version}"
    try:
        ses = (_SesSignatureV4 if version == 4 else _SesSignatureV1).load(signed_value)
        tbs = ses["to_sign"]
        seal = tbs["eseal"]
        prop = seal["seal_info"]["property"]
        if version == 4:
            cert_der, sig_oid = ses["cert"].native, ses["signature_alg_id"].dotted
            check.signing_time = _time_text(tbs["time_info"])
            seal_cert, seal_oid, seal_sig = seal["cert"].native, seal["sign_alg_id"].dotted, _bits(seal["signed_value"])
        else:
            cert_der, sig_oid = tbs["cert"].native, tbs["signature_algorithm"].dotted
            check.signing_time = _bits(tbs["time_info"]).decode("latin-1", "replace")
            info = seal["sign_info"]
            seal_cert, seal_oid = info["cert"].native, info["signature_algorithm"].dotted
            seal_sig = _bits(info["sign_data"])
        signature, data_hash = _bits(ses["signature"]), _bits(tbs["data_hash"])
        check.details["seal_name"] = prop["name"].native
        tbs_der, seal_info_der = tbs.dump(), seal["seal_info"].dump()
    except Exception as exc:
        check.problem(f"the seal signature (SES v{version}) cannot be read ({exc})")
        return
    check.algorithm = signature_label(sig_oid)
    read_certificate(check, cert_der)
    digest_oid = SIGNATURES.get(sig_oid, (None, None, None))[2] or OID_SM3
    try:
        data_hash_ok = digest(digest_oid, signature_xml) == data_hash
        signature_ok = verify_with_cert(cert_der, sig_oid, digest_oid, signature, tbs_der)
    except Unsupported as exc:
        check.unsupported = f"{exc} (hash {digest_label(digest_oid)})"
        return
    check.outcome(signature_ok=signature_ok)
    if not data_hash_ok:
        check.digest_ok = False
        check.problem("the seal signature's dataHash does not match Signature.xml")
    try:  # the seal itself is signed by its maker over the DER of SES_SealInfo
        seal_ok = verify_with_cert(
            seal_cert, seal_oid, SIGNATURES.get(seal_oid, (None, None, None))[2], seal_sig, seal_info_der
        )
    except Unsupported as exc:
        check.details["seal_unsupported"] = str(exc)
    else:
        check.details["seal_signature_ok"] = seal_ok
        if not seal_ok:
            check.problem("the seal maker's signature on the seal does not verify")
    with contextlib.suppress(Exception):  # informative only
        check.details["seal_maker"] = x509.load_der_x509_certificate(seal_cert).subject.rfc4514_string()
