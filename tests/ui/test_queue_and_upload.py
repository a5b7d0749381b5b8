"""The queue and the upload page in a real browser (Debian's Chromium driven by Playwright, real server):
needs-review invoices listed before verified ones, paging over more invoices than one page holds with the
right invoices behind the next and previous links, the counts, the filters set through the form's own controls;
files dropped on the drop zone (a real drop event carrying a DataTransfer built in the page) processed and
linked; and every control of the main pages named (label, aria-label or title) and reachable with Tab."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from fapiao.service.keys import create_key
from tests.ui.conftest import SAMPLE, api_upload, log_in, shot, xml_invoice

pytestmark = pytest.mark.slow  # Chromium

OTHER_SELLER_ID, OTHER_SELLER = "91110000600037341L", "深圳某某科技有限公司"


def numbers(prefix: str, n: int) -> list[str]:
    return [f"2431{prefix}{i:014d}" for i in range(n)]


def april_other_seller(number: str) -> bytes:
    return (
        xml_invoice(number, "250.00", "15.00", seller_id=OTHER_SELLER_ID)
        .replace(b"2024-03-08", b"2024-04-15")
        .replace("上海某某贸易有限公司".encode(), OTHER_SELLER.encode())
    )


def rows(page) -> list[tuple[str, str]]:
    """The queue table's rows as (invoice number, decision badge's status)."""
    got = page.evaluate("""() => Array.from(document.querySelectorAll('table.list tbody tr'), tr => [
        tr.querySelector('a[href^="/ui/invoices/"]').textContent.trim(),
        Array.from(tr.querySelector('.badge[class*="st-"]').classList).find(c => c.startsWith('st-')).slice(3)])""")
    return [tuple(r) for r in got]


def test_queue_lists_needs_review_first_pages_counts_and_filters(live_server, browser_page) -> None:
    page = browser_page
    base, app = live_server()
    key = create_key(app.state.ctx, "reviewer", "hu")
    # Batch 早: three invoices whose 价税合计 is wrong (needs review), uploaded first, then 47 good ones: 50.
    # Batch 晚, later: four good ones of April from another seller and the e-special PDF (another type): 5.
    doubtful, early, late = numbers("01", 3), numbers("02", 47), numbers("03", 4)
    api_upload(
        base,
        key,
        [(f"{n}.xml", xml_invoice(n, "100.00", "6.00", total="160.00")) for n in doubtful]
        + [(f"{n}.xml", xml_invoice(n, "100.00", "6.00")) for n in early],
        batch="早",
    )
    docs = api_upload(
        base, key, [(f"{n}.xml", april_other_seller(n)) for n in late] + [("e.pdf", SAMPLE.read_bytes())], batch="晚"
    )
    pdf = docs[-1]["invoices"][0]["invoice"]["invoice_number"]
    # Needs-review first, newest first within each group (one worker: processed in the order uploaded).
    expected = [(n, "needs_review") for n in reversed(doubtful)] + [
        (n, "verified") for n in [pdf, *reversed(late), *reversed(early)]
    ]
    assert len(expected) == 55

    log_in(page, base, key)
    expect(page.locator("p.total")).to_have_text("共 55 张")
    counts = page.locator(".counts")
    for text in ("规则判定：", "需复核 3", "已验证 52", "无法识别 0", "人工处理：", "尚未处理 55"):
        expect(counts).to_contain_text(text)
    assert rows(page) == expected[:50]
    pager = page.get_by_role("navigation", name="第 1 / 2 页")
    expect(pager).to_contain_text("第 1 / 2 页")
    expect(pager.get_by_role("link", name="上一页")).to_have_count(0)
    shot(page, "40-queue-page-1")

    # The next page: the five oldest verified ones; back again: the first fifty.
    pager.get_by_role("link", name="下一页").click()
    expect(page).to_have_url(re.compile(r"/ui/\?page=2$"))
    expect(page.locator("p.total")).to_have_text("共 55 张")
    assert rows(page) == expected[50:]
    pager = page.get_by_role("navigation", name="第 2 / 2 页")
    expect(pager.get_by_role("link", name="下一页")).to_have_count(0)
    shot(page, "41-queue-page-2")
    pager.get_by_role("link", name="上一页").click()
    expect(page).to_have_url(re.compile(r"/ui/\?page=1$"))
    assert rows(page) == expected[:50]

    # Filters through the form: the decision, kept while paging (52 verified: the second page has the two oldest).
    page.get_by_label("判定").select_option(label="已验证")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("p.total")).to_have_text("共 52 张")
    verified = [e for e in expected if e[1] == "verified"]
    assert rows(page) == verified[:50]
    page.get_by_role("link", name="下一页").click()
    expect(page).to_have_url(re.compile(r"status=verified"))
    expect(page.get_by_label("判定")).to_have_value("verified")
    assert rows(page) == verified[50:] == [(early[1], "verified"), (early[0], "verified")]

    # The count chip: needs review only.
    page.locator(".counts").get_by_role("link", name=re.compile("需复核")).click()
    expect(page.get_by_label("判定")).to_have_value("needs_review")
    assert rows(page) == expected[:3]
    expect(page.get_by_role("navigation", name="第 1 / 1 页").get_by_role("link")).to_have_count(0)

    def apply(**controls) -> list[tuple[str, str]]:
        page.get_by_role("link", name="清除").click()
        expect(page.locator("p.total")).to_have_text("共 55 张")
        for label, value in controls.items():
            control = page.get_by_label(label, exact=True)
            if control.evaluate("e => e.tagName") == "SELECT":
                control.select_option(label=value)
            else:
                control.fill(value)
        page.get_by_role("button", name="筛选").click()
        expect(page.locator("p.total")).not_to_have_text("共 55 张")
        return rows(page)

    # The type, the issue dates, the seller (by name and by tax ID), the batch; two at once.
    assert apply(发票类型="增值税电子专用发票") == [(pdf, "verified")]
    assert apply(开票日期起="2024-04-01", 开票日期止="2024-04-30") == [(n, "verified") for n in reversed(late)]
    expect(page.get_by_label("开票日期起")).to_have_value("2024-04-01")
    march = [e for e in expected if e[0] not in late]  # and the 2022 PDF: 51, over one page
    assert apply(开票日期止="2024-03-31") == march[:50]
    expect(page.locator("p.total")).to_have_text("共 51 张")
    page.get_by_role("link", name="下一页").click()
    assert rows(page) == march[50:] == [(early[0], "verified")]
    expect(page.get_by_label("开票日期止")).to_have_value("2024-03-31")
    assert apply(**{"销售方（名称或税号）": "深圳某某"}) == [(n, "verified") for n in reversed(late)]
    assert apply(**{"销售方（名称或税号）": OTHER_SELLER_ID}) == [(n, "verified") for n in reversed(late)]
    assert apply(批次="晚") == [(pdf, "verified"), *[(n, "verified") for n in reversed(late)]]
    expect(page.get_by_role("link", name="批次 晚 的处理进度")).to_be_visible()
    # Exactly one page's worth: one page, no next link.
    assert apply(批次="早") == [e for e in expected if e[0] in doubtful or e[0] in early]
    expect(page.locator("p.total")).to_contain_text("共 50 张")
    expect(page.get_by_role("navigation", name="第 1 / 1 页").get_by_role("link")).to_have_count(0)
    assert apply(批次="早", 判定="需复核") == expected[:3]
    assert apply(批次="晚", 判定="需复核") == []
    expect(page.locator("p.empty")).to_have_text("没有符合条件的发票。")
    shot(page, "42-queue-filtered-empty")


def _data_transfer(page, files: list[tuple[str, bytes, str]]):
    """A DataTransfer made in the page, carrying the files as a person's drag from a file manager would."""
    return page.evaluate_handle(
        """(files) => {
        const dt = new DataTransfer();
        for (const f of files) {
            const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
            dt.items.add(new File([bytes], f.name, { type: f.type }));
        }
        return dt;
    }""",
        [{"name": n, "b64": base64.b64encode(d).decode(), "type": t} for n, d, t in files],
    )


