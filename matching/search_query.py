"""What a search asks, and how free text is read: each word becomes every reading it admits — a number or
code, a tax ID, an amount (1058.94, 100-200, >1000), a date (2024-03-08, 2024-03, 2024年3月), a name — and the
word matches a row when any reading does. Pure parsing; ``fapiao.matching.search_index`` evaluates the readings."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from fapiao.matching.normalize import tax_id

KINDS = ("record", "invoice", "draft", "document")
FILE_KINDS = ("invoice", "document")
"""Kinds whose label is the uploaded file's name (and, for documents, the job's status): a word of a query
may be part of it."""


@dataclass(frozen=True)
class Query:
    """What to look for; every given criterion must hold (AND). ``text`` is free text: each word is read as
    whatever it can be and must match one of those readings."""

    text: str | None = None
    number: str | None = None
    tax_id: str | None = None
    name: str | None = None
    amount: Decimal | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    kinds: tuple[str, ...] = KINDS

    def is_empty(self) -> bool:
        return not any(
            (
                self.text and self.text.strip(),
                self.number,
                self.tax_id,
                self.name,
                self.amount is not None,
                self.amount_min is not None,
                self.amount_max is not None,
                self.date_from,
                self.date_to,
            )
        )


@dataclass(frozen=True)
class Reading:
    """One way a criterion can hold. ``what`` is number | near_number (``lo`` = digits wrong) | tax_id | name |
    amount | date | file (part of a file name or a document's status)."""

    what: str
    text: str = ""
    lo: object = None
    hi: object = None

    @property
    def reason(self) -> Reason:
        """Why a row matched through this reading: a code and its parameters (a UI words it in its language)."""
        if self.what in ("number", "tax_id", "name", "file"):
            return Reason(self.what, (("q", self.text),))
        if self.what == "near_number":
            return Reason("near_number", (("n", str(self.lo)), ("q", self.text)))
        lo, hi = _bound(self.lo), _bound(self.hi)
        code = "amount" if self.what == "amount" else "issued"
        if self.lo == self.hi:
            return Reason(code, (("a", lo),))
        return Reason(f"{code}_range", (("a", lo), ("b", hi)))


def _bound(value: object) -> str:
    """An open end of a range is shown as …."""
    return "…" if value is None or value == "" else str(value)


REASON_TEXT: dict[str, str] = {
    "number": "number contains {q}",
    "near_number": "number {n} {digits} away from {q}",
    "tax_id": "tax ID contains {q}",
    "name": "name ≈ {q}",
    "file": "file contains {q}",
    "amount": "amount {a}",
    "amount_range": "amount in [{a}, {b}]",
    "issued": "issued {a}",
    "issued_range": "issued {a} – {b}",
}
"""The English wording of each reason code (the CLI, the API's ``reasons``); other languages word the codes
themselves."""


@dataclass(frozen=True)
class Reason:
    """Why a search hit matched: a stable ``code`` (a key of ``REASON_TEXT``) and what was typed or ranged."""

    code: str
    params: tuple[tuple[str, str], ...]

    @property
    def text(self) -> str:
        params = dict(self.params)
        params["digits"] = "digit" if params.get("n") == "1" else "digits"
        return REASON_TEXT[self.code].format(**params)

    def as_json(self) -> dict:
        return {"code": self.code, "params": dict(self.params)}


def plan(q: Query) -> list[list[Reading]]:
    """Criteria (all must hold), each a list of readings (any may hold)."""
    out: list[list[Reading]] = []
    if q.number:
        out.append(number_readings(q.number))
    if q.tax_id:
        out.append([Reading("tax_id", tax_id(q.tax_id))])
    if q.name:
        out.append([Reading("name", q.name.strip())])
    if q.amount is not None:
        out.append([Reading("amount", lo=q.amount, hi=q.amount)])
    if q.amount_min is not None or q.amount_max is not None:
        out.append([Reading("amount", lo=q.amount_min, hi=q.amount_max)])
    if q.date_from or q.date_to:
        out.append([Reading("date", lo=q.date_from, hi=q.date_to)])
    for word in (q.text or "").split():
        out.append(word_readings(word))
    return out


def number_readings(text: str) -> list[Reading]:
    q = re.sub(r"[^0-9A-Za-z]", "", text).upper()
    if not q:
        return []
    out = [Reading("number", q)]
    if len(q) >= 8:  # a whole number read or typed with a digit or two wrong
        out += [Reading("near_number", q, lo=1), Reading("near_number", q, lo=2)]
    return out


def word_readings(word: str) -> list[Reading]:
    w = unicodedata.normalize("NFKC", word).strip()
    out: list[Reading] = []
    day = parse_date(w)
    if day is not None:
        out.append(Reading("date", lo=day[0], hi=day[1]))
    rng = parse_amount_range(w)
    if rng is not None:
        return [*out, Reading("amount", lo=rng[0], hi=rng[1])]
    money = parse_money(w)
    if money is not None:
        out.append(Reading("amount", lo=money, hi=money))
    digits = re.sub(r"[\s-]", "", w)
    if re.fullmatch(r"[0-9A-Za-z]+", digits):
        out.extend(number_readings(digits))
        if len(digits) >= 4:
            out.append(Reading("tax_id", tax_id(digits)))
    if re.search(r"[^\x00-\x7f]", w) or (re.search(r"[A-Za-z]", w) and not re.fullmatch(r"[0-9A-Za-z]{15,20}", w)):
        out.append(Reading("name", w))
    if len(w) >= 3:  # a piece of an uploaded file's name ("scan_0312", "2024-03.pdf") or a job status ("failed")
        out.append(Reading("file", w.casefold()))
    return out


_DATE = re.compile(r"(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?)?$")


def parse_date(w: str) -> tuple[dt.date, dt.date] | None:
    """2024-03-08 → that day; 2024-03 or 2024年3月 → that month; 2019 or 2019年 → that year (a bare year is also
    read as a number and an amount); 20240308 → that day (also a number)."""
    year = re.fullmatch(r"((?:19|20)\d{2})年?", w)
    if year:
        y = int(year.group(1))
        return dt.date(y, 1, 1), dt.date(y, 12, 31)
    m = re.fullmatch(r"(20\d{2}|19\d{2})(\d{2})(\d{2})", w) or _DATE.fullmatch(w)
    if not m or (m.re is _DATE and m.group(2) is None):
        return None
    y, mo, d = int(m.group(1)), int(m.group(2)), m.group(3)
    try:
        if d is not None:
            day = dt.date(y, mo, int(d))
            return day, day
        first = dt.date(y, mo, 1)
    except ValueError:
        return None
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return first, last


def parse_money(w: str) -> Decimal | None:
    s = w.replace(",", "").replace("¥", "").replace("￥", "").replace("元", "")
    if not re.fullmatch(r"-?\d{1,12}(\.\d{1,2})?", s):
        return None
    if "." not in s and len(s) > 7:  # long digit strings are numbers, not amounts
        return None
    try:
        return Decimal(s)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None


def parse_amount_range(w: str) -> tuple[Decimal | None, Decimal | None] | None:
    """ "100-200", "100~200", ">1000", "<=50" as amounts."""
    m = re.fullmatch(r"([\d,.]+)\s*[~～–—-]\s*([\d,.]+)", w)
    if m:
        lo, hi = parse_money(m.group(1)), parse_money(m.group(2))
        if lo is not None and hi is not None and lo <= hi and ("." in w or len(m.group(1)) < 8):
            return lo, hi
        return None
    m = re.fullmatch(r"(>=?|<=?|≥|≤)\s*([\d,.]+)", w)
    if m:
        v = parse_money(m.group(2))
        if v is None:
            return None
        return (v, None) if m.group(1) in (">", ">=", "≥") else (None, v)
    return None
