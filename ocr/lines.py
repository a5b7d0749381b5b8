"""Turn engine lines into TextBoxes: axis-aligned boxes, split at wide gaps, confidences and alternatives kept.

An OCR line often runs across two table cells ("开票日期：2024年03月15日      校验码：…"); the extractor works on
cells, so a gap of several line heights between two characters starts a new box. Each box's confidence is its
weakest character's score (``weakest``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

from fapiao.core.models import FieldSource, TextBox
from fapiao.ocr.engines.base import CharSpan, OcrLine


def lines_to_boxes(lines: Iterable[OcrLine], page: int = 1, split_gap: float = 2.5) -> list[TextBox]:
    """One or more TextBoxes per line, in the engine's order (reading order for the built-in engines)."""
    boxes: list[TextBox] = []
    for line in lines:
        boxes.extend(_line_boxes(line, page, split_gap))
    return join_spaced_labels(drop_echoes(boxes))


_LABEL_TAIL = re.compile(r"[\u4e00-\u9fff]{1,2}[:：∶]")
"""The last piece of a label printed with wide spaces between its characters ("称：" of "名    称：")."""
_LABEL_REACH = 6.0
"""Line heights between the pieces of a spaced label, at most (real forms space 名 and 称 by 3–4)."""


def join_spaced_labels(boxes: list[TextBox]) -> list[TextBox]:
    """Rejoin a label that the detector cut into pieces because the form spaces its characters widely.

    Real forms print "名    称：", "地    址：", "校 验 码："; the detector sees separate text regions, so the
    recogniser reads a lone "名" and a "称：" (or "称：深圳市…", which ``split_after_labels`` has cut after the
    colon). Left apart, no label is found and the name either goes missing (a 个人 buyer has no tax ID to find
    the name line by) or keeps "称：" in front. A piece ending in a colon (one or two characters before it)
    with single characters of the same height to its left on its line, nothing else between them and each
    gap under ``_LABEL_REACH`` line heights, becomes one box with the label's whole text."""
    used: set[int] = set()
    joined: dict[int, TextBox] = {}
    for tail in boxes:
        if not _LABEL_TAIL.fullmatch(tail.text.replace(" ", "")):
            continue
        chain: list[TextBox] = []
        cur = tail
        while len(chain) < 4:
            piece = _piece_left_of(cur, boxes, used | {id(tail)} | {id(c) for c in chain})
            if piece is None:
                break
            chain.insert(0, piece)
            cur = piece
        if not chain:
            continue
        used.update(id(c) for c in chain)
        parts = [*chain, tail]
        joined[id(tail)] = TextBox(
            text="".join(p.text.strip() for p in parts),
            bbox=(
                min(p.bbox[0] for p in parts),
                min(p.bbox[1] for p in parts),
                max(p.bbox[2] for p in parts),
                max(p.bbox[3] for p in parts),
            ),
            page=tail.page,
            confidence=min(p.confidence for p in parts),
            source=tail.source,
        )
    out = [joined.get(id(b), b) for b in boxes if id(b) not in used]
    return [_whole_name_label(b) for b in _split_colonless_labels(out)]


def _whole_name_label(box: TextBox) -> TextBox:
    """ "名：" alone is the 名称： label with its second character lost (the recogniser drops the 称 of a widely
    spaced "名    称：" on blurred photos); no other label ends in 名 and a colon."""
    if box.text.replace(" ", "") not in ("名：", "名:"):
        return box
    return box.model_copy(update={"text": "名称："})


_SPACED_LABELS = ("名称",)
"""Labels whose characters forms spread widest; the recogniser may lose the colon after the second one."""


