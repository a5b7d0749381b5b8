"""数电 passenger tickets: 电子发票（铁路电子客票） and 电子发票（航空运输电子客票行程单）.

They print no seller block, no items table and no 合计金额/合计税额; what they print instead is the trip: passenger,
ID, route, train or flight, seat, departure, fare. Each field is read next to its label (to its right, inside the
same run, or under a table header). The rail ticket prints the route, train, departure and seat without labels,
so those are read by their printed shape (``…站``, ``G795``, ``13:17开``, ``09车07A号``, ``二等座``), always on the
ticket's own page and only when no label gave them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fapiao.intake.extract.found import Found
from fapiao.intake.extract.geometry import Box, PageView
from fapiao.intake.extract.text import compact, find_tax_id, parse_date, parse_money

RAIL_TITLE = "铁路电子客票"
AIR_TITLE = "航空运输电子客票行程单"

Parse = Callable[[str], Any]


def _text(s: str) -> str | None:
    s = s.strip(" :")
    return s or None


def _money(s: str) -> Decimal | None:
    return parse_money(s) if re.search(r"\d", s) else None


def _date(s: str) -> dt.date | None:
    parsed = parse_date(s)
    return parsed[0] if parsed else None


def _time(s: str) -> str | None:
    m = re.search(r"([012]?\d):([0-5]\d)", compact(s))
    return f"{int(m.group(1)):02d}:{m.group(2)}" if m else None


def _trip(s: str) -> str | None:
    m = re.search(r"[A-Z0-9]{1,3}\d{1,5}", compact(s).upper())
    return m.group(0) if m else None


def _station(s: str) -> str | None:
    s = compact(s).strip(":")
    return s or None


def _id_number(s: str) -> str | None:
    m = re.search(r"[0-9A-Z*]{6,}", compact(s).upper())
    return m.group(0) if m else None


def _digits(s: str) -> str | None:
    m = re.search(r"\d{6,}", compact(s))
    return m.group(0) if m else None


@dataclass(frozen=True)
class TicketLabel:
    field: str
    names: tuple[str, ...]
    parse: Parse
    below: bool = False
    """Also look under the label (the air itinerary prints a header row and its values in the row below)."""


LABELS: tuple[TicketLabel, ...] = (
    TicketLabel("passenger", ("旅客姓名", "乘车人", "乘车人姓名", "旅客", "乘客"), _text, below=True),
    TicketLabel("passenger_id", ("有效身份证件号码", "身份证件号码", "证件号码", "身份证号"), _id_number, below=True),
    TicketLabel("route_from", ("出发站", "始发站", "出发地", "自"), _station),
    TicketLabel("route_to", ("到达站", "终到站", "到达地", "至"), _station),
    TicketLabel("trip_number", ("车次", "航班号", "航班"), _trip, below=True),
    TicketLabel("carrier", ("承运人",), _text, below=True),
    TicketLabel("seat_class", ("座位等级", "席别", "席位", "舱位等级", "舱位"), _text, below=True),
    TicketLabel("seat", ("座位号", "车厢座位", "座位"), _text, below=True),
    TicketLabel("departure_date", ("乘车日期", "出发日期", "日期"), _date, below=True),
    TicketLabel("departure_time", ("开车时间", "出发时间", "时间"), _time, below=True),
    TicketLabel("fare", ("票价",), _money, below=True),
    TicketLabel("fuel_surcharge", ("燃油附加费",), _money, below=True),
    TicketLabel("aviation_fund", ("民航发展基金",), _money, below=True),
    TicketLabel("total_tax", ("增值税税额",), _money, below=True),
    TicketLabel("amount_with_tax", ("合计",), _money, below=True),
    TicketLabel("ticket_number", ("电子客票号码", "电子客票号", "客票号码"), _digits, below=True),
    TicketLabel("ticket_check_code", ("验证码",), _text, below=True),
    TicketLabel("buyer_name", ("购买方名称",), _text),
    TicketLabel("buyer_tax_id", ("统一社会信用代码", "统一社会信用代码/纳税人识别号", "纳税人识别号"), find_tax_id),
)
BUYER_FIELDS = frozenset({"buyer_name", "buyer_tax_id"})
"""Read by the invoice's party reader too; the ticket's reading only fills what that one missed."""

_SEAT_CLASS = re.compile(
    r"(商务座|特等座|优选一等座|一等座|二等座|一等卧|二等卧|动卧|高级软卧|软卧|硬卧|软座|硬座|无座|"
    r"头等舱|公务舱|商务舱|超级经济舱|经济舱)"
)
_SEAT = re.compile(r"\d{1,2}车\d{1,3}[A-Z]?号|无座")
_DEPART_TIME = re.compile(r"([012]?\d:[0-5]\d)开$")
_TRAIN = re.compile(r"^[GDCZTKSYL]?\d{1,4}$")
"""On the station line, between the two stations: G795, K1461, or a bare 1461 (普速)."""
_MASKED_ID = re.compile(r"^([0-9A-Z]{2,}\*{3,}[0-9A-Z]{2,})([\u4e00-\u9fff·]{2,12})?$")
"""The masked ID, and the passenger's name when the same run carries it."""
_CJK_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,12}$")


