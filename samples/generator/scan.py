"""Turn a clean page render into a realistic scan or phone photo, deterministically for a given rng.

Real invoices reach us crooked, upside down, photographed on a desk next to another invoice, blurred, JPEG'd,
unevenly lit, stamped with a red seal right across the seller's name, and printed with the data layer shifted
against the pre-printed form (套打偏移). The OCR preprocessing is only as good as the variety it is tested on,
so every one of those effects lives here, each as a small function, composed by ``degrade``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np
import pymupdf

MM_PER_INCH = 25.4
SEAL_RED = np.array([45, 35, 215], dtype=np.float32)  # BGR vermilion seal ink


@dataclass(frozen=True)
class Profile:
    """How hard to degrade; ranges are sampled uniformly, probabilities decide whether an effect applies."""

    name: str
    dpi: tuple[int, int] = (150, 300)
    """Output resolution range; the input is assumed to be rendered at ``source_dpi``."""
    quarter_turns: tuple[int, ...] = (0,)
    """Allowed rotations in quarter turns (1 = 90° clockwise, 2 = upside down)."""
    skew: float = 1.5
    """Maximum small rotation in degrees (either direction)."""
    perspective: float = 0.0
    """Maximum corner displacement as a fraction of the page size (photos)."""
    desk: bool = False
    """Photo on a desk: textured background around the page instead of the scanner's white lid."""
    neighbour: float = 0.0
    """Probability of the edge of a neighbouring sheet entering the frame."""
    blur: float = 0.6
    """Maximum Gaussian blur sigma in output pixels."""
    noise: float = 4.0
    """Maximum sensor noise standard deviation (grey levels)."""
    jpeg: tuple[int, int] | None = (60, 95)
    """JPEG quality range, or ``None`` for lossless output."""
    lighting: float = 0.0
    """Maximum strength of uneven lighting (0 = flat, 0.4 = a strong shadow)."""
    seal: float = 0.8
    """Probability of a red 发票专用章 stamped over the seller block."""
    title_seal: float = 0.5
    """Probability of the red 监制章 printed over the title."""
    offset_mm: float = 1.5
    """Maximum shift of the data layer against the form (套打偏移), in millimetres."""


PROFILES: dict[str, Profile] = {
    "clean": Profile(
        "clean", dpi=(200, 200), skew=0.0, blur=0.0, noise=0.0, jpeg=None, seal=0.0, title_seal=0.0, offset_mm=0.0
    ),
    "scan": Profile("scan", quarter_turns=(0, 0, 0, 1, 2, 3), skew=3.0, lighting=0.08),
    "photo": Profile(
        "photo",
        dpi=(180, 260),
        quarter_turns=(0, 0, 0, 1, 3, 2),
        skew=6.0,
        perspective=0.07,
        desk=True,
        neighbour=0.6,
        blur=1.2,
        noise=6.0,
        jpeg=(55, 90),
        lighting=0.35,
        offset_mm=2.0,
    ),
}


@dataclass
class Degradation:
    """What ``degrade`` did, so tests can check that preprocessing undoes it."""

    profile: str
    dpi: int
    quarter_turns: int = 0
    skew: float = 0.0
    offset_px: tuple[int, int] = (0, 0)
    seal_centers: list[tuple[float, float]] = field(default_factory=list)
    page_corners: np.ndarray | None = None
    """Where the page's corners (tl, tr, br, bl of the input image) ended up in the output image."""


def degrade(
    image: np.ndarray, rng: np.random.Generator, profile: str | Profile = "scan", source_dpi: int = 200
) -> np.ndarray:
    """A degraded copy of a clean BGR page render (the input is not modified)."""
    return degrade_with_report(image, rng, profile, source_dpi)[0]


