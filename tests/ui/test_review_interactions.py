"""The review screen's own interactions in a real browser (Debian's Chromium driven by Playwright, real server):
panning the page image with the mouse while a click without movement on a field's box focuses that field,
zooming with the wheel, the buttons and the keys, rotating; the low-confidence and rule-corrected marks on
exactly the fields the OCR left so (scans uploaded to a server with OCR on); and the keyboard shortcuts
Alt+Enter, Alt+R and Alt+N really pressed, their effect read back from the API and the audit log."""

from __future__ import annotations

import math
import random
import re
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from fapiao.service.keys import create_key
from fapiao.service.queries import next_pending
from fapiao.storage.db import session_scope
from fapiao.storage.service_tables import AuditEntry
from tests.ui.conftest import SAMPLE, api_upload, log_in, shot, xml_invoice

pytestmark = pytest.mark.slow  # Chromium and the OCR models

SCAN = Path(__file__).resolve().parents[2] / "samples" / "examples" / "digital_normal.png"
"""The committed page image (110 dpi, no text layer): read by OCR."""
TRANSFORM = re.compile(r"translate\((-?[\d.e-]+)px, (-?[\d.e-]+)px\) rotate\((\d+)deg\) scale\(([\d.e-]+)\)")


def view_state(page) -> tuple[float, float, int, float]:
    """The stage's (tx, ty, rotation, zoom) as review.js last applied them."""
    m = TRANSFORM.fullmatch(page.locator("#stage").get_attribute("style").split("transform: ", 1)[1].rstrip("; "))
    assert m, page.locator("#stage").get_attribute("style")
    return float(m[1]), float(m[2]), int(m[3]), float(m[4])


def box(page, field: str) -> dict:
    """Where the field's box is on the screen now."""
    b = page.locator(f'#overlay rect[data-field="{field}"]').bounding_box()
    assert b, f"no box for {field}"
    return b


def centre(b: dict) -> tuple[float, float]:
    return b["x"] + b["width"] / 2, b["y"] + b["height"] / 2


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def open_review(page, base: str, inv_id: int) -> None:
    page.goto(f"{base}/ui/invoices/{inv_id}")
    expect(page.locator("#stage")).to_be_visible()
    expect(page.locator("#overlay rect.box").first).to_be_attached()