def test_files_dropped_on_the_drop_zone_are_processed_and_linked(live_server, browser_page) -> None:
    page = browser_page
    base, app = live_server()
    key = create_key(app.state.ctx, "reviewer", "jin")
    number = "24310000000000000777"
    log_in(page, base, key, "/ui/upload")
    page.get_by_label("批次名称（可选）").fill("拖放")
    drop = page.locator("#drop")

    # Dragging over the zone marks it; leaving unmarks it; nothing is sent.
    empty = _data_transfer(page, [])
    drop.dispatch_event("dragenter", {"dataTransfer": empty})
    expect(drop).to_have_class(re.compile(r"\bover\b"))
    drop.dispatch_event("dragleave", {"dataTransfer": empty})
    expect(drop).not_to_have_class(re.compile(r"\bover\b"))
    expect(page.locator("#jobs")).to_be_hidden()

    # Dropping three files: the PDF and the XML are read, the text file is refused with the reason.
    dt = _data_transfer(
        page,
        [
            ("发票.pdf", SAMPLE.read_bytes(), "application/pdf"),
            ("数电.xml", xml_invoice(number, "100.00", "6.00"), "text/xml"),
            ("说明.txt", "不是发票".encode(), "text/plain"),
        ],
    )
    drop.dispatch_event("dragover", {"dataTransfer": dt})
    expect(drop).to_have_class(re.compile(r"\bover\b"))
    drop.dispatch_event("drop", {"dataTransfer": dt})
    expect(drop).not_to_have_class(re.compile(r"\bover\b"))
    jobs = page.locator("#jobs tbody tr")
    expect(jobs).to_have_count(3)
    by_name = {
        name: jobs.filter(has=page.get_by_role("cell", name=name, exact=True))
        for name in ("发票.pdf", "数电.xml", "说明.txt")
    }
    expect(by_name["发票.pdf"].locator(".badge")).to_have_text("完成", timeout=30_000)
    expect(by_name["数电.xml"].locator(".badge")).to_have_text("完成", timeout=30_000)
    expect(by_name["发票.pdf"].locator("a.result")).to_contain_text("95806041")
    expect(by_name["数电.xml"].locator("a.result")).to_contain_text(number)
    expect(by_name["说明.txt"].locator(".badge")).to_have_text("未接收")
    expect(by_name["说明.txt"].locator("td").nth(2)).not_to_be_empty()
    expect(page.get_by_role("link", name="查看批次 拖放 的进度")).to_be_visible()
    assert page.evaluate(NAMELESS) == []  # what upload.js added is named too
    shot(page, "43-upload-dropped")

    # What the server has: the two documents in the batch, done, with their invoices.
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}) as api:
        listed = api.get("/api/v1/documents", params={"batch": "拖放"}).json()
        assert listed["total"] == 2
        assert sorted(d["filename"] for d in listed["documents"]) == ["发票.pdf", "数电.xml"]
        assert {d["status"] for d in listed["documents"]} == {"done"}
        found = api.get("/api/v1/invoices", params={"batch": "拖放"}).json()
        assert sorted(i["invoice_number"] for i in found["invoices"]) == sorted(["95806041", number])

    # The link opens the review screen of the dropped XML's invoice; the queue has both under the batch.
    by_name["数电.xml"].locator("a.result").click()
    expect(page.get_by_label("发票号码", exact=True)).to_have_value(number)
    page.goto(f"{base}/ui/?batch=拖放")
    expect(page.locator("p.total")).to_contain_text("共 2 张")

    # The same files dropped again: recognised as duplicates, nothing new stored.
    page.goto(f"{base}/ui/upload")
    dt = _data_transfer(page, [("数电.xml", xml_invoice(number, "100.00", "6.00"), "text/xml")])
    page.locator("#drop").dispatch_event("drop", {"dataTransfer": dt})
    expect(page.locator("#jobs tbody tr td").first).to_have_text("数电.xml （重复文件）")
    expect(page.locator("#jobs .badge")).to_have_text("完成", timeout=30_000)
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}) as api:
        assert api.get("/api/v1/documents").json()["total"] == 2


