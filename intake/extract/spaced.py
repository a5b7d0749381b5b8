"""Words the form prints spaced out, arriving as separate boxes: labels and column headers (合 计, 名 称：,
数 量, 金 额, 校 验 码：) drawn one character per text object, and the ¥ sign drawn in another font than the
figure after it. Rejoined before labels are looked for, so the 合计 row, the names and the table header are
found by their words as usual.

The join is anchored on the vocabulary: pieces are joined only when together they make a label or a column
header, which is what makes the wide gaps of real forms (up to about six character heights) safe to bridge.
"""

from __future__ import annotations

import re

from fapiao.core.models import FieldSource
from fapiao.intake.extract.geometry import Box
from fapiao.intake.extract.labels import find_label
from fapiao.intake.extract.table import column_kind
from fapiao.intake.extract.text import compact

MAX_GAP_H = 6.0
"""Widest gap bridged between two pieces of a word, in character heights (real forms: up to ≈ 5)."""
MAX_PIECES = 6
_PIECE = re.compile(r"^[\u4e00-\u9fff]{1,2}(?:\([\u4e00-\u9fff]{1,2}\))?:?$|^:$")
"""One or two characters of a spaced word, maybe with its colon or a bracketed tail ("计(大写)"); boxes are
compared in their compact form (full-width brackets and colons folded)."""
_CURRENCY = frozenset({"¥", "￥"})
_FIGURE = re.compile(r"^-?\d[\d,]*(?:\.\d+)?$")
DEFAULT_SOURCES = frozenset({FieldSource.text_layer})
"""Text layers and OFD text (the ¥ glue: OCR reads a ¥ with its figure)."""
WORD_SOURCES = frozenset({FieldSource.text_layer, FieldSource.ocr})
"""Spaced words come apart in OCR too: the detector finds "合      计" and a spaced "金 额" as one box per
character on low-resolution pages (``labels.merge_spaced_labels`` only joins a piece to the box right
beside it)."""


def is_word(box: Box) -> bool:
    """The whole box is a label (without a value after it) or a column header."""
    label = find_label(box)
    return (label is not None and not label.inline.strip()) or column_kind(box) is not None


def _joined(boxes: list[Box]) -> Box:
    text = "".join(b.text for b in boxes)
    first = boxes[0]
    src = first.src.model_copy(
        update={
            "text": text,
            "confidence": min(b.src.confidence for b in boxes),
            "bbox": (
                min(b.x0 for b in boxes),
                min(b.y0 for b in boxes),
                max(b.x1 for b in boxes),
                max(b.y1 for b in boxes),
            ),
        }
    )
    return Box(src, text.strip(), compact(text))


_Geo = tuple[float, float, float, float]
"""(cy, h, x0, x1) of a box, computed once: the joiner compares every piece with every other."""


def _next_right(box: Box, pool: list[Box], geo: dict[int, _Geo], used: set[int]) -> Box | None:
    """The nearest piece right of ``box`` on its line (``pool`` is sorted by x0)."""
    cy, h, _, x1 = geo[id(box)]
    h = max(h, 1.0)
    for r in pool:
        rcy, rh, rx0, _ = geo[id(r)]
        gap = rx0 - x1
        if gap >= MAX_GAP_H * h:
            return None
        if r is box or id(r) in used or gap < -0.3 * h:
            continue
        if abs(rcy - cy) < 0.5 * h and abs(rh - h) < 0.5 * h:
            return r
    return None


def join_spaced_words(boxes: list[Box], sources: frozenset[FieldSource] = WORD_SOURCES) -> list[Box]:
    """Join runs of short pieces (one or two characters, maybe a colon) with their right neighbours on the
    same line when the joined text is a label or a column header; the longest such word wins."""
    pool = sorted((b for b in boxes if b.src.source in sources and _PIECE.match(b.flat)), key=lambda b: b.x0)
    geo = {id(b): (b.cy, b.h, b.x0, b.x1) for b in pool}
    used: set[int] = set()
    merged: list[Box] = []
    for start in sorted(pool, key=lambda b: (round(geo[id(b)][0]), geo[id(b)][2])):
        if id(start) in used or is_word(start):
            continue
        chain, best = [start], None
        while len(chain) < MAX_PIECES:
            nxt = _next_right(chain[-1], pool, geo, used)
            if nxt is None or is_word(nxt) and len(nxt.flat) > 1:
                break
            chain.append(nxt)
            candidate = _joined(chain)
            if is_word(candidate):
                best = (list(chain), candidate)
        if best is not None:
            pieces, word = best
            used.update(id(b) for b in pieces)
            merged.append(word)
    return [b for b in boxes if id(b) not in used] + merged


def glue_currency(boxes: list[Box], sources: frozenset[FieldSource] = DEFAULT_SOURCES) -> list[Box]:
    """A lone ¥ box and the figure that starts right after it (within about one character) become one box
    "¥8562.72", as the amount columns and the 合计 row expect."""
    used: set[int] = set()
    glued: list[Box] = []
    for sign in (b for b in boxes if b.src.source in sources and b.flat in _CURRENCY):
        h = max(sign.h, 1.0)
        right = [
            o
            for o in boxes
            if o is not sign
            and id(o) not in used
            and abs(o.cy - sign.cy) < 0.6 * h
            and -0.2 * h <= o.x0 - sign.x1 < 1.0 * h
            and _FIGURE.match(o.flat)
        ]
        if not right:
            continue
        figure = min(right, key=lambda o: o.x0)
        used.update({id(sign), id(figure)})
        glued.append(_joined([sign, figure]))
    return [b for b in boxes if id(b) not in used] + glued