def degrade_with_report(
    image: np.ndarray, rng: np.random.Generator, profile: str | Profile = "scan", source_dpi: int = 200
) -> tuple[np.ndarray, Degradation]:
    """``degrade`` plus a record of the sampled parameters and where the page went."""
    prof = PROFILES[profile] if isinstance(profile, str) else profile
    dpi = int(rng.integers(prof.dpi[0], prof.dpi[1] + 1))
    report = Degradation(profile=prof.name, dpi=dpi)
    img = image.copy()
    px_per_mm = source_dpi / MM_PER_INCH
    if prof.offset_mm > 0:
        dx, dy = (rng.uniform(-prof.offset_mm, prof.offset_mm, 2) * px_per_mm).round().astype(int)
        img = offset_print(img, int(dx), int(dy))
        report.offset_px = (int(dx), int(dy))
    h, w = img.shape[:2]
    if rng.random() < prof.title_seal:
        center = (w * rng.uniform(0.45, 0.55), h * rng.uniform(0.07, 0.12))
        stamp_seal(
            img,
            center,
            rng,
            px_per_mm,
            top_text="全国统一发票监制章",
            middle_text="",
            bottom_text="国家税务总局",
            size_mm=(36, 24),
            star=False,
            alpha=0.55,
        )
    if rng.random() < prof.seal:
        center = (w * rng.uniform(0.62, 0.85), h * rng.uniform(0.72, 0.92))
        stamp_seal(img, center, rng, px_per_mm)
        report.seal_centers.append(center)
    scale = dpi / source_dpi
    if scale != 1.0:
        img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    turns = int(rng.choice(prof.quarter_turns))
    report.quarter_turns = turns
    img = np.ascontiguousarray(np.rot90(img, -turns)) if turns else img
    report.skew = float(rng.uniform(-prof.skew, prof.skew)) if prof.skew else 0.0
    if prof.desk:
        img, corners = photo_on_desk(img, rng, report.skew, prof.perspective, prof.neighbour)
    else:
        img, corners = rotate_on_lid(img, report.skew)
    report.page_corners = _corners_of_input(corners, turns)
    if prof.lighting > 0:
        img = uneven_lighting(img, rng, rng.uniform(0.3, 1.0) * prof.lighting)
    if prof.blur > 0:
        sigma = rng.uniform(0.0, prof.blur)
        if sigma > 0.2:
            img = cv2.GaussianBlur(img, (0, 0), sigma)
    if prof.noise > 0:
        img = add_noise(img, rng, rng.uniform(0.0, prof.noise))
    if prof.jpeg is not None:
        img = jpeg(img, int(rng.integers(prof.jpeg[0], prof.jpeg[1] + 1)))
    return img, report


def two_up(
    img_a: np.ndarray, img_b: np.ndarray, dpi: int = 200, source_dpi: int = 200, gap_mm: float = 20.0
) -> np.ndarray:
    """Two invoices scanned on one A4 sheet (portrait), one above the other, each scaled to fit the width."""
    a4_w, a4_h = round(210 / MM_PER_INCH * dpi), round(297 / MM_PER_INCH * dpi)
    sheet = np.full((a4_h, a4_w, 3), 250, np.uint8)
    margin = round(10 / MM_PER_INCH * dpi)
    gap = round(gap_mm / MM_PER_INCH * dpi)
    y = margin
    for img in (img_a, img_b):
        scale = min((a4_w - 2 * margin) / img.shape[1], (a4_h - 2 * margin - gap) / 2 / img.shape[0], dpi / source_dpi)
        small = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        x = (a4_w - small.shape[1]) // 2
        sheet[y : y + small.shape[0], x : x + small.shape[1]] = small
        y += small.shape[0] + gap
    return sheet


# --- the individual effects -------------------------------------------------------------------------------