def test_pan_zoom_rotate_and_click_on_a_box(live_server, browser_page, tmp_path: Path) -> None:
    page = browser_page
    base, app = live_server()
    key = create_key(app.state.ctx, "reviewer", "erin")
    (doc,) = api_upload(base, key, [("e_special.pdf", SAMPLE.read_bytes())])
    (inv,) = doc["invoices"]
    log_in(page, base, key)
    open_review(page, base, inv["id"])
    vp = page.locator("#viewport").bounding_box()

    # Fitted: the whole page inside the viewport, filling it in one direction.
    stage = page.locator("#stage").bounding_box()
    assert stage["x"] >= vp["x"] - 1 and stage["y"] >= vp["y"] - 1
    assert stage["x"] + stage["width"] <= vp["x"] + vp["width"] + 1
    assert stage["y"] + stage["height"] <= vp["y"] + vp["height"] + 1
    assert max(stage["width"] / vp["width"], stage["height"] / vp["height"]) > 0.95
    fitted = view_state(page)

    # A drag that starts on a box pans the image by exactly the mouse's movement and focuses nothing.
    before = box(page, "seller_name")
    x, y = centre(before)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 90, y + 40, steps=4)
    page.mouse.move(x + 150, y + 90, steps=4)
    page.mouse.up()
    after = box(page, "seller_name")
    assert abs(after["x"] - before["x"] - 150) < 1 and abs(after["y"] - before["y"] - 90) < 1
    tx, ty, r, z = view_state(page)
    assert (round(tx - fitted[0]), round(ty - fitted[1]), r, z) == (150, 90, 0, fitted[3])
    assert focused_id(page) != "f-seller_name"
    expect(page.locator('#overlay rect[data-field="seller_name"]')).not_to_have_class(re.compile(r"\bactive\b"))
    shot(page, "30-review-panned")

    # Resizing the window keeps the reviewer's pan (the full-page screenshot just did, too); the fitted view is
    # fitted again to the new size.
    page.set_viewport_size({"width": 1300, "height": 800})
    assert view_state(page)[:2] == (tx, ty)
    page.get_by_role("button", name="适应窗口").click()
    small = view_state(page)
    assert small[3] < fitted[3]
    page.set_viewport_size({"width": 1440, "height": 900})
    expect(page.locator("#stage")).to_have_attribute("style", re.compile(rf"scale\({fitted[3]}\)"))
    assert view_state(page) == fitted
    page.mouse.move(x, y)  # the seller's box, back where it started
    page.mouse.down()
    page.mouse.move(x + 150, y + 90, steps=4)
    page.mouse.up()
    assert view_state(page)[:2] == (tx, ty)

    # A click on a box, even with the hand's small jitter, focuses that field: its box and row are highlighted.
    x, y = centre(box(page, "buyer_name"))
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 1, y + 1)
    page.mouse.up()
    expect(page.get_by_label("购买方名称", exact=True)).to_be_focused()
    expect(page.locator('#overlay rect[data-field="buyer_name"]')).to_have_class(re.compile(r"\bactive\b"))
    expect(page.locator("#row-buyer_name")).to_have_class(re.compile(r"\bfocused\b"))
    assert view_state(page)[:2] == (tx + 1, ty + 1)  # the jitter moved the image by as much, no more
    page.mouse.click(*centre(box(page, "seller_tax_id")))
    expect(page.get_by_label("销售方税号", exact=True)).to_be_focused()
    expect(page.locator('#overlay rect[data-field="buyer_name"]')).not_to_have_class(re.compile(r"\bactive\b"))

    # The wheel zooms about the mouse: the box under it grows and stays under it.
    before = box(page, "amount_with_tax")
    x, y = centre(before)
    page.mouse.move(x, y)
    page.mouse.wheel(0, -100)
    expect(page.locator("#stage")).not_to_have_attribute("style", re.compile(rf"scale\({z}\)"))
    after = box(page, "amount_with_tax")
    assert abs(after["width"] / before["width"] - 1.15) < 0.02
    ax, ay = centre(after)
    assert abs(ax - x) < 1.5 and abs(ay - y) < 1.5
    page.mouse.wheel(0, 100)
    expect(page.locator("#stage")).to_have_attribute("style", re.compile(r"scale\("))
    assert abs(box(page, "amount_with_tax")["width"] / before["width"] - 1) < 0.02

    # The buttons: zoom in and out by a quarter, rotate a quarter turn (a wide box stands up), fit again.
    before = box(page, "seller_name")
    page.get_by_role("button", name="放大").click()
    assert abs(box(page, "seller_name")["width"] / before["width"] - 1.25) < 0.02
    page.get_by_role("button", name="缩小").click()
    assert abs(box(page, "seller_name")["width"] / before["width"] - 1.0) < 0.02
    page.get_by_role("button", name="缩小").click()
    assert abs(box(page, "seller_name")["width"] / before["width"] - 0.8) < 0.02
    page.get_by_role("button", name="适应窗口").click()
    assert view_state(page) == fitted
    wide = box(page, "seller_name")
    assert wide["width"] > 3 * wide["height"]
    page.get_by_role("button", name="向右旋转").click()
    assert view_state(page)[2] == 90
    tall = box(page, "seller_name")
    assert abs(tall["width"] - wide["height"]) < 1.5 and abs(tall["height"] - wide["width"]) < 1.5
    # Rotated right, the top of the page is on the right: the title (top) is right of the totals (bottom).
    assert centre(box(page, "title"))[0] > centre(box(page, "amount_with_tax"))[0]
    shot(page, "31-review-rotated")
    page.get_by_role("button", name="向左旋转").click()
    assert view_state(page)[2] == 0
    assert centre(box(page, "title"))[1] < centre(box(page, "amount_with_tax"))[1]

    # The viewer by keyboard: the arrows pan by 40 px, + zooms, r and R rotate, 0 fits.
    page.get_by_role("button", name="适应窗口").click()
    page.locator("#viewport").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowUp")
    tx, ty, r, z = view_state(page)
    assert (round(tx - fitted[0]), round(ty - fitted[1])) == (-40, 40)
    page.keyboard.press("+")
    assert abs(view_state(page)[3] / fitted[3] - 1.25) < 1e-6
    page.keyboard.press("r")
    assert view_state(page)[2] == 90
    page.keyboard.press("R")
    page.keyboard.press("R")
    assert view_state(page)[2] == 270
    page.keyboard.press("0")
    assert view_state(page)[3] < fitted[3]  # fitted sideways: the page's long side across the short height
    page.keyboard.press("r")
    page.keyboard.press("0")
    assert view_state(page) == fitted

    # Far zoomed in and panned away, focusing a field by keyboard brings its box back into view.
    for _ in range(4):
        page.get_by_role("button", name="放大").click()
    page.locator("#viewport").focus()
    for _ in range(25):
        page.keyboard.press("ArrowDown")
    b = box(page, "seller_name")
    assert (
        b["y"] + b["height"] < vp["y"]
        or b["y"] > vp["y"] + vp["height"]
        or b["x"] + b["width"] < vp["x"]
        or b["x"] > vp["x"] + vp["width"]
    ), "the box should be out of view"
    page.get_by_label("销售方名称", exact=True).focus()
    bx, by = centre(box(page, "seller_name"))
    assert vp["x"] < bx < vp["x"] + vp["width"] and vp["y"] < by < vp["y"] + vp["height"]
    shot(page, "32-review-revealed")


