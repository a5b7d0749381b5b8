"""Signature checks and file damage as findings, in both languages.

``signature.valid`` (info) names the signer; ``signature.broken`` (error) means the file changed after signing
or the signature does not verify, so the invoice is never `verified`; ``signature.unsupported`` (warning) names
the algorithm that cannot be checked. An unsigned invoice gives no finding (数电 PDFs are usually unsigned).
``file.damaged`` (warning) also keeps an invoice from `verified` (see ``intake.verify``)."""

from __future__ import annotations

from fapiao.core.models import Finding, Severity
from fapiao.intake.signatures.certs import parse_time
from fapiao.intake.signatures.model import SignatureCheck

VALID, BROKEN, UNSUPPORTED, DAMAGED = "signature.valid", "signature.broken", "signature.unsupported", "file.damaged"
CODES = (VALID, BROKEN, UNSUPPORTED, DAMAGED)
BLOCKING_WARNINGS = frozenset({DAMAGED})
"""Warnings that keep an invoice from `verified` although they name no field."""

_TRUST_EN = "whether the certificate was issued by a trusted authority cannot be checked offline"
_TRUST_ZH = "证书是否由可信的签发机构颁发无法离线核验"


def signature_findings(checks: list[SignatureCheck]) -> list[Finding]:
    return [_finding(c) for c in checks]


def _finding(check: SignatureCheck) -> Finding:
    state = check.state
    if state == "valid":
        return Finding(
            code=VALID,
            severity=Severity.info,
            message=f"The issuer's digital signature verifies: the file is unchanged since it was signed by "
            f"{_signer(check, 'en')}; {_TRUST_EN}",
            message_zh=f"开票方数字签名验证通过，文件自签名后未被改动。签名者：{_signer(check, 'zh')}；{_TRUST_ZH}",
        )
    if state == "unsupported":
        return Finding(
            code=UNSUPPORTED,
            severity=Severity.warning,
            message=f"The file carries a digital signature ({check.unsupported}) that cannot be checked here, so it "
            "is not known whether the file changed after signing; compare it with the original if in doubt",
            message_zh=f"文件带有数字签名（{check.unsupported}），本系统无法验证，无法确认签名后文件是否被改动；"
            "如有疑问请与原件核对",
        )
    reason_en, reason_zh = _reason(check)
    return Finding(
        code=BROKEN,
        severity=Severity.error,
        message=f"The issuer's digital signature does not match the file ({reason_en}): the file was changed after "
        "signing or is damaged; do not accept it, ask the seller for the original file",
        message_zh=f"开票方数字签名与文件不符（{reason_zh}）：文件在签名后被改动或已损坏，请勿接受，"
        "请向销售方索取原始文件",
    )


def _reason(check: SignatureCheck) -> tuple[str, str]:
    en = "; ".join(check.problems) or "the signature does not verify with the signer's certificate"
    if check.covers_whole_file is False:
        zh = "签名未覆盖整个文件：签名后文件被追加、重写或截断"
    elif check.digest_ok is False:
        zh = "签名覆盖的内容已被改动"
    elif check.signature_ok is False:
        zh = "签名值无法用签名证书验证"
    else:
        zh = "签名结构异常：" + "; ".join(check.problems)
    return en, zh


def _validity(check: SignatureCheck) -> str:
    if check.not_before is None or check.not_after is None:
        return ""
    return f"{check.not_before:%Y-%m-%d} – {check.not_after:%Y-%m-%d}"


def _when(check: SignatureCheck) -> str:
    when = parse_time(check.signing_time)
    return f"{when:%Y-%m-%d %H:%M} UTC{when:%z}" if when else (check.signing_time or "")


_SIGNER_WORDS = {
    "en": ("an unnamed signer", "certificate serial", "valid", "signed", ", ", "{name} ({parts})"),
    "zh": ("未具名", "证书序列号", "有效期", "签名时间", "，", "{name}（{parts}）"),
}
"""Per language: the name of an unnamed signer, the labels of serial, validity and signing time, the list
separator and how name and details are put together."""


def _signer(check: SignatureCheck, lang: str) -> str:
    """The signer as a person reads it: name, then serial, validity, signing time and algorithm when known."""
    unnamed, serial, valid, signed, sep, whole = _SIGNER_WORDS[lang]
    name = check.details.get("signer_name") or check.signer_subject or unnamed
    validity, when = _validity(check), _when(check)
    parts = [f"{serial} {check.serial}"] if check.serial else []
    if validity:
        parts.append(f"{valid} {validity}")
    if when:
        parts.append(f"{signed} {when}")
    if check.algorithm:
        parts.append(check.algorithm)
    return whole.format(name=name, parts=sep.join(parts)) if parts else name


def damaged_finding(reasons: list[tuple[str, str]]) -> Finding:
    """``reasons``: (English, Chinese) for each sign of damage the loader saw."""
    en = "; ".join(r[0] for r in reasons)
    zh = "；".join(r[1] for r in reasons)
    return Finding(
        code=DAMAGED,
        severity=Severity.warning,
        message=f"The file is damaged ({en}); it was read as far as possible: check the values against the original "
        "and ask the sender for an intact copy",
        message_zh=f"文件已损坏（{zh}），已尽量读取：请对照原件核对各项内容，并向发送方索取完整的文件",
    )
