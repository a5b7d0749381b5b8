"""Algorithm identifiers and the one place that verifies a signature with a certificate's key.

RSA and ECDSA go to ``cryptography`` (OpenSSL). SM2 goes to ``gmssl_pyx`` (the GmSSL C library): cryptography
loads SM2 certificates but has no SM2 verification. ``gmssl_pyx.sm2_verify`` computes the SM2 pre-hash Z_A
from the signer ID itself, so no cryptography is written here.
"""

from __future__ import annotations

import hashlib

import gmssl_pyx
from asn1crypto import algos, core
from asn1crypto import x509 as a_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

OID_SM3 = "1.2.156.10197.1.401"
OID_SM2_SM3 = "1.2.156.10197.1.501"
OID_SM2_SIGN = "1.2.156.10197.1.301.1"
OID_SM2 = "1.2.156.10197.1.301"
OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1"
SM2_DEFAULT_SIGNER_ID = b"1234567812345678"

DIGESTS: dict[str, tuple[str, hashes.HashAlgorithm]] = {
    "1.2.840.113549.2.5": ("MD5", hashes.MD5()),
    "1.3.14.3.2.26": ("SHA-1", hashes.SHA1()),
    "2.16.840.1.101.3.4.2.4": ("SHA-224", hashes.SHA224()),
    "2.16.840.1.101.3.4.2.1": ("SHA-256", hashes.SHA256()),
    "2.16.840.1.101.3.4.2.2": ("SHA-384", hashes.SHA384()),
    "2.16.840.1.101.3.4.2.3": ("SHA-512", hashes.SHA512()),
    OID_SM3: ("SM3", hashes.SM3()),
}
DIGEST_BY_NAME = {name.lower().replace("-", ""): oid for oid, (name, _) in DIGESTS.items()}

# Signature OID → (name, key family, the digest it implies or None).
SIGNATURES: dict[str, tuple[str, str, str | None]] = {
    "1.2.840.113549.1.1.1": ("rsaEncryption", "rsa", None),
    "1.2.840.113549.1.1.4": ("md5WithRSA", "rsa", "1.2.840.113549.2.5"),
    "1.2.840.113549.1.1.5": ("sha1WithRSA", "rsa", "1.3.14.3.2.26"),
    "1.2.840.113549.1.1.11": ("sha256WithRSA", "rsa", "2.16.840.1.101.3.4.2.1"),
    "1.2.840.113549.1.1.12": ("sha384WithRSA", "rsa", "2.16.840.1.101.3.4.2.2"),
    "1.2.840.113549.1.1.13": ("sha512WithRSA", "rsa", "2.16.840.1.101.3.4.2.3"),
    OID_EC_PUBLIC_KEY: ("ecPublicKey", "ecdsa", None),
    "1.2.840.10045.4.1": ("ecdsa-with-SHA1", "ecdsa", "1.3.14.3.2.26"),
    "1.2.840.10045.4.3.2": ("ecdsa-with-SHA256", "ecdsa", "2.16.840.1.101.3.4.2.1"),
    "1.2.840.10045.4.3.3": ("ecdsa-with-SHA384", "ecdsa", "2.16.840.1.101.3.4.2.2"),
    OID_SM2_SM3: ("SM2-with-SM3", "sm2", OID_SM3),
    OID_SM2_SIGN: ("sm2sign", "sm2", OID_SM3),
    OID_SM2: ("sm2", "sm2", OID_SM3),
}


class Unsupported(Exception):
    """The signature uses an algorithm or key this code cannot check (the message names it)."""


def digest_label(oid: str | None) -> str | None:
    if oid is None:
        return None
    return f"{DIGESTS[oid][0]} ({oid})" if oid in DIGESTS else f"unknown ({oid})"


def signature_label(oid: str | None) -> str | None:
    if oid is None:
        return None
    return f"{SIGNATURES[oid][0]} ({oid})" if oid in SIGNATURES else f"unknown ({oid})"


def digest(digest_oid: str, data: bytes) -> bytes:
    if digest_oid not in DIGESTS:
        raise Unsupported(f"digest algorithm {digest_oid}")
    if digest_oid == OID_SM3:  # hashlib's OpenSSL may lack SM3; cryptography's bundled one has it
        h = hashes.Hash(hashes.SM3())
        h.update(data)
        return h.finalize()
    return hashlib.new(DIGESTS[digest_oid][0].lower().replace("-", ""), data).digest()


def is_sm2_key(cert_der: bytes) -> bool:
    info = a_x509.Certificate.load(cert_der).public_key
    params = info["algorithm"]["parameters"]
    return (
        info["algorithm"]["algorithm"].dotted == OID_EC_PUBLIC_KEY
        and isinstance(params.chosen, core.ObjectIdentifier)
        and params.chosen.dotted == OID_SM2
    )


def verify_with_cert(cert_der: bytes, sig_oid: str, digest_oid: str | None, signature: bytes, message: bytes) -> bool:
    """Does ``signature`` over ``message`` verify with the certificate's key? Raises Unsupported when it cannot
    be checked at all."""
    name, family, implied = SIGNATURES.get(sig_oid, (None, None, None))
    digest_oid = implied or digest_oid
    sm2_key = is_sm2_key(cert_der)
    if family == "sm2" or (family == "ecdsa" and sm2_key):
        if not sm2_key:
            raise Unsupported(f"{name} signature, but the certificate's key is not an SM2 key")
        return sm2_verify(a_x509.Certificate.load(cert_der).public_key["public_key"].native, signature, message)
    if family is None or digest_oid not in DIGESTS:
        raise Unsupported(f"signature algorithm {signature_label(sig_oid)} with digest {digest_label(digest_oid)}")
    key = x509.load_der_x509_certificate(cert_der).public_key()
    hash_algorithm = DIGESTS[digest_oid][1]
    try:
        if family == "rsa" and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, message, padding.PKCS1v15(), hash_algorithm)
        elif family == "ecdsa" and isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, message, ec.ECDSA(hash_algorithm))
        else:
            raise Unsupported(f"{name} signature with a {type(key).__name__} key")
    except InvalidSignature:
        return False
    return True


def sm2_verify(public_point: bytes, signature: bytes, message: bytes) -> bool:
    """SM2-with-SM3 with the default signer ID (GM/T 0009). ``signature`` is DER SEQUENCE{r, s} or raw r‖s."""
    if len(public_point) != 65 or public_point[0] != 4:
        raise Unsupported("SM2 public key that is not an uncompressed point")
    if len(signature) == 64:  # raw r‖s: re-encode as DER, the form GmSSL takes
        r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        signature = algos.DSASignature({"r": r, "s": s}).dump()
    try:
        return bool(gmssl_pyx.sm2_verify(public_point[1:], message, signature, signer_id=SM2_DEFAULT_SIGNER_ID))
    except (gmssl_pyx.InvalidValueError, gmssl_pyx.GmsslInnerError, ValueError):
        return False  # a malformed signature or a key off the curve
