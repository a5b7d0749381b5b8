"""Synthetic buyers and sellers: names built from random parts, tax IDs with valid checksums, addresses, banks.

Names vary in the ways real ones do (region first or in brackets, full- or half-width brackets, branches,
个体户 shops, private persons), because extraction must not depend on a name ending in 有限公司.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from samples.generator import ids
from samples.generator.vocab import (
    BANK_BRANCH,
    BANKS,
    FORMS,
    GIVEN,
    INDUSTRIES,
    REGION_WEIGHTS,
    REGIONS,
    ROADS,
    SHOPS,
    SURNAMES,
    ZIHAO,
    Region,
)


@dataclass
class Party:
    name: str
    tax_id: str | None = None
    address_phone: str | None = None
    bank_account: str | None = None
    small_scale: bool = False
    """个体户 and small businesses charge the 征收率 (3 % / 1 %)."""


def pick_region(rng: random.Random, code4: str | None = None) -> Region:
    if code4:
        return next(r for r in REGIONS if r.code4 == code4)
    return rng.choices(REGIONS, weights=REGION_WEIGHTS)[0]


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _zihao(rng: random.Random) -> str:
    return "".join(rng.sample(ZIHAO, rng.choice((2, 2, 2, 3, 4))))


def company_name(rng: random.Random, region: Region) -> str:
    city = region.city
    short = city.removesuffix("市")
    body = _zihao(rng) + rng.choice(INDUSTRIES)
    form = rng.choice(FORMS)
    p = rng.random()
    if p < 0.42:
        return f"{short}{body}{form}"
    if p < 0.57:
        return f"{city}{body}{form}"
    if p < 0.72:
        lb, rb = ("（", "）") if rng.random() < 0.7 else ("(", ")")
        return f"{body}{lb}{short}{rb}{form}"
    if p < 0.84:
        home = rng.choice(REGIONS).city.removesuffix("市")
        return f"{home}{body}{form}{short}{rng.choice(('分公司', '分公司', '第一分公司', '营业部'))}"
    return f"{body}{form}"


def shop_name(rng: random.Random, region: Region) -> str:
    district = rng.choice(region.districts)[1]
    if rng.random() < 0.5:
        return f"{region.city}{district}{rng.choice(SURNAMES)}记{rng.choice(SHOPS)}"
    return f"{district}{_zihao(rng)}{rng.choice(SHOPS)}"


def company_tax_id(rng: random.Random, region: Region, year: int) -> str:
    region6 = rng.choice(region.districts)[0]
    if year <= 2020 and rng.random() < 0.05:
        return ids.old_tax_id(rng, region6)
    kind = rng.choices(("91", "92", "12", "52", "93"), weights=(90, 2, 4, 2, 1))[0]
    return ids.uscc(rng, region6, kind)


def address_phone(rng: random.Random, region: Region) -> str:
    district = rng.choice(region.districts)[1]
    addr = f"{region.city}{district}{rng.choice(ROADS)}{rng.randrange(1, 999)}号"
    if rng.random() < 0.5:
        addr += rng.choice(
            (
                f"{rng.randrange(1, 30)}层",
                f"{rng.choice('ABCDE')}座{rng.randrange(101, 2999)}室",
                f"{rng.randrange(1, 12)}号楼{rng.randrange(101, 1999)}",
            )
        )
    if rng.random() < 0.2:
        phone = "1" + rng.choice("3589") + ids.digits(rng, 9)
    else:
        n = 8 if len(region.area_code) == 3 else rng.choice((7, 8))
        phone = f"{region.area_code}-{rng.randrange(2, 9)}{ids.digits(rng, n - 1)}"
    sep = rng.choice((" ", " ", "")) if not addr[-1].isdigit() else " "
    return f"{addr}{sep}{phone}"


def bank_account(rng: random.Random, region: Region) -> str:
    district = rng.choice(region.districts)[1].removesuffix("区")
    bank = f"{rng.choice(BANKS)}{region.city.removesuffix('市')}{district}{rng.choice(BANK_BRANCH)}"
    return f"{bank}{rng.choice((' ', ' ', ''))}{ids.digits(rng, rng.choice((12, 16, 17, 19)))}"


def company(rng: random.Random, region: Region, year: int, full: bool) -> Party:
    """A company; ``full`` adds the address/phone and bank lines old-type invoices print."""
    party = Party(company_name(rng, region), company_tax_id(rng, region, year))
    party.small_scale = rng.random() < 0.12
    if full:
        party.address_phone = address_phone(rng, region)
        party.bank_account = bank_account(rng, region)
    return party


def shop(rng: random.Random, region: Region, full: bool) -> Party:
    """A 个体户 seller: 92… USCC, an 18-digit resident ID, or an old 15-character ID."""
    region6 = rng.choice(region.districts)[0]
    p = rng.random()
    tax_id = (
        ids.uscc(rng, region6, "92")
        if p < 0.6
        else ids.resident_id(rng, region6)
        if p < 0.9
        else ids.old_tax_id(rng, region6)
    )
    party = Party(shop_name(rng, region), tax_id, small_scale=True)
    if full and rng.random() < 0.7:
        party.address_phone = address_phone(rng, region)
        party.bank_account = bank_account(rng, region) if rng.random() < 0.5 else None
    return party


def person(rng: random.Random) -> Party:
    return Party("个人" if rng.random() < 0.4 else person_name(rng))
