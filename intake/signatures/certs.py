"""The signer's certificate as a reader needs it (subject, issuer, serial, validity), and whether the signing
time the file declares lies inside that validity: certificates are judged at signing time, since many of the
issuers' certificates have expired since."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from asn1crypto import core
from asn1crypto import x509 as a_x509
from cryptography import x509

from fapiao.intake.signatures.algorithms import OID_SM2
from fapiao.intake.signatures.model import SignatureCheck


def read_certificate(check: SignatureCheck, cert_der: bytes | None) -> None:
    if not cert_der:
        check.problem("no signer certificate in the file")
        return
    check.details["key"] = _key_label(cert_der)
    try:
        cert = x509.load_der_x509_certificate(cert_der)
        check.signer_subject = cert.subject.rfc4514_string()
        check.issuer = cert.issuer.rfc4514_string()
        check.serial = format(cert.serial_number, "X")
        check.not_before, check.not_after = cert.not_valid_before_utc, cert.not_valid_after_utc
        check.details["signer_name"] = _common_name(cert.subject) or check.signer_subject
        return
    except Exception:  # cryptography is strict about odd encodings: asn1crypto reads more
        pass
    try:
        a_cert = a_x509.Certificate.load(cert_der)
        check.signer_subject = a_cert.subject.human_friendly
        check.issuer = a_cert.issuer.human_friendly
        check.serial = format(a_cert.serial_number, "X")
        check.not_before, check.not_after = a_cert.not_valid_before, a_cert.not_valid_after
        check.details["signer_name"] = a_cert.subject.native.get("common_name") or check.signer_subject
    except Exception as exc:
        check.problem(f"the signer's certificate cannot be read ({exc})")


def _common_name(name: x509.Name) -> str | None:
    found = name.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(found[0].value) if found else None


def _key_label(cert_der: bytes) -> str:
    try:
        info = a_x509.Certificate.load(cert_der).public_key
        algo = info["algorithm"]["algorithm"].native
        if algo == "rsa":
            return f"RSA-{info.bit_size}"
        params = info["algorithm"]["parameters"]
        if algo == "ec" and isinstance(params.chosen, core.ObjectIdentifier):
            return "SM2" if params.chosen.dotted == OID_SM2 else f"EC {params.chosen.native}"
        return str(algo)
    except Exception:
        return "?"


def note_validity(check: SignatureCheck) -> None:
    """Was the declared signing time inside the certificate's validity? (Now does not matter.)"""
    when = parse_time(check.signing_time)
    if when is None or check.not_before is None or check.not_after is None:
        return
    nb, na = check.not_before, check.not_after
    if nb.tzinfo is None:
        nb, na = nb.replace(tzinfo=UTC), na.replace(tzinfo=UTC)
    inside = nb <= when <= na
    check.details["signed_within_validity"] = inside
    if not inside:
        check.problem(f"signed at {when:%Y-%m-%d}, outside the certificate's validity ({nb:%Y-%m-%d} – {na:%Y-%m-%d})")


def parse_time(text: str | None) -> datetime | None:
    """PDF dates (D:20240514231336+08'00'), GeneralizedTime / UTCTime text, ISO 8601."""
    if not text:
        return None
    t = text.strip()
    if "-" in t[:8]:
        try:
            parsed = datetime.fromisoformat(t)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    m = re.fullmatch(r"(?:D:)?(\d{10,14})(?:\.\d+)?(Z|[+-]\d\d'?\d\d'?)?", t)
    if not m:
        return None
    digits, zone = m.group(1), (m.group(2) or "Z").replace("'", "")
    if len(digits) == 14:
        year, rest = int(digits[:4]), digits[4:]
    elif len(digits) in (10, 12):  # UTCTime: YYMMDDHHMM[SS]
        year, rest = int(digits[:2]), digits[2:]
        year += 1900 if year >= 50 else 2000
    else:
        return None
    parts = [int(rest[i : i + 2]) for i in range(0, len(rest), 2)] + [0]
    try:
        tz = (
            UTC
            if zone == "Z"
            else timezone((-1 if zone[0] == "-" else 1) * timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5])))
        )
        return datetime(year, parts[0], parts[1], parts[2], parts[3], parts[4], tzinfo=tz)
    except (ValueError, IndexError):
        return None