def _split_colonless_labels(boxes: list[TextBox]) -> list[TextBox]:
    """A lone "名" left of "称滴滴出行科技有限公司" (the label's colon lost): the label is "名" plus the other
    box's first character, and the value the rest. The cut is placed one character (≈ one line height) into the
    box, as the recogniser's character positions are not kept in a TextBox."""
    out = list(boxes)
    for box in boxes:
        text = box.text.strip()
        if len(text) < 3 or not _is_cjk(text[0]):
            continue
        piece = _piece_left_of(box, out, {id(box)})
        if piece is None or piece.text.strip() + text[0] not in _SPACED_LABELS:
            continue
        h = box.bbox[3] - box.bbox[1]
        cut = min(box.bbox[0] + h, box.bbox[2] - h)
        label = TextBox(
            text=piece.text.strip() + text[0],
            bbox=(piece.bbox[0], min(piece.bbox[1], box.bbox[1]), cut, max(piece.bbox[3], box.bbox[3])),
            page=box.page,
            confidence=min(piece.confidence, box.confidence),
            source=box.source,
        )
        value = TextBox(
            text=text[1:].strip(),
            bbox=(cut, box.bbox[1], box.bbox[2], box.bbox[3]),
            page=box.page,
            confidence=box.confidence,
            source=box.source,
            alternatives=tuple(a[1:].strip() for a in box.alternatives if a[:1] == text[0] and a[1:].strip()),
        )
        at = out.index(box)
        out[at : at + 1] = [label, value]
        out.remove(piece)
    return out


def _piece_left_of(box: TextBox, boxes: list[TextBox], taken: set[int]) -> TextBox | None:
    """The single-character box nearest left of ``box`` on its line, if nothing else lies between them."""
    h = box.bbox[3] - box.bbox[1]

    def same_line(b: TextBox) -> bool:
        overlap = min(b.bbox[3], box.bbox[3]) - max(b.bbox[1], box.bbox[1])
        return overlap >= 0.5 * min(h, b.bbox[3] - b.bbox[1])

    left = [b for b in boxes if id(b) not in taken and same_line(b) and b.bbox[2] <= box.bbox[0] + 0.2 * h]
    if not left:
        return None
    nearest = max(left, key=lambda b: b.bbox[2])
    text = nearest.text.strip()
    bh = nearest.bbox[3] - nearest.bbox[1]
    if len(text) != 1 or not _is_cjk(text) or not 0.6 * h <= bh <= 1.6 * h:
        return None
    if box.bbox[0] - nearest.bbox[2] > _LABEL_REACH * h:
        return None
    return nearest


def _echoes(small: str, big: str, overlap: float) -> bool:
    """Half inside a box whose text holds it, or a third inside one that starts or ends with it (the echo of
    a line's first or last character, the detector's box sticking out past the line's end)."""
    return (overlap > 0.5 and small in big) or (overlap > 0.3 and (big.startswith(small) or big.endswith(small)))


def drop_echoes(boxes: list[TextBox]) -> list[TextBox]:
    """Drop a box the detector found twice: a small box lying inside a bigger one whose text contains its
    own (a lone "9" over the first digit of "91330110MA4XJMD43R"). Left in, it competes with the real value
    for the place next to the label."""

    def area(b: TextBox) -> float:
        return max(0.0, b.bbox[2] - b.bbox[0]) * max(0.0, b.bbox[3] - b.bbox[1])

    def inside(small: TextBox, big: TextBox) -> float:
        w = min(small.bbox[2], big.bbox[2]) - max(small.bbox[0], big.bbox[0])
        h = min(small.bbox[3], big.bbox[3]) - max(small.bbox[1], big.bbox[1])
        return max(0.0, w) * max(0.0, h) / max(area(small), 1e-6)

    flat = [b.text.replace(" ", "") for b in boxes]
    out = []
    for i, b in enumerate(boxes):
        echo = any(
            j != i and area(o) > 2 * area(b) and flat[i] and _echoes(flat[i], flat[j], inside(b, o))
            for j, o in enumerate(boxes)
        )
        if not echo:
            out.append(b)
    return out


def _line_boxes(line: OcrLine, page: int, split_gap: float) -> list[TextBox]:
    text = line.text.strip()
    if not text:
        return []
    quad = np.asarray(line.quad, dtype=np.float64)
    groups: list[list[CharSpan]] = []
    if line.chars:
        groups = split_chars(line.chars, _line_length(quad), _line_height(quad), split_gap)
        groups = [piece for group in groups for piece in split_after_labels(group)]
    if len(groups) <= 1:
        return [_box(text, quad, page, weakest(line.chars) if line.chars else line.confidence, line.alternatives)]
    index = {id(c): i for i, c in enumerate(line.chars)}
    out = []
    for group in groups:
        # the piece's text with its inner spaces ("2019  07  20"), as the recogniser read them
        piece = "".join(c.char for c in line.chars[index[id(group[0])] : index[id(group[-1])] + 1]).strip()
        if not piece:
            continue
        sub = _sub_quad(quad, group[0].start, group[-1].end)
        out.append(_box(piece, sub, page, weakest(group), _piece_alternatives(line, group)))
    return out


