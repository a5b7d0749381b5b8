"""Taxpayer IDs (纳税人识别号): structure and check characters.

18-character 统一社会信用代码 (GB 32100-2015) with its embedded organisation code (GB 11714), the older
15-character IDs (region + organisation code), 17/20-character IDs (accepted on structure alone), and
18-digit resident IDs (GB 11643) used by individuals and 个体户. A check failure is a warning because some
real, registered codes fail it; a malformed ID (wrong length, illegal characters) is an error.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from fapiao.core.models import Finding, Invoice, InvoiceType, Severity
from fapiao.intake.rules.base import ERROR, WARNING, finding
from fapiao.intake.rules.context import RuleContext
from fapiao.intake.rules.regions import is_province

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""No I, O, S, V, Z; a character's value is its index."""
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_RID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RID_CHECK = "10X98765432"

USCC_KINDS: dict[str, str] = {
    "1": "1239",  # 机构编制: 机关, 事业单位, 群众团体, 其他
    "2": "19",  # 外交
    "3": "123459",  # 司法行政: 律师事务所, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, 其他
    "4": "19",  # 文化
    "5": "1239",  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": "129",  # 旅游
    "7": "129",  # 宗教
    "8": "19",  # 工会
    "9": "123",  # 市场监管 (工商): 企业, 个体工商户, 农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室
    "N": "1239",  # 农业: 组级, 村级, 乡镇级集体经济组织, 其他
    "Y": "1",  # 其他
}
"""GB 32100-2015 registration authority (position 1) → allowed organisation kinds (position 2)."""

SPECIAL_TYPES = frozenset({InvoiceType.special, InvoiceType.e_special, InvoiceType.digital_special})
"""专用发票: the buyer must be a registered taxpayer with an ID."""

_ID_FIELDS = (("buyer_tax_id", "buyer", "购买方"), ("seller_tax_id", "seller", "销售方"))


@dataclass(frozen=True)
class IdProblem:
    """One thing wrong with a tax ID, independent of which party it belongs to."""

    code: str
    severity: Severity
    message: str
    message_zh: str


# ---------------------------------------------------------------- check characters


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=False))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str | None:
    """GB 11714 check character for an 8-character organisation code body (None if a character is invalid)."""
    total = 0
    for c, w in zip(first8, _ORG_WEIGHTS, strict=False):
        if c.isdigit():
            v = int(c)
        elif "A" <= c <= "Z":
            v = ord(c) - ord("A") + 10
        else:
            return None
        total += v * w
    r = 11 - total % 11
    return "X" if r == 10 else "0" if r == 11 else str(r)


def resident_check_char(first17: str) -> str:
    return _RID_CHECK[sum(int(c) * w for c, w in zip(first17, _RID_WEIGHTS, strict=False)) % 11]


def looks_like_resident_id(value: str) -> bool:
    """18 characters, 17 digits + digit/X, a province code first: judged by GB 11643, not as a USCC."""
    return bool(re.fullmatch(r"\d{17}[\dX]", value)) and is_province(value[:2])


def _resident_birth_ok(value: str) -> bool:
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return born.year >= 1900


# ---------------------------------------------------------------- classification of one ID


def tax_id_problems(value: str) -> list[IdProblem]:
    """Everything wrong with one tax ID; [] when it is well formed and its check characters hold."""
    if not re.fullmatch(r"[0-9A-Z]+", value):
        return [
            IdProblem(
                "tax_id.format",
                ERROR,
                f"contains characters other than digits and capital letters ({value!r})",
                f"含有数字和大写字母以外的字符（{value}）",
            )
        ]
    n = len(value)
    if n == 18:
        if looks_like_resident_id(value):
            if resident_check_char(value[:17]) == value[17] and _resident_birth_ok(value):
                return []
            problems = _uscc_problems(value)
            if not problems:
                return []  # a USCC that merely looks like a resident ID
            return [
                IdProblem(
                    "resident_id.checksum",
                    WARNING,
                    f"{value} fails the resident-ID check (GB 11643); check every digit against the document",
                    f"{value} 未通过居民身份证号码校验（GB 11643），请逐位核对",
                )
            ]
        return _uscc_problems(value)
    if n == 15:
        return _old15_problems(value)
    if n in (17, 20):
        return []
    return [
        IdProblem(
            "tax_id.format",
            ERROR,
            f"has {n} characters; tax IDs have 15, 17, 18 or 20 — re-read it from the document",
            f"共 {n} 位；纳税人识别号应为 15、17、18 或 20 位，请按票面重新录入",
        )
    ]