def offset_print(image: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """套打偏移: shift the data layer (black or blue-black print) against the coloured pre-printed form.

    Only the rendered page is available, so the two layers are told apart by colour: ink absorbs light, and
    the brown/orange form inks absorb far more blue than red, while black and blue-black data print absorbs
    red at least as much as blue. The ratio survives anti-aliasing (a glyph's edge is the same ink over less
    of the pixel), so whole glyphs move, edges included. A page whose form is itself black was printed in one
    pass — there is nothing to be offset against — and comes back unchanged.

    (Before 2026-11: the data layer was taken as the dark *unsaturated* pixels, which missed the saturated
    core of blue-black print and shredded a quarter of the pages' values into illegible fragments.)
    """
    if dx == 0 and dy == 0:
        return image.copy()
    data = data_layer_mask(image)
    if data is None:
        return image.copy()
    form = image.copy()
    form[data] = 255
    layer = np.full_like(image, 255)
    layer[data] = image[data]
    m = np.float32([[1, 0, dx], [0, 1, dy]])
    layer = cv2.warpAffine(layer, m, (image.shape[1], image.shape[0]), borderValue=(255, 255, 255))
    return (form.astype(np.float32) * layer.astype(np.float32) / 255.0).astype(np.uint8)


_FORM_RED_BLUE = 0.72
"""Red/blue absorption ratio between the form inks (≤ 0.65) and the data inks (≥ 1.0)."""


def data_layer_mask(image: np.ndarray) -> np.ndarray | None:
    """Pixels of the data layer on a clean render, or ``None`` when the form is printed in the same colour
    (its ruled lines look like data)."""
    absorb = 1.0 - image.astype(np.float32) / 255.0
    strength = absorb.max(axis=2)
    ratio = absorb[..., 2] / np.maximum(absorb[..., 0], 1e-3)  # BGR: red over blue
    core_data = (strength > 0.15) & (ratio >= _FORM_RED_BLUE)
    rules = cv2.morphologyEx(
        (strength > 0.3).astype(np.uint8), cv2.MORPH_OPEN, np.ones((1, max(15, image.shape[1] // 8)), np.uint8)
    ).astype(bool)
    if rules.sum() == 0 or (rules & core_data).sum() > 0.5 * rules.sum():
        return None
    # faint edge pixels next to data glyphs belong to them unless they have the form's colour
    near = cv2.dilate(core_data.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    form_coloured = (strength > 0.06) & (ratio < _FORM_RED_BLUE)
    return core_data | (near & (strength > 0.01) & ~form_coloured)


def stamp_seal(
    image: np.ndarray,
    center: tuple[float, float],
    rng: np.random.Generator,
    px_per_mm: float,
    *,
    top_text: str | None = None,
    middle_text: str | None = None,
    bottom_text: str = "发票专用章",
    size_mm: tuple[float, float] = (40, 30),
    star: bool = True,
    alpha: float = 0.85,
) -> None:
    """Stamp an oval red seal in place: company name along the top arc, star, tax ID, 发票专用章 at the bottom.

    Seal ink is translucent: it is multiplied over the page, so black text under it stays black (as on paper).
    """
    if top_text is None:
        top_text = str(rng.choice(["深圳演示电子有限公司", "杭州模拟软件有限公司", "北京示例科技有限公司"]))
    if middle_text is None:
        middle_text = "91" + "".join(str(d) for d in rng.integers(0, 10, 14)) + "XK"
    a, b = size_mm[0] / 2 * px_per_mm, size_mm[1] / 2 * px_per_mm
    pad = int(max(a, b) + 4)
    side = 2 * pad
    ink = np.zeros((side, side), np.float32)
    c = (pad, pad)
    border = max(2, round(1.0 * px_per_mm))
    cv2.ellipse(ink, c, (int(a), int(b)), 0, 0, 360, 1.0, border, cv2.LINE_AA)
    char_h = 0.22 * b * 1.9
    n = len(top_text)
    for i, ch in enumerate(top_text):  # along the upper arc, from ~200° to ~340°
        theta = math.radians(205 + (130 * (i + 0.5) / n))
        x = c[0] + (a - border - char_h * 0.75) * math.cos(theta)
        y = c[1] + (b - border - char_h * 0.75) * math.sin(theta)
        glyph = _text_alpha(ch, int(char_h))
        rot = -math.degrees(theta) - 90
        _paste(ink, _rotate(glyph, rot), (x, y))
    if star:
        _star(ink, (c[0], c[1] - 0.12 * b), 0.22 * b)
    if middle_text:
        _paste(ink, _fit_width(_text_alpha(middle_text, int(0.2 * b)), 1.5 * a), (c[0], c[1] + 0.22 * b))
    if bottom_text:
        _paste(ink, _fit_width(_text_alpha(bottom_text, int(0.28 * b)), 1.1 * a), (c[0], c[1] + 0.6 * b))
    texture = cv2.GaussianBlur(rng.uniform(0.55, 1.0, ink.shape).astype(np.float32), (0, 0), 2.0)
    ink = np.clip(ink * texture * alpha * 1.25, 0, 1)
    ink = _rotate(ink, float(rng.uniform(-15, 15)))
    _multiply_ink(image, ink, center, SEAL_RED)


def rotate_on_lid(image: np.ndarray, degrees: float) -> tuple[np.ndarray, np.ndarray]:
    """A sheet lying crooked on a flatbed scanner: rotate on a near-white lid, enlarging the canvas."""
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), -degrees, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(h * sin + w * cos) + 20, int(h * cos + w * sin) + 20
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    out = cv2.warpAffine(image, m, (nw, nh), flags=cv2.INTER_LINEAR, borderValue=(238, 238, 238))
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    return out, cv2.transform(corners[None], m)[0]


def photo_on_desk(
    page: np.ndarray, rng: np.random.Generator, skew: float, perspective: float, neighbour: float
) -> tuple[np.ndarray, np.ndarray]:
    """A phone photo: the page in perspective on a textured desk, perhaps beside another sheet's edge."""
    h, w = page.shape[:2]
    margin = rng.uniform(0.13, 0.22)  # phones frame the whole sheet, corners inside the picture
    cw, ch = int(w * (1 + 2 * margin)), int(h * (1 + 2 * margin))
    canvas = desk_texture((ch, cw), rng)
    if rng.random() < neighbour:
        _neighbour_sheet(canvas, rng, (w, h))
    center = np.float32([cw / 2, ch / 2])
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    rad = math.radians(skew)
    rot = np.float32([[math.cos(rad), -math.sin(rad)], [math.sin(rad), math.cos(rad)]])
    dst = (src - np.float32([w / 2, h / 2])) @ rot.T + center
    dst += rng.uniform(-perspective, perspective, (4, 2)).astype(np.float32) * np.float32([w, h])
    m = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    warped = cv2.warpPerspective(page, m, (cw, ch), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), m, (cw, ch), flags=cv2.INTER_LINEAR)
    shadow = cv2.GaussianBlur(mask, (0, 0), 12).astype(np.float32)[..., None] / 255.0
    offset = np.float32([[1, 0, 6], [0, 1, 8]])
    shadow = cv2.warpAffine(shadow, offset, (cw, ch))[..., None]
    canvas = (canvas.astype(np.float32) * (1 - 0.35 * shadow)).astype(np.uint8)
    alpha = mask.astype(np.float32)[..., None] / 255.0
    out = (warped.astype(np.float32) * alpha + canvas.astype(np.float32) * (1 - alpha)).astype(np.uint8)
    return out, dst


def desk_texture(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """Wood grain or a grey/dark desk, with low-frequency blotches so it is not a flat colour."""
    h, w = shape
    kind = rng.integers(0, 3)
    base = [np.array([60, 100, 150]), np.array([120, 120, 125]), np.array([45, 45, 50])][kind].astype(np.float32)
    small = rng.normal(0, 1, (max(2, h // 40), max(2, w // 40))).astype(np.float32)
    blotch = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    tex = base[None, None, :] * (1 + 0.08 * blotch[..., None])
    if kind == 0:
        grain = np.sin(np.linspace(0, rng.uniform(40, 90), h)[:, None] + 3 * blotch) * 0.08
        tex *= 1 + grain[..., None]
    tex += rng.normal(0, 4, tex.shape)
    return np.clip(tex, 0, 255).astype(np.uint8)


def uneven_lighting(image: np.ndarray, rng: np.random.Generator, strength: float) -> np.ndarray:
    """A brightness gradient across the frame plus a soft vignette (a lamp to one side, a phone's shadow)."""
    h, w = image.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, 2 * math.pi)
    ramp = (np.cos(angle) * (xx / w - 0.5) + np.sin(angle) * (yy / h - 0.5)) + 0.5
    vignette = ((xx / w - 0.5) ** 2 + (yy / h - 0.5) ** 2) * 2
    light = 1 - strength * np.clip(0.7 * ramp + 0.3 * vignette, 0, 1)
    return np.clip(image.astype(np.float32) * light[..., None], 0, 255).astype(np.uint8)


def add_noise(image: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    noisy = image.astype(np.float32) + rng.normal(0, sigma, image.shape).astype(np.float32)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR) if ok else image


# --- helpers ---------------------------------------------------------------------------------------------


def _corners_of_input(corners: np.ndarray, turns: int) -> np.ndarray:
    """Map the rotated page's corners back to the input page's tl, tr, br, bl order."""
    return np.roll(np.asarray(corners, np.float32), -turns, axis=0)


def _neighbour_sheet(canvas: np.ndarray, rng: np.random.Generator, page_size: tuple[int, int]) -> None:
    """Another sheet's edge entering from one side, with a few printed lines on it."""
    ch, cw = canvas.shape[:2]
    side = int(rng.integers(0, 4))
    depth = rng.uniform(0.04, 0.09)
    tilt = rng.uniform(-0.03, 0.03)
    if side in (0, 1):  # left / right
        d = depth * cw
        xs = [0, d + tilt * ch, d - tilt * ch, 0] if side == 0 else [cw, cw - d + tilt * ch, cw - d - tilt * ch, cw]
        poly = np.float32([[xs[0], 0], [xs[1], 0], [xs[2], ch], [xs[3], ch]])
    else:  # top / bottom
        d = depth * ch
        ys = [0, d + tilt * cw, d - tilt * cw, 0] if side == 2 else [ch, ch - d + tilt * cw, ch - d - tilt * cw, ch]
        poly = np.float32([[0, ys[0]], [0, ys[1]], [cw, ys[2]], [cw, ys[3]]])
    cv2.fillPoly(canvas, [poly.astype(np.int32)], (236, 238, 240), cv2.LINE_AA)
    for _ in range(int(rng.integers(3, 8))):
        t = rng.uniform(0.1, 0.9)
        if side in (0, 1):
            y = int(t * ch)
            x0 = 0 if side == 0 else int(cw - d * 0.9)
            cv2.line(canvas, (x0, y), (x0 + int(d * 0.9), y), (40, 80, 140), 2)
        else:
            x = int(t * cw)
            y0 = 0 if side == 2 else int(ch - d * 0.9)
            cv2.line(canvas, (x, y0), (x, y0 + int(d * 0.9)), (40, 80, 140), 2)


def _text_alpha(text: str, px_height: int) -> np.ndarray:
    """Ink coverage (0..1) of ``text`` in a CJK font, ``px_height`` pixels tall (rendered with PyMuPDF)."""
    px_height = max(px_height, 6)
    size = 10.0
    width = pymupdf.get_text_length(text, fontname="china-s", fontsize=size) + 2
    doc = pymupdf.open()
    page = doc.new_page(width=width, height=size * 1.3)
    page.insert_text((1, size * 1.02), text, fontname="china-s", fontsize=size)
    zoom = px_height / (size * 1.3)
    pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), colorspace=pymupdf.csGRAY)
    grey = np.frombuffer(pix.samples, np.uint8).reshape(pix.h, pix.w)
    return 1.0 - grey.astype(np.float32) / 255.0


def _fit_width(alpha: np.ndarray, max_width: float) -> np.ndarray:
    if alpha.shape[1] <= max_width:
        return alpha
    return cv2.resize(alpha, (int(max_width), alpha.shape[0]), interpolation=cv2.INTER_AREA)


def _rotate(alpha: np.ndarray, degrees: float) -> np.ndarray:
    h, w = alpha.shape[:2]
    side = int(math.hypot(h, w)) + 2
    padded = np.zeros((side, side), np.float32)
    y, x = (side - h) // 2, (side - w) // 2
    padded[y : y + h, x : x + w] = alpha
    m = cv2.getRotationMatrix2D((side / 2, side / 2), degrees, 1.0)
    return cv2.warpAffine(padded, m, (side, side), flags=cv2.INTER_LINEAR)


def _paste(dst: np.ndarray, src: np.ndarray, center: tuple[float, float]) -> None:
    """Max-combine ``src`` into ``dst`` centred at ``center`` (clipped at the borders)."""
    h, w = src.shape[:2]
    x0, y0 = int(round(center[0] - w / 2)), int(round(center[1] - h / 2))
    dx0, dy0 = max(0, x0), max(0, y0)
    dx1, dy1 = min(dst.shape[1], x0 + w), min(dst.shape[0], y0 + h)
    if dx1 <= dx0 or dy1 <= dy0:
        return
    region = src[dy0 - y0 : dy1 - y0, dx0 - x0 : dx1 - x0]
    np.maximum(dst[dy0:dy1, dx0:dx1], region, out=dst[dy0:dy1, dx0:dx1])


def _star(dst: np.ndarray, center: tuple[float, float], radius: float) -> None:
    pts = []
    for k in range(10):
        r = radius if k % 2 == 0 else radius * 0.4
        theta = -math.pi / 2 + k * math.pi / 5
        pts.append((center[0] + r * math.cos(theta), center[1] + r * math.sin(theta)))
    cv2.fillPoly(dst, [np.int32(np.round(pts))], 1.0, cv2.LINE_AA)


def _multiply_ink(image: np.ndarray, alpha: np.ndarray, center: tuple[float, float], colour: np.ndarray) -> None:
    """Multiply translucent ink of ``colour`` over ``image`` in place."""
    layer = np.zeros(image.shape[:2], np.float32)
    _paste(layer, alpha, center)
    ys, xs = np.nonzero(layer)
    if len(ys) == 0:
        return
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    a = layer[y0:y1, x0:x1, None]
    region = image[y0:y1, x0:x1].astype(np.float32)
    tint = 1 - a + a * colour[None, None, :] / 255.0
    image[y0:y1, x0:x1] = np.clip(region * tint, 0, 255).astype(np.uint8)


__all__ = [
    "PROFILES",
    "Degradation",
    "Profile",
    "data_layer_mask",
    "degrade",
    "degrade_with_report",
    "offset_print",
    "stamp_seal",
    "two_up",
]