NAMELESS = """() => {
    const text = (el) => (el ? el.textContent.replace(/\\s+/g, ' ').trim() : '');
    const name = (el) => {
        const by = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
            .map((id) => text(document.getElementById(id))).join(' ').trim();
        if (by) return by;
        if ((el.getAttribute('aria-label') || '').trim()) return el.getAttribute('aria-label').trim();
        for (const label of el.labels || []) if (text(label)) return text(label);
        if ((el.getAttribute('title') || '').trim()) return el.title.trim();
        if (el.tagName === 'INPUT' && ['submit', 'button', 'reset'].includes(el.type)) return el.value.trim();
        if (el.tagName === 'BUTTON' || el.tagName === 'A') {
            return text(el) || Array.from(el.querySelectorAll('img[alt]'), (i) => i.alt).join(' ').trim();
        }
        return '';
    };
    // Not counted: what is hidden (out of the accessibility tree until a script fills it in and shows it).
    const controls = document.querySelectorAll('input:not([type=hidden]), select, textarea, button, a[href]');
    return Array.from(controls).filter((el) => !el.closest('[hidden]') && !name(el))
        .map((el) => el.outerHTML.slice(0, 200));
}"""

CONTROLS = """async () => {
    // Every visible, enabled control, marked so that the Tab walk can name it (its radio group, if a radio).
    const native = 'input:not([type=hidden]), select, textarea, button, a[href]';
    const all = Array.from(document.querySelectorAll(native + ', [tabindex]')).filter((el) =>
        (el.matches(native) || el.tabIndex >= 0) && !el.disabled && el.getClientRects().length > 0
        && getComputedStyle(el).visibility !== 'hidden'
        && !el.closest('[hidden], [inert]'));
    all.forEach((el, i) => { el.dataset.a11y = String(i); });
    return all.map((el) => [el.dataset.a11y, el.type === 'radio' ? 'radio:' + el.name : '', el.tabIndex,
                            el.outerHTML.slice(0, 160)]);
}"""


