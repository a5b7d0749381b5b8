"""The 密码区 (cipher area) of a 税控 VAT invoice: found from the detected boxes alone, so it need not be read.

The block right of the buyer holds four rows of machine cipher (``0-9 + - * / < >``), about a fifth of an old-
layout invoice's recognised width, and nothing fapiao extracts (the extractor only uses the 密码区 label, as
the buyer block's right edge, and the label is not part of the block). Before recognition all there is to go
on is geometry, so a block is only a *candidate*: a stack of three to five long detected lines in the upper
part of the page's right side, left edges aligned, the same width and height, evenly spaced, with nothing else
detected between or inside them. That shape is what a cipher block looks like whatever the layout, but other
things could have it too, so one line of the stack is recognised with the rest of the page and the others are
skipped only when it reads as cipher (long, nine in ten characters digits or ``+-*/<>``, at least two of
the latter); when not,
they are recognised after all. 数电 invoices and the other families without a cipher area have no such stack
or fail the probe, and are read in full.
"""

from __future__ import annotations

import numpy as np

_MIN_ROWS, _MAX_ROWS = 3, 5
_MIN_LENGTH = 8.0
"""A candidate row is at least this many line heights long (a cipher row is ≈ 14)."""
_TOP_SHARE = 0.6
"""Rows lie in the upper part of the page (the cipher area sits above the items table) …"""
_LEFT_SHARE = 0.35
"""… and start right of this share of its width (the buyer block is on the left)."""
_SAME_WIDTH = 0.12
_SAME_HEIGHT = 0.35
_ALIGN = 1.0
"""Left edges within this many line heights."""
_PITCH = (0.9, 3.5)
"""Row pitch in line heights."""
_EVEN = 1.35
"""Largest over smallest row pitch."""

CIPHER_CHARS = frozenset("0123456789+-*/<>")
_OPERATORS = frozenset("+-*/<>")
_MIN_PROBE_CHARS = 12
_CIPHER_SHARE = 0.9


def cipher_block(quads: list[np.ndarray], width: int, height: int) -> list[int]:
    """Indices (top to bottom) of the detected lines that form a candidate cipher block, or ``[]``."""
    boxes = []
    for q in quads:
        q = np.asarray(q, dtype=np.float64).reshape(4, 2)
        x0, y0 = q.min(axis=0)
        x1, y1 = q.max(axis=0)
        boxes.append((float(x0), float(y0), float(x1), float(y1)))
    cands = [
        i
        for i, (x0, y0, x1, y1) in enumerate(boxes)
        if (x1 - x0) >= _MIN_LENGTH * max(y1 - y0, 1.0)
        and (y0 + y1) / 2 < _TOP_SHARE * height
        and x0 >= _LEFT_SHARE * width
    ]
    best: list[int] = []
    for a in cands:
        ax0, ay0, ax1, ay1 = boxes[a]
        aw, ah = ax1 - ax0, ay1 - ay0
        group = [
            i
            for i in cands
            if abs(boxes[i][0] - ax0) <= _ALIGN * ah
            and abs((boxes[i][2] - boxes[i][0]) - aw) <= _SAME_WIDTH * aw
            and abs((boxes[i][3] - boxes[i][1]) - ah) <= _SAME_HEIGHT * ah
        ]
        group.sort(key=lambda i: boxes[i][1] + boxes[i][3])
        if len(group) > len(best) and _is_block(group, boxes):
            best = group
    return best


def _is_block(group: list[int], boxes: list[tuple[float, float, float, float]]) -> bool:
    if not _MIN_ROWS <= len(group) <= _MAX_ROWS:
        return False
    h = float(np.median([boxes[i][3] - boxes[i][1] for i in group]))
    cys = [(boxes[i][1] + boxes[i][3]) / 2 for i in group]
    pitches = [b - a for a, b in zip(cys, cys[1:], strict=False)]
    if min(pitches) < _PITCH[0] * h or max(pitches) > _PITCH[1] * h or max(pitches) > _EVEN * min(pitches):
        return False
    x0 = min(boxes[i][0] for i in group)
    x1 = max(boxes[i][2] for i in group)
    top, bottom = boxes[group[0]][1], boxes[group[-1]][3]
    members = set(group)
    for j, (bx0, by0, bx1, by1) in enumerate(boxes):
        if j in members:
            continue
        # anything else detected inside the block (between its rows or overlapping them): not a cipher block
        if bx1 > x0 + 0.5 * h and bx0 < x1 - 0.5 * h and (by0 + by1) / 2 > top and (by0 + by1) / 2 < bottom:
            return False
    return True


def reads_as_cipher(text: str) -> bool:
    """A recognised line that is machine cipher: long, only cipher characters, at least two operators."""
    flat = "".join(text.split())
    if len(flat) < _MIN_PROBE_CHARS:
        return False
    # one or two characters misread as letters or punctuation do not make it something else
    return sum(c in CIPHER_CHARS for c in flat) >= _CIPHER_SHARE * len(flat) and sum(c in _OPERATORS for c in flat) >= 2