def _misprinted_scan() -> tuple[bytes, Decimal]:
    """The committed scan's invoice (same generator, seed and steering as samples/generator/examples.py) printed
    with its 税额 a hundred times too large, as a dropped decimal point would read: a page image to OCR."""
    from samples.generator.images import render_pages
    from samples.generator.pdf import build_pdf
    from samples.generator.truth import random_invoice

    rng = random.Random(111)
    inv = random_invoice(rng, "digital_normal", n_items=2, red_letter=False)
    pdf, _ = build_pdf([inv.model_copy(update={"total_tax": inv.total_tax * 100})], rng)
    return render_pages(pdf, dpi=110)[0], inv.total_tax


def _marks(page) -> dict[str, tuple[set[str], set[str], str]]:
    """Per form field: its row's classes, its box's classes (if any) and its meta text, as the browser has them."""
    return page.evaluate("""() => Object.fromEntries(Array.from(document.querySelectorAll('#fields .field'), row => {
        const name = row.dataset.field, rect = document.querySelector(`#overlay rect[data-field="${name}"]`);
        return [name, [Array.from(row.classList), rect ? Array.from(rect.classList) : null,
                       document.getElementById('meta-' + name).textContent.trim()]];
    }))""")


def test_low_confidence_and_rule_corrected_marks_on_exactly_their_fields(live_server, browser_page) -> None:
    page = browser_page
    base, app = live_server(ocr=True)
    threshold = app.state.ctx.settings.confidence_threshold
    key = create_key(app.state.ctx, "reviewer", "fang")
    misprint, tax = _misprinted_scan()
    docs = api_upload(base, key, [("scan.png", SCAN.read_bytes()), ("misprint.png", misprint)])
    assert [d["status"] for d in docs] == ["done", "done"]
    log_in(page, base, key)

    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}) as api:
        seen_low: set[str] = set()
        for n, doc in enumerate(docs):
            (inv,) = doc["invoices"]
            stored = api.get(f"/api/v1/invoices/{inv['id']}").json()
            fields = {k: v for k, v in stored["fields"].items() if not k.startswith("items[")}
            assert {v["source"] for v in fields.values()} <= {"ocr", "corrected"}, "the page should have been OCR'd"
            low = {k for k, v in fields.items() if v["confidence"] is not None and v["confidence"] < threshold}
            corrected = {k for k, v in fields.items() if v["source"] == "corrected"}
            if n == 0:
                assert not corrected  # the committed scan: read as printed
            else:
                assert corrected == {"total_tax"} and "total_tax" not in low
                assert Decimal(stored["invoice"]["total_tax"]) == tax
                assert Decimal(fields["total_tax"]["original"]) == tax * 100

            open_review(page, base, inv["id"])
            marks = _marks(page)
            assert set(fields) <= set(marks)
            # Exactly the low fields carry the low mark, on the form row, on the box and in words.
            assert {k for k, (row, _, _) in marks.items() if "low" in row} == low
            boxed_low = {k for k in low if fields[k]["bbox"]}
            assert {k for k, (_, rect, _) in marks.items() if rect and "low" in rect} == boxed_low
            seen_low |= boxed_low
            assert {k for k, (_, _, meta) in marks.items() if "置信度低" in meta} == low
            # The percentage shown, rounded down: a low one never reads as the threshold or more.
            for k, v in fields.items():
                if v["confidence"] is not None and v["confidence"] < 1:
                    assert f"{math.floor(round(v['confidence'] * 100, 6))}%" in marks[k][2]
            for k in low:
                shown = int(re.search(r"(\d+)%", marks[k][2])[1])
                assert shown < threshold * 100, f"{k}: low, but shown as {shown}%"
            # Exactly the rule-corrected fields say so, with the value as read kept beside the new one.
            assert {k for k, (row, _, _) in marks.items() if "src-corrected" in row} == corrected
            assert {k for k, (_, rect, _) in marks.items() if rect and "src-corrected" in rect} == corrected
            assert {k for k, (_, _, meta) in marks.items() if "规则更正" in meta} == corrected
            for k in corrected:
                expect(page.locator(f"#meta-{k} .orig del")).to_have_text(f"{tax * 100:.2f}")
                expect(page.locator(f"#f-{k}")).to_have_value(f"{tax:.2f}")
                expect(page.locator(f'#fd-{k} li[data-code="repair.applied"]')).to_have_count(1)
            expect(page.locator("#meta-invoice_number .low")).to_have_count(0)
            shot(page, f"3{3 + n}-review-marks-{'scan' if n == 0 else 'corrected'}")

    # The reviewer types over a low-confidence value: the low mark goes, the reviewer's mark comes.
    assert seen_low, "the OCR should have left some field below the confidence threshold"
    assert low  # the misprinted scan (open now): its totals are read with less confidence
    money = ("total_amount", "total_tax", "amount_with_tax")
    name = min(low, key=lambda k: (k in money, k))  # a text field if there is one
    field = page.locator(f"#f-{name}")
    expect(field).to_be_editable()
    value = field.input_value()
    field.fill(str(Decimal(value) + Decimal("0.01")) if name in money else value + "X")
    field.press("Tab")
    expect(page.locator(f"#row-{name}")).to_have_class(re.compile(r"\bsrc-reviewer\b"))
    expect(page.locator(f"#row-{name}")).not_to_have_class(re.compile(r"\blow\b"))
    expect(page.locator(f'#overlay rect[data-field="{name}"]')).not_to_have_class(re.compile(r"\blow\b"))
    expect(page.locator(f"#meta-{name}")).not_to_contain_text("置信度低")
    expect(page.locator(f"#meta-{name}")).to_contain_text("人工修改")


