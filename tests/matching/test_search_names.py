"""Name search tolerates the typos finance staff make — one or two wrong characters, half a name, brackets and
legal-form variants — and no more than the typed length can tell apart from another company."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fapiao.matching.search_index import Query, SearchIndex

SELLERS = [
    "科晟建筑（南京）股份有限公司",
    "恒瑞医药有限公司",
    "恒生电子股份有限公司",
    "南京建工集团有限公司",
    "科达建材（南京）有限公司",
    "上海瑞医科技有限公司",
    "华为技术有限公司",
]


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    idx = SearchIndex()
    for i, name in enumerate(SELLERS):
        idx.add(
            "record",
            f"r{i}",
            number=f"2432000000000000{i:04d}",
            seller_name=name,
            issue_date=dt.date(2026, 3, 1 + i),
            amount_with_tax=Decimal("100.00") + i,
        )
    return idx


def _found(index: SearchIndex, name: str) -> list[str]:
    return [h.seller_name for h in index.search(Query(name=name)).hits]


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("科晨建竹(南京)有限公司", "科晟建筑（南京）股份有限公司"),  # two wrong, half-width brackets, 股份 left out
        ("恒端医约有限公司", "恒瑞医药有限公司"),  # two wrong
        ("科晨建筑", "科晟建筑（南京）股份有限公司"),  # half the name, one wrong
        ("恒瑞医药", "恒瑞医药有限公司"),  # half the name as typed
    ],
)
def test_typos_find_the_company(index, typed, meant):
    """Found among the first two: "科晨建竹(南京)" is two characters from 科达建材（南京） as much as from
    科晟建筑（南京）, so both are shown, ranked alike."""
    assert meant in _found(index, typed)[:2]


def test_exact_name_outranks_the_fuzzy_neighbours(index):
    hits = index.search(Query(name="恒瑞医药有限公司")).hits
    assert hits[0].seller_name == "恒瑞医药有限公司" and hits[0].score == 100.0
    assert all(h.score < 100.0 for h in hits[1:])


def test_short_or_too_different_names_are_not_stretched(index):
    assert "华为技术有限公司" not in _found(index, "华伟")  # two characters: taken as typed
    assert "恒生电子股份有限公司" not in _found(index, "恒瑞药")  # three characters: no wrong one tolerated
    assert "华为技术有限公司" not in _found(index, "恒端医约有限公司")
    assert "恒瑞医药有限公司" not in _found(index, "科达建材")
