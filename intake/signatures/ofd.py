"""OFD signatures (GB/T 33190 §18): each Signature.xml lists the package files it covers with their digests
(SM3 on real invoices) and points to the signature value (an SES seal signature, or a CMS SignedData) over
Signature.xml itself. A file changed after signing fails its digest; a file added after signing is outside
every reference."""

from __future__ import annotations

import base64
import binascii
import io
import posixpath
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from defusedxml import ElementTree

from fapiao.intake.signatures.algorithms import DIGEST_BY_NAME, DIGESTS, digest, digest_label
from fapiao.intake.signatures.certs import note_validity
from fapiao.intake.signatures.cms import check_cms
from fapiao.intake.signatures.model import SignatureCheck
from fapiao.intake.signatures.ses import check_ses, ses_version

MAX_MEMBER_BYTES = 20 * 1024 * 1024
"""The OFD loader's own cap on one part (zip bombs)."""


def check_ofd_signatures(data: bytes) -> list[SignatureCheck]:
    """One check per signature the package lists; an empty list for an unsigned OFD. Never raises."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except Exception:
        return []  # not a readable package: the loader reports that, and a signature cannot be located
    try:
        return _check_package(zf, infos)
    except Exception as exc:
        return [SignatureCheck(kind="ofd", problems=[f"the signatures cannot be checked ({type(exc).__name__})"])]


def _check_package(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> list[SignatureCheck]:
    names = [i.filename for i in infos if not i.is_dir()]
    dupes = sorted(n for n, times in Counter(names).items() if times > 1)
    sizes = {i.filename: i.file_size for i in infos}

    def read(member: str) -> bytes:
        if sizes.get(member, 0) > MAX_MEMBER_BYTES:
            raise ValueError(f"{member} is too large")
        return zf.read(member)

    try:
        root = ElementTree.fromstring(read("OFD.xml"))
    except Exception:
        return []
    checks: list[SignatureCheck] = []
    for body in _elements(root, "DocBody"):
        listed = _first_text(body, "Signatures")
        if not listed:
            continue
        member = _resolve(set(names), listed, "")
        if member is None:
            checks.append(SignatureCheck(kind="ofd", field=listed, problems=[f"{listed} is listed but missing"]))
            continue
        sigs_root = ElementTree.fromstring(read(member))
        for entry in _elements(sigs_root, "Signature"):
            check = SignatureCheck(kind="ofd", field=entry.get("BaseLoc") or "")
            if dupes:
                check.problem(f"the package holds some files twice: {', '.join(dupes)}")
            try:
                _check_one(check, read, set(names), check.field or "", posixpath.dirname(member))
                note_validity(check)
            except Exception as exc:
                check.problem(f"the signature cannot be checked ({type(exc).__name__}: {exc})")
            checks.append(check)
    return checks


def _check_one(check: SignatureCheck, read: Callable[[str], bytes], names: set[str], base: str, sigs_dir: str) -> None:
    member = _resolve(names, base, sigs_dir)
    if member is None:
        check.problem(f"{base} is missing")
        return
    check.field = member
    signature_xml = read(member)
    root = ElementTree.fromstring(signature_xml)
    sig_dir = posixpath.dirname(member)
    check.details["signature_datetime"] = _first_text(root, "SignatureDateTime")
    refs_el = next(iter(_elements(root, "References")), None)
    method = refs_el.get("CheckMethod") if refs_el is not None else None
    digest_oid = _digest_oid(method)
    check.digest_algorithm = digest_label(digest_oid) if digest_oid else f"unknown ({method})"
    covered: set[str] = set()
    bad: list[str] = []
    refs = list(_elements(root, "Reference"))
    for ref in refs:
        file_ref = ref.get("FileRef") or ""
        target = _resolve(names, file_ref, sig_dir)
        if target is None:
            bad.append(f"{file_ref} (missing)")
            continue
        covered.add(target)
        if digest_oid is None:
            continue
        try:
            expected = base64.b64decode(_first_text(ref, "CheckValue") or "")
        except binascii.Error:
            bad.append(f"{file_ref} (unreadable digest)")
            continue
        if digest(digest_oid, read(target)) != expected:
            bad.append(file_ref)
    if digest_oid is None:
        check.unsupported = f"file digest method {method!r}"
    else:
        check.digest_ok = not bad and bool(refs)
    if bad:
        check.problem("changed or missing since signing: " + ", ".join(bad))
    if not refs:
        check.problem("the signature covers no file")
    signs_dir = posixpath.dirname(sig_dir)  # e.g. Doc_0/Signs: the signatures themselves are not referenced
    uncovered = sorted(n for n in names if n not in covered and not n.startswith(signs_dir + "/"))
    check.covers_whole_file = not uncovered
    if uncovered:
        check.problem("not covered by the signature: " + ", ".join(uncovered))
    value_loc = _first_text(root, "SignedValue")
    value_member = _resolve(names, value_loc, sig_dir) if value_loc else None
    if value_member is None:
        check.problem(f"the signature value {value_loc!r} is missing")
        return
    signed_value = read(value_member)
    version = ses_version(signed_value)
    if version is not None:
        references_ok = check.digest_ok
        check_ses(check, signed_value, signature_xml, version)
        if references_ok is False:
            check.digest_ok = False
        return
    check.kind = "ofd:SignedData"  # a PKCS#7 / GM/T 0010 SignedData over Signature.xml
    references_ok, check.digest_ok = check.digest_ok, None
    check_cms(check, signed_value, signature_xml)
    if references_ok is False:
        check.digest_ok = False


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _elements(elem: Any, name: str) -> Iterable[Any]:
    return (e for e in elem.iter() if _local(e.tag) == name)


def _first_text(elem: Any, name: str) -> str | None:
    for e in _elements(elem, name):
        return (e.text or "").strip()
    return None


def _resolve(names: set[str], ref: str, base_dir: str) -> str | None:
    """The zip member for an OFD location: absolute ('/Doc_0/..') or relative to ``base_dir``."""
    ref = ref.strip().replace("\\", "/")
    candidates = [posixpath.normpath(ref.lstrip("/"))] if ref.startswith("/") else []
    candidates += [posixpath.normpath(posixpath.join(base_dir, ref)), posixpath.normpath(ref.lstrip("/"))]
    return next((c for c in candidates if c in names), None)


def _digest_oid(method: str | None) -> str | None:
    if not method:
        return "1.2.156.10197.1.401"  # SM3, the standard's default
    method = method.strip()
    if method in DIGESTS:
        return method
    return DIGEST_BY_NAME.get(method.lower().replace("-", ""))