def ticket_kind(view: PageView) -> str | None:
    """'rail' or 'air' when the page is a 数电 passenger ticket: by its title, or (title unread) by its
    ticket-number label on a page without 价税合计 (an invoice for ticket sales prints one; a ticket never does)."""
    for b in view.boxes:
        if RAIL_TITLE in b.flat:
            return "rail"
        if AIR_TITLE in b.flat:
            return "air"
    if any(b.flat.startswith("电子客票号") for b in view.boxes) and not any("价税合计" in b.flat for b in view.boxes):
        return "rail" if any("车次" in b.flat or b.flat.endswith("开") for b in view.boxes) else "air"
    return None


def ticket_fields(view: PageView, kind: str) -> dict[str, Found]:
    """The trip fields of a ticket page; ``amount_with_tax`` is the rail fare or the air itinerary's 合计."""
    labelled = {id(b): (lab, rest) for b in view.boxes if (m := _match(b)) for lab, rest in [m]}
    stop = set(labelled)
    out: dict[str, Found] = {}
    for b in view.boxes:
        if id(b) not in labelled:
            continue
        lab, rest = labelled[id(b)]
        if lab.field in out:
            continue
        found = _value(view, b, lab, rest, stop)
        if found is not None:
            out[lab.field] = found
    if kind == "rail":
        _unlabelled_rail(view, out, stop)
        if "fare" in out:
            out.setdefault("amount_with_tax", out["fare"])
    return out


def _match(b: Box) -> tuple[TicketLabel, str] | None:
    """The label this box starts with and what follows it in the same run ("电子客票号:65818…")."""
    flat = b.flat
    for lab in LABELS:
        for name in lab.names:
            if flat.rstrip(":") == name:
                return lab, ""
            if len(name) >= 2 and flat.startswith(name + ":"):
                return lab, flat[len(name) + 1 :]
    return None


def _value(view: PageView, label: Box, lab: TicketLabel, rest: str, stop: set[int]) -> Found | None:
    if rest:
        value = lab.parse(rest)
        if value is not None:
            return Found(value, [label], label.text, 0.95)
    right = [b for b in view.right_of(label, stop, max_gap=view.line_h * 3) if b.flat not in {"¥", "￥"}]
    if right:
        raw = "".join(b.text for b in right)
        value = lab.parse(raw)
        if value is not None:
            return Found(value, right, raw, 1.0)
    if lab.below:
        under = _below(view, label, stop)
        if under is not None:
            value = lab.parse(under.text)
            if value is not None:
                return Found(value, [under], under.text, 0.95)
    return None