def _walk_tab_stops(page, limit: int = 400) -> set[str]:
    """Press Tab from the top of the page until the focus comes round again; the controls it stopped on."""
    page.evaluate("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    page.locator("body").focus()
    seen: list[str | None] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        mark = page.evaluate(
            "document.activeElement && document.activeElement.dataset ? "
            "document.activeElement.dataset.a11y || null : null"
        )
        if mark is not None and seen and mark == next((m for m in seen if m is not None), None):
            break
        seen.append(mark)
    else:
        raise AssertionError("the Tab key never came round")
    return {m for m in seen if m is not None}


def test_every_control_on_the_main_pages_is_named_and_reachable_by_keyboard(
    live_server, browser_page, tmp_path: Path
) -> None:
    page = browser_page
    base, app = live_server()
    key = create_key(app.state.ctx, "reviewer", "kong")
    (doc,) = api_upload(base, key, [("e.pdf", SAMPLE.read_bytes())], batch="b1")
    inv_id = doc["invoices"][0]["id"]

    # The login page, before anything else.
    page.goto(f"{base}/ui/login")
    assert page.evaluate(NAMELESS) == [], "controls without an accessible name on the login page"
    log_in(page, base, key)

    pages = [
        "/ui/",
        "/ui/upload",
        f"/ui/invoices/{inv_id}",
        "/ui/records",
        "/ui/reconcile",
        "/ui/drafts",
        "/ui/backfills",
        "/ui/search?q=95806041",
        "/ui/stats",
        "/ui/alerts",
        "/ui/batches/b1",
    ]
    problems: dict[str, object] = {}
    for path in pages:
        page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")
        if path.startswith("/ui/invoices/"):
            expect(page.locator("#overlay rect.box").first).to_be_attached()
        nameless = page.evaluate(NAMELESS)
        if nameless:
            problems[f"{path}: no accessible name"] = nameless
        controls = page.evaluate(CONTROLS)
        assert len(controls) > 5, f"{path}: too few controls found to mean anything"
        stops = _walk_tab_stops(page)
        radios_reached = {group for mark, group, _, _ in controls if group and mark in stops}
        missing = [
            html for mark, group, _, html in controls if mark not in stops and not (group and group in radios_reached)
        ]
        if missing:
            problems[f"{path}: not reachable with Tab"] = missing
    assert not problems, problems

    # The file input behind the drop zone is a Tab stop that opens the file chooser from the keyboard. (Listening
    # before the page loads: Playwright starts intercepting the chooser without waiting for the browser's answer.)
    page.on("filechooser", lambda _: None)
    page.goto(f"{base}/ui/upload")
    page.get_by_label("批次名称（可选）").focus()
    page.keyboard.press("Tab")
    expect(page.locator("#files")).to_be_focused()
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    upload = tmp_path / "键盘.xml"
    upload.write_bytes(xml_invoice("24310000000000000888", "100.00", "6.00"))
    chooser.value.set_files(str(upload))
    expect(page.locator("#jobs .badge")).to_have_text("完成", timeout=30_000)
    expect(page.locator("#jobs a.result")).to_contain_text("24310000000000000888")
    shot(page, "44-upload-by-keyboard")
