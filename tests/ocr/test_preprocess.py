"""prepare_page on synthetic pages: upright again after turns and skew, photos warped back, two-up split."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pytest

from fapiao.ocr.preprocess import prepare_page
from fapiao.ocr.preprocess.locate import find_documents
from fapiao.ocr.preprocess.orient import estimate_skew
from fapiao.ocr.preprocess.seals import seal_mask, suppress_seals
from fapiao.ocr.settings import OcrSettings
from samples.generator.scan import PROFILES, degrade_with_report, stamp_seal, two_up

pytestmark = pytest.mark.slow  # full-size OpenCV renders, warps and the OCR direction classifier


def _turn(img, quarter_turns_cw, skew_cw=0.0):
    img = np.ascontiguousarray(np.rot90(img, -quarter_turns_cw))
    if skew_cw:
        h, w = img.shape[:2]
        m = cv2.getRotationMatrix2D((w / 2, h / 2), -skew_cw, 1.0)
        cos, sin = abs(m[0, 0]), abs(m[0, 1])
        nw, nh = int(h * sin + w * cos), int(h * cos + w * sin)
        m[0, 2] += nw / 2 - w / 2
        m[1, 2] += nh / 2 - h / 2
        img = cv2.warpAffine(img, m, (nw, nh), borderValue=(255, 255, 255))
    return img


def _ink_crop(grey: np.ndarray) -> np.ndarray:
    """The grey image cut to its ink (the frame and text), so margins do not count."""
    ink = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 25)
    ink = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    x, y, w, h = cv2.boundingRect(cv2.findNonZero(ink))
    return grey[y : y + h, x : x + w]


def _similarity(prepared: np.ndarray, reference: np.ndarray) -> float:
    """Correlation of the two images' ink at a common small size (1 = identical layout)."""
    size = (400, 234)
    a, b = (
        255 - cv2.resize(_ink_crop(cv2.cvtColor(im, cv2.COLOR_BGR2GRAY)), size, interpolation=cv2.INTER_AREA)
        for im in (prepared, reference)
    )
    a, b = cv2.GaussianBlur(a, (0, 0), 2).astype(float).ravel(), cv2.GaussianBlur(b, (0, 0), 2).astype(float).ravel()
    return float(np.corrcoef(a, b)[0, 1])


@pytest.mark.parametrize("turns", [0, 1, 2, 3])
def test_turned_and_skewed_page_comes_back_upright(page, turns):
    """GIVEN a rendered page turned by 0/90/180/270° and skewed 5°, WHEN prepared, THEN it is upright and level."""
    img, _ = page
    [prep] = prepare_page(_turn(img, turns, 5.0))
    assert (turns + prep.quarter_turns) % 4 == 0
    assert prep.skew == pytest.approx(5.0, abs=0.3)
    assert prep.orientation_source == "qr"
    assert _similarity(prep.image, img) > 0.85


@pytest.mark.parametrize("turns", [1, 2, 3])
def test_without_qr_code_text_lines_and_the_classifier_decide(page_no_qr, rapid_engine, turns):
    img, _ = page_no_qr
    [prep] = prepare_page(_turn(img, turns, -4.0), engine=rapid_engine)
    assert (turns + prep.quarter_turns) % 4 == 0
    assert prep.skew == pytest.approx(-4.0, abs=0.3)
    assert prep.orientation_source == "cls"
    assert _similarity(prep.image, img) > 0.85


def test_without_qr_or_classifier_portrait_is_still_turned_to_landscape(page_no_qr):
    img, _ = page_no_qr
    [prep] = prepare_page(_turn(img, 1))
    assert prep.image.shape[1] > prep.image.shape[0]
    assert prep.orientation_source == "lines"


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_photo_on_a_desk_is_found_and_warped_back(page, seed):
    """GIVEN a phone photo (perspective, desk, maybe a neighbour's edge), THEN the invoice is cut out flat."""
    img, _ = page
    photo, report = degrade_with_report(img, np.random.default_rng(seed), "photo")
    [prep] = prepare_page(photo)
    assert prep.perspective
    assert (report.quarter_turns + prep.quarter_turns) % 4 == 0
    corners = prep.points_to_original(
        np.float64(
            [[0, 0], [prep.image.shape[1], 0], [prep.image.shape[1], prep.image.shape[0]], [0, prep.image.shape[0]]]
        )
    )
    # the prepared image's corners land within ~1.5% of the page size of the real page corners
    err = np.min([np.abs(np.roll(report.page_corners, k, axis=0) - corners).max() for k in range(4)])
    assert err < 0.015 * max(photo.shape[:2])
    h, w = prep.image.shape[:2]
    # the aspect ratio is estimated from edge lengths (no camera model): right to ~±12% under perspective
    assert w / h == pytest.approx(img.shape[1] / img.shape[0], rel=0.15)