def _below(view: PageView, label: Box, stop: set[int]) -> Box | None:
    """The nearest box under ``label`` that shares its column (a header row's value)."""
    reach = 2.6 * max(label.h, view.line_h)
    cands = [
        b
        for b in view.boxes
        if id(b) not in stop
        and 0 < b.cy - label.cy <= reach
        and min(b.x1, label.x1 + label.h) - max(b.x0, label.x0 - label.h) > 0
        and b.flat not in {"¥", "￥"}
    ]
    return min(cands, key=lambda b: (b.cy, abs(b.cx - label.cx)), default=None)


def _unlabelled_rail(view: PageView, out: dict[str, Found], stop: set[int]) -> None:
    """The rail ticket's face without labels: stations, train, departure, seat, passenger by their shape."""
    free = [b for b in view.boxes if id(b) not in stop]
    stations = _stations(view, free)
    if stations and "route_from" not in out and "route_to" not in out and len(stations) >= 2:
        first, last = stations[0], stations[-1]
        out["route_from"] = Found(first[0], first[1], first[0])
        out["route_to"] = Found(last[0], last[1], last[0])
        line = [b for b in free if view.same_line(first[1][0], b, 0.8)]
        trains = [b for b in line if _TRAIN.match(b.flat) and first[1][-1].x1 < b.cx < last[1][0].x0]
        if trains and "trip_number" not in out:
            out["trip_number"] = Found(trains[0].flat, trains[:1], trains[0].text, 0.95)
    for b in free:
        flat = b.flat
        if (m := _DEPART_TIME.search(flat)) and "departure_time" not in out:
            out["departure_time"] = Found(_time(m.group(1)), [b], b.text, 0.95)
            dates = [d for d in free if view.same_line(b, d) and d.x1 <= b.x0 + 1 and _date(d.text)]
            if (day := _date(flat[: m.start()])) and "departure_date" not in out:
                out["departure_date"] = Found(day, [b], b.text, 0.95)  # date and time in one run
            elif dates and "departure_date" not in out:
                near = max(dates, key=lambda d: d.x1)
                out["departure_date"] = Found(_date(near.text), [near], near.text, 0.95)
        elif _SEAT.fullmatch(flat) and "seat" not in out:
            out["seat"] = Found(flat, [b], b.text, 0.95)
        elif (m := _SEAT_CLASS.fullmatch(flat)) and "seat_class" not in out:
            out["seat_class"] = Found(m.group(0), [b], b.text, 0.95)
        elif (m := _MASKED_ID.match(flat.upper())) and "passenger_id" not in out:
            out["passenger_id"] = Found(m.group(1), [b], b.text, 0.95)
            names = [n for n in free if n is not b and view.same_line(b, n) and n.x0 > b.x1 and _CJK_NAME.match(n.flat)]
            if m.group(2) and "passenger" not in out:
                out["passenger"] = Found(m.group(2), [b], b.text, 0.95)
            elif names and "passenger" not in out:
                name = min(names, key=lambda n: n.x0)
                out["passenger"] = Found(name.flat, [name], name.text, 0.95)


def _stations(view: PageView, free: list[Box]) -> list[tuple[str, list[Box]]]:
    """Station names on one line in the upper half, each ending in 站 (the 站 may be a run of its own)."""
    out: list[tuple[str, list[Box]]] = []
    for b in sorted(free, key=lambda b: b.x0):
        if b.cy > view.height * 0.5 or not re.fullmatch(r"[\u4e00-\u9fff]{1,10}", b.flat) or "发票" in b.flat:
            continue
        if b.flat.endswith("站") and len(b.flat) >= 2:
            out.append((b.flat, [b]))
            continue
        tail = [s for s in free if s.flat == "站" and 0 <= s.x0 - b.x1 <= b.h * 0.6 and abs(s.y1 - b.y1) <= b.h * 0.3]
        if tail:
            out.append((b.flat + "站", [b, tail[0]]))
    if not out:
        return []
    # keep the stations sharing the most common line (the route), left to right
    best = max(out, key=lambda s: sum(1 for t in out if view.same_line(s[1][0], t[1][0], 0.8)))
    return [s for s in out if view.same_line(best[1][0], s[1][0], 0.8)]