def _audit(app, inv_id: int) -> list[tuple[str, str, str | None, str | None, dict | None]]:
    """The invoice's audit log as (actor, action, field, new value, detail), oldest first."""
    with session_scope(app.state.ctx.sessions) as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.invoice_id == inv_id).order_by(AuditEntry.id)).all()
        return [(r.actor, r.action, r.field, r.new, r.detail) for r in rows]


def test_keyboard_shortcuts_confirm_reject_and_next(live_server, browser_page) -> None:
    page = browser_page
    base, app = live_server()
    key = create_key(app.state.ctx, "reviewer", "gao")
    numbers = ["24310000000000000101", "24310000000000000102", "24310000000000000103"]
    docs = api_upload(base, key, [(f"{n}.xml", xml_invoice(n, "100.00", "6.00")) for n in numbers])
    ids = {d["invoices"][0]["invoice"]["invoice_number"]: d["invoices"][0]["id"] for d in docs}
    api = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"})
    review = lambda n: api.get(f"/api/v1/invoices/{ids[n]}").json()  # noqa: E731
    log_in(page, base, key)

    # Alt+R with a note typed: rejected, and the note is in the audit log.
    first = numbers[0]
    page.goto(f"{base}/ui/invoices/{ids[first]}")
    expect(page.locator("#status")).to_contain_text("待审")
    page.locator("#note").fill("重复报销")
    page.keyboard.press("Alt+R")
    expect(page.locator("#status")).to_contain_text("已驳回")
    assert review(first)["review"] == "rejected"
    actor, *entry = _audit(app, ids[first])[-1]
    assert actor.startswith("gao") and entry == ["rejected", "review", "rejected", {"note": "重复报销"}]
    expect(page.locator("#note")).to_have_value("")
    shot(page, "35-shortcut-rejected")

    # Alt+N: the next invoice still waiting for a reviewer, in queue order (not the one just rejected).
    with session_scope(app.state.ctx.sessions) as s:
        expected_next = f"/ui/invoices/{next_pending(s, ids[first])}"
    assert expected_next in {f"/ui/invoices/{ids[n]}" for n in numbers[1:]}
    page.keyboard.press("Alt+N")
    expect(page).to_have_url(f"{base}{expected_next}")
    second = next(n for n in numbers if f"/ui/invoices/{ids[n]}" == expected_next)
    expect(page.get_by_label("发票号码", exact=True)).to_have_value(second)

    # Alt+Enter while a field's edit is typed but not saved yet: the edit is saved first, then confirmed, and
    # the one invoice still waiting opens.
    third = next(n for n in numbers if n not in (first, second))
    drawer = page.get_by_label("开票人", exact=True)
    drawer.fill("张三")
    page.keyboard.press("Alt+Enter")
    expect(page).to_have_url(f"{base}/ui/invoices/{ids[third]}?confirmed={ids[second]}")
    got = review(second)
    assert got["review"] == "confirmed" and got["invoice"]["drawer"] == "张三"
    assert [(a, f) for _, a, f, _, _ in _audit(app, ids[second])] == [("edit", "drawer"), ("confirmed", "review")]
    assert review(first)["review"] == "rejected" and review(third)["review"] == "pending"  # only the one on screen

    # 下一张 clicked with the mouse right after typing: the edit is saved (the second invoice, changed after it
    # was confirmed, goes back to review), then the next pending invoice opens.
    page.goto(f"{base}/ui/invoices/{ids[second]}")
    page.get_by_label("收款人", exact=True).fill("王五")
    page.get_by_role("link", name="下一张").click()
    expect(page).to_have_url(f"{base}/ui/invoices/{ids[third]}")
    assert review(second)["invoice"]["payee"] == "王五" and review(second)["review"] == "pending"
    page.locator("#viewport").focus()  # the shortcuts work wherever the focus is
    page.keyboard.press("Alt+R")
    expect(page.locator("#status")).to_contain_text("已驳回")  # a rejection stays on the page
    assert review(third)["review"] == "rejected"
    # Alt+N with an edit typed but not saved yet: the edit is saved before leaving, not lost.
    page.get_by_label("开票人", exact=True).fill("李四")
    page.keyboard.press("Alt+N")
    expect(page).to_have_url(f"{base}/ui/invoices/{ids[second]}")
    assert review(third)["invoice"]["drawer"] == "李四"
    page.keyboard.press("Alt+Enter")
    expect(page).to_have_url(re.compile(r"/ui/\?review=pending&done=1&confirmed=\d+$"))
    expect(page.locator("p.alert.ok")).to_contain_text("没有待复核的发票了")
    expect(page.locator("p.total")).to_have_text("共 0 张")
    api.close()
