"""The issuer's digital signature on a PDF or OFD invoice: do the bytes still match what was signed?

Integrity only. A check says whether the file matches a signature made with the certificate embedded in it; it
cannot say offline whether that certificate chains to a trusted issuing authority (no CA list, CRL or OCSP),
so the findings say so instead of claiming it.

Public surface: ``check_pdf_signatures``, ``check_ofd_signatures``, ``SignatureCheck``, ``signature_findings``.
"""

from fapiao.intake.signatures.findings import damaged_finding, signature_findings
from fapiao.intake.signatures.model import SignatureCheck
from fapiao.intake.signatures.ofd import check_ofd_signatures
from fapiao.intake.signatures.pdf import check_pdf_signatures

__all__ = [
    "SignatureCheck",
    "check_ofd_signatures",
    "check_pdf_signatures",
    "damaged_finding",
    "signature_findings",
]