def _uscc_problems(value: str) -> list[IdProblem]:
    bad = [c for c in value if c not in _USCC_VALUE]
    if bad:
        return [
            IdProblem(
                "tax_id.format",
                ERROR,
                f"{value} contains {''.join(dict.fromkeys(bad))}, which a 统一社会信用代码 never uses "
                "(no I, O, S, V, Z); re-read the character from the document",
                f"{value} 含有统一社会信用代码不使用的字符 {''.join(dict.fromkeys(bad))}"
                f"（不含 I、O、S、V、Z），请核对票面",
            )
        ]
    problems: list[IdProblem] = []
    if uscc_check_char(value[:17]) != value[17]:
        problems.append(
            IdProblem(
                "uscc.checksum",
                WARNING,
                f"{value} fails the 统一社会信用代码 check (expected check character "
                f"{uscc_check_char(value[:17])}); compare every character with the document",
                f"{value} 未通过统一社会信用代码校验（校验位应为 {uscc_check_char(value[:17])}），请逐位核对",
            )
        )
        return problems
    kinds = USCC_KINDS.get(value[0])
    if kinds is None or value[1] not in kinds:
        problems.append(
            IdProblem(
                "uscc.structure",
                WARNING,
                f"{value} starts with {value[:2]}, not a registration authority and organisation kind "
                "of GB 32100; check the first two characters",
                f"{value} 前两位 {value[:2]} 不是 GB 32100 规定的登记管理部门和机构类别，请核对",
            )
        )
    region = value[2:8]
    if not (region.isdigit() and (is_province(region[:2]) or region[:2] == "10")):
        problems.append(
            IdProblem(
                "uscc.structure",
                WARNING,
                f"{value}: characters 3–8 ({region}) are not a GB/T 2260 region code; check them",
                f"{value}：第 3–8 位（{region}）不是行政区划代码，请核对",
            )
        )
    if value[:2] != "92" and org_code_check_char(value[8:16]) != value[16]:
        problems.append(
            IdProblem(
                "uscc.org_code",
                WARNING,
                f"{value}: the embedded organisation code {value[8:17]} fails its GB 11714 check",
                f"{value}：内含组织机构代码 {value[8:17]} 未通过 GB 11714 校验",
            )
        )
    return problems


def _old15_problems(value: str) -> list[IdProblem]:
    if not value[:6].isdigit():
        return [
            IdProblem(
                "tax_id.format",
                ERROR,
                f"{value}: a 15-character ID starts with a 6-digit region code",
                f"{value}：15 位纳税人识别号前 6 位应为行政区划代码",
            )
        ]
    if org_code_check_char(value[6:14]) != value[14]:
        return [
            IdProblem(
                "tax_id.org_code",
                WARNING,
                f"{value}: the organisation code {value[6:]} fails its GB 11714 check; compare it with the document",
                f"{value}：组织机构代码 {value[6:]} 未通过 GB 11714 校验，请核对",
            )
        ]
    return []


def tax_id_ok(value: str) -> bool:
    return not tax_id_problems(value)


# ---------------------------------------------------------------- rules


def check_tax_ids(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    """Structure and check characters of the buyer's and the seller's IDs."""
    out: list[Finding] = []
    for name, party_en, party_zh in _ID_FIELDS:
        value = getattr(invoice, name)
        if not value:
            continue
        for p in tax_id_problems(value):
            out.append(
                finding(
                    p.code,
                    p.severity,
                    (name,),
                    f"The {party_en}'s tax ID {p.message}.",
                    f"{party_zh}纳税人识别号{p.message_zh}。",
                )
            )
    return out


def buyer_id_required(invoice: Invoice, ctx: RuleContext) -> list[Finding]:
    """专用发票 are only issued to registered taxpayers, so their buyer always has an ID."""
    if invoice.buyer_tax_id or invoice.invoice_type not in SPECIAL_TYPES:
        return []
    return [
        finding(
            "tax_id.buyer_missing",
            ERROR,
            ("buyer_tax_id",),
            "A special VAT invoice (专用发票) must name the buyer's tax ID, and none was read; "
            "enter it from the document",
            "专用发票必须载明购买方纳税人识别号，但未识别到，请按票面录入",
        )
    ]


RULES = (check_tax_ids, buyer_id_required)
CODES = (
    "tax_id.format",
    "uscc.checksum",
    "uscc.structure",
    "uscc.org_code",
    "tax_id.org_code",
    "resident_id.checksum",
    "tax_id.buyer_missing",
)
