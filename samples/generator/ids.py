"""Identifiers with the structure and checksums real ones carry: tax IDs, invoice codes and numbers.

Extraction and verification lean on these checksums to repair OCR errors, so synthetic IDs must pass them
exactly as real ones do (and be clearly synthetic: the organisation codes are random).
"""

from __future__ import annotations

import datetime as dt
import random

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_CHECK = "10X98765432"
_ORG_LETTERS = "ABCDEFGHJKLMNPQRTUWXY"  # letters an organisation code may use inside a USCC


def uscc_check(first17: str) -> str:
    """GB 32100-2015 check character for the first 17 characters."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_check(first8: str) -> str:
    """GB 11714 organisation-code check character (0-9 or X)."""
    total = sum(int(c, 36) * w for c, w in zip(first8, ORG_WEIGHTS, strict=True))
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def resident_check(first17: str) -> str:
    """GB 11643 resident ID check character."""
    return RESIDENT_CHECK[sum(int(c) * w for c, w in zip(first17, RESIDENT_WEIGHTS, strict=True)) % 11]


def org_code(rng: random.Random, modern: bool | None = None) -> str:
    """A 9-character organisation code; ``modern`` ones start with MA like codes issued since 2015."""
    if modern is None:
        modern = rng.random() < 0.45
    if modern:
        body = "MA" + "".join(rng.choice("0123456789" + _ORG_LETTERS) for _ in range(6))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
        if rng.random() < 0.15:
            body = body[:6] + rng.choice(_ORG_LETTERS) + body[7]
    return body + org_check(body)


def uscc(rng: random.Random, region6: str, kind: str = "91") -> str:
    """An 18-character 统一社会信用代码; ``kind`` is registration authority + organisation kind (91, 92, 12 …)."""
    first17 = kind + region6 + org_code(rng)
    return first17 + uscc_check(first17)


def old_tax_id(rng: random.Random, region6: str) -> str:
    """A 15-character pre-2015 纳税人识别号: region + organisation code."""
    return region6 + org_code(rng, modern=False)


def resident_id(rng: random.Random, region6: str) -> str:
    """An 18-character resident ID (used by 个体户 sellers); born 1955–2000."""
    born = dt.date(1955, 1, 1) + dt.timedelta(days=rng.randrange(16400))
    first17 = region6 + born.strftime("%Y%m%d") + f"{rng.randrange(1, 1000):03d}"
    return first17 + resident_check(first17)


def digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def invoice_code(rng: random.Random, region4: str, issue: dt.date, kind_suffix: str, min_year: int = 2012) -> str:
    """12-digit code: 0 + region + 2-digit year (≤ issue year) + batch + kind (11 / 12 / 13)."""
    lag = rng.choice((0, 0, 0, 0, 1, 1, 2))
    year = max(min_year, issue.year - lag) % 100
    return f"0{region4}{year:02d}{rng.randrange(1, 1000):03d}{kind_suffix}"


def invoice_number8(rng: random.Random) -> str:
    """8-digit number, never 00000000 (low numbers are common early in a batch)."""
    if rng.random() < 0.3:
        return f"{rng.randrange(1, 100000):08d}"
    return f"{rng.randrange(1, 100_000_000):08d}"


def digital_number(rng: random.Random, issue: dt.date, province2: str) -> str:
    """20-digit 数电 number: year + province + channel + 15-digit sequence."""
    channel = rng.choice("2220001")
    seq = f"{rng.randrange(1, 10**9):015d}" if rng.random() < 0.6 else digits(rng, 15)
    return f"{issue.year % 100:02d}{province2}{channel}{seq}"


def check_code(rng: random.Random) -> str:
    return digits(rng, 20)


def machine_number(rng: random.Random) -> str:
    return rng.choice(("4990", "6616", "5371", "6611", "4993", "6612")) + digits(rng, 8)


def qr_tail(rng: random.Random) -> str:
    return "".join(rng.choice("0123456789ABCDEF") for _ in range(4))


def cipher_rows(rng: random.Random, rows: int = 4, width: int = 27) -> list[str]:
    """密码区 text: only 0-9 + - * / < >."""
    return ["".join(rng.choice("0123456789+-*/<>") for _ in range(width)) for _ in range(rows)]