_COLONS = frozenset(":：∶")


def split_after_labels(group: list[CharSpan]) -> list[list[CharSpan]]:
    """Split a run after each colon that ends a Chinese label ("名称：", "纳税人识别号：", or the "称：" of a
    widely spaced "名    称：", see ``join_spaced_labels``), keeping the colon with the label. Printed forms put
    the label and its value in one line, so the recogniser reads them as one; as two boxes the value gets its
    own confidence — a doubtful label character no longer makes the value doubtful, nor the
    other way round — and its own bbox."""
    out: list[list[CharSpan]] = []
    start = 0
    for k, c in enumerate(group):
        if c.char in _COLONS and k >= 1 and k < len(group) - 1 and _is_cjk(group[k - 1].char):
            out.append(group[start : k + 1])
            start = k + 1
    out.append(group[start:])
    return [g for g in out if g]


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def weakest(chars) -> float:
    """A box's confidence: its least sure character's score.

    The mean over a line hides the one character that decides a name: "成都未思科技…" read with 未 at 0.5
    between fourteen characters at 0.99 averages 0.95, above the review threshold, though 禾 was the
    recogniser's close second. A field is only as sure as its weakest character; fields the rules can
    check (tax IDs by their check character, totals by arithmetic, header values by the QR code) are
    corroborated there, names only by this score."""
    scores = [c.confidence for c in chars if c.char.strip()]
    return float(min(scores)) if scores else 0.0


def split_chars(chars: tuple[CharSpan, ...], length: float, height: float, split_gap: float) -> list[list[CharSpan]]:
    """Group characters into runs separated by gaps wider than ``split_gap`` line heights."""
    visible = [c for c in chars if c.char.strip()]
    if not visible:
        return []
    groups = [[visible[0]]]
    for prev, cur in zip(visible, visible[1:], strict=False):
        gap = (cur.start - prev.end) * length
        if gap > split_gap * height:
            groups.append([cur])
        else:
            groups[-1].append(cur)
    return groups


def _piece_alternatives(line: OcrLine, group: list[CharSpan]) -> tuple[str, ...]:
    """Alternatives for a piece: the line's alternatives cut at the same character positions, when they line up."""
    piece = "".join(c.char for c in group)
    out = []
    full = "".join(c.char for c in line.chars)
    start = full.find(piece)
    if start < 0:
        return ()
    for alt in line.alternatives:
        if len(alt) == len(full):
            cut = alt[start : start + len(piece)].strip()
            if cut and cut != piece.strip() and cut not in out:
                out.append(cut)
    return tuple(out)


def _line_length(quad: np.ndarray) -> float:
    return float(max(np.linalg.norm(quad[1] - quad[0]), np.linalg.norm(quad[2] - quad[3]), 1.0))


def _line_height(quad: np.ndarray) -> float:
    return float(max(np.linalg.norm(quad[3] - quad[0]), np.linalg.norm(quad[2] - quad[1]), 1.0))


def _sub_quad(quad: np.ndarray, start: float, end: float) -> np.ndarray:
    """The part of the line quad between fractions ``start`` and ``end`` of its length."""
    start, end = max(0.0, start), min(1.0, end)
    top = quad[0] + (quad[1] - quad[0]) * np.array([[start], [end]])
    bottom = quad[3] + (quad[2] - quad[3]) * np.array([[end], [start]])
    return np.vstack([top, bottom])


_Y_FOR_YUAN = re.compile(r"[Yy](?=\s*\d[\d,]*\.\d{2}$)")
"""The recogniser reads the ¥ in front of a printed amount as a Latin Y ("Y 37990.57"): nothing else on an
invoice is a Y followed by an amount with two decimals."""


def _box(text: str, quad: np.ndarray, page: int, confidence: float, alternatives: tuple[str, ...]) -> TextBox:
    text = "¥" + text[1:] if _Y_FOR_YUAN.match(text) else text
    xs, ys = quad[:, 0], quad[:, 1]
    bbox = (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))
    alts = tuple(a for a in alternatives if a and a != text)
    return TextBox(
        text=text,
        bbox=bbox,
        page=page,
        confidence=float(min(max(confidence, 0.0), 1.0)),
        source=FieldSource.ocr,
        alternatives=alts,
    )
