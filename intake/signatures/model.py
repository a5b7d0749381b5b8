"""What one signature check found: the outcome of each check, the signer's certificate, and the problems."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass
class SignatureCheck:
    kind: str
    """'pdf:adbe.pkcs7.detached', 'pdf:adbe.x509.rsa_sha1', 'ofd:SES_Signature v4', …"""
    field: str | None = None
    """The PDF signature field name, or the OFD Signature.xml path."""
    algorithm: str | None = None
    """Signature algorithm, 'name (OID)'."""
    digest_algorithm: str | None = None
    signer_subject: str | None = None
    issuer: str | None = None
    serial: str | None = None
    """Certificate serial number, upper-case hex."""
    not_before: dt.datetime | None = None
    not_after: dt.datetime | None = None
    signing_time: str | None = None
    """As the file declares it (PDF /M, CMS signingTime, SES timeInfo); never a trusted timestamp."""
    digest_ok: bool | None = None
    """The signed digest equals the hash of the signed bytes; None when not reached or not separately checkable."""
    signature_ok: bool | None = None
    covers_whole_file: bool | None = None
    """PDF: the byte range is the whole file but the signature value; OFD: every package file is referenced."""
    problems: list[str] = dataclasses.field(default_factory=list)
    unsupported: str | None = None
    """Set when the signature cannot be checked (an algorithm or format this code does not handle)."""
    details: dict[str, Any] = dataclasses.field(default_factory=dict)

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def outcome(self, digest_ok: bool | None = None, signature_ok: bool | None = None) -> None:
        """Record the digest and signature results, with a problem for each that failed."""
        if digest_ok is not None:
            self.digest_ok = digest_ok
            if not digest_ok:
                self.problem("the signed bytes do not match the digest in the signature (content changed)")
        if signature_ok is not None:
            self.signature_ok = signature_ok
            if not signature_ok:
                self.problem("the signature value does not verify with the signer's certificate")

    @property
    def valid(self) -> bool:
        """Every check that applies passed, and nothing in the file is outside the signature."""
        return (
            self.unsupported is None
            and bool(self.signature_ok)
            and self.digest_ok is not False
            and bool(self.covers_whole_file)
            and not self.problems
        )

    @property
    def state(self) -> str:
        """'valid', 'unsupported' (cannot be checked, nothing found wrong) or 'broken'."""
        if self.valid:
            return "valid"
        nothing_wrong = self.signature_ok is not False and self.digest_ok is not False and not self.problems
        if self.unsupported is not None and nothing_wrong and self.covers_whole_file is not False:
            return "unsupported"
        return "broken"