@pytest.mark.parametrize("seed", [0, 14, 20, 27, 29, 31])
def test_photo_beside_another_sheet_along_a_whole_side_is_one_region_at_the_page_corners(page, seed):
    """GIVEN a phone photo where another sheet lies against the invoice along a whole side (its paper runs
    together with the invoice's), WHEN located, THEN the invoice is one region whose quad is the page's own
    corners (not the merged paper's, nor a second crop of the neighbour's edge)."""
    photo, report = degrade_with_report(page[0], np.random.default_rng(seed), replace(PROFILES["photo"], neighbour=1.0))
    [region] = find_documents(photo)
    assert region.perspective
    err = np.min([np.abs(np.roll(report.page_corners, k, axis=0) - region.quad).max() for k in range(4)])
    assert err < 0.015 * max(photo.shape[:2])


def test_two_invoices_on_one_a4_scan_give_two_crops(page, page_no_qr):
    sheet = two_up(page[0], page_no_qr[0])
    preps = prepare_page(sheet)
    assert len(preps) == 2
    top, bottom = preps
    assert top.quad[:, 1].max() < bottom.quad[:, 1].min()
    assert _similarity(top.image, page[0]) > 0.85 and _similarity(bottom.image, page_no_qr[0]) > 0.85


def test_scan_profile_round_trip(page):
    img, _ = page
    for seed in range(4):
        scan, report = degrade_with_report(img, np.random.default_rng(seed), "scan")
        [prep] = prepare_page(scan)
        assert (report.quarter_turns + prep.quarter_turns) % 4 == 0
        assert prep.skew == pytest.approx(report.skew, abs=0.35)


def test_skew_estimate_on_ruled_text(page):
    img, _ = page
    grey = cv2.cvtColor(_turn(img, 0, 2.5), cv2.COLOR_BGR2GRAY)
    ink = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    assert estimate_skew(ink) == pytest.approx(2.5, abs=0.2)


def test_prepared_image_is_at_the_working_resolution(page):
    img, _ = page
    big = cv2.resize(img, None, fx=1.6, fy=1.6)
    [prep] = prepare_page(big)
    assert max(prep.image.shape[:2]) == pytest.approx(OcrSettings().work_long_side, abs=4)
    [small] = prepare_page(cv2.resize(img, None, fx=0.3, fy=0.3))
    assert max(small.image.shape[:2]) <= 2 * 0.3 * max(img.shape[:2]) + 4  # never upscaled more than 2×


def test_red_seal_is_suppressed_but_black_text_under_it_stays(page):
    img, _ = page
    stamped = img.copy()
    h, w = img.shape[:2]
    stamp_seal(stamped, (w * 0.3, h * 0.77), np.random.default_rng(0), 200 / 25.4)
    mask = seal_mask(stamped)
    assert mask.mean() > 0.005
    cleaned, share = suppress_seals(stamped)
    assert share > 0.005
    assert seal_mask(cleaned).mean() < 0.1 * mask.mean()
    black = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY) < 60
    assert (cv2.cvtColor(cleaned, cv2.COLOR_BGR2GRAY)[black] < 110).mean() > 0.97
    form = (~black) & (cv2.cvtColor(img, cv2.COLOR_BGR2GRAY) < 200)  # the brown pre-printed form
    assert seal_mask(img)[form].mean() < 0.01


def test_degrade_is_deterministic_per_rng(page):
    img, _ = page
    a = degrade_with_report(img, np.random.default_rng(7), "photo")[0]
    b = degrade_with_report(img, np.random.default_rng(7), "photo")[0]
    assert np.array_equal(a, b)
    quiet = replace(PROFILES["scan"], quarter_turns=(2,), jpeg=None)
    _, report = degrade_with_report(img, np.random.default_rng(1), quiet)
    assert report.quarter_turns == 2
