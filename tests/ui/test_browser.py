"""The reviewer UI in a real browser (Debian's Chromium driven by Playwright) against the real server:
log in, upload, find the invoice in the queue, correct a field and see the rules answer, confirm, read the
audit history. Each step leaves a screenshot in test-artifacts/ui/ for a person to look at."""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from api.app import create_app
from intake.service.keys import create_key
from intake.settings import Settings
from tests.ui.conftest import SAMPLE

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ui"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium (.ci/run installs it)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, object]]:
    settings = Settings(data_dir=tmp_path / "data", drop_folder=False, ocr=False, _env_file=None)
    app = create_app(settings)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        srv.should_exit = True
        thread.join(timeout=15)


@pytest.fixture
def page(tmp_path: Path):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
        context.set_default_timeout(15_000)
        yield context.new_page()
        context.close()
        browser.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_review_an_uploaded_invoice_end_to_end(server, page, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    base, app = server
    key = create_key(app.state.ctx, "reviewer", "alice")
    upload = tmp_path / "发票-e_special.pdf"
    shutil.copy(SAMPLE, upload)

    # Log in: any UI address leads to the login page first, and back to it afterwards.
    page.goto(f"{base}/ui/upload")
    expect(page).to_have_url(f"{base}/ui/login?next=%2Fui%2Fupload")
    page.get_by_label("API 密钥").fill(key)
    shot(page, "01-login")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{base}/ui/upload")

    # Upload: the job's status is followed until it is done, with a link to the invoice found.
    page.locator("#files").set_input_files(str(upload))
    result = page.locator("#jobs a.result")
    expect(result).to_contain_text("95806041", timeout=30_000)
    expect(page.locator("#jobs .badge")).to_have_text("完成")
    shot(page, "02-upload-done")

    # Queue: search by seller tax ID finds it; counts are shown.
    page.get_by_role("link", name="待复核队列").click()
    page.get_by_label("搜索（号码、代码、名称或税号）").fill("91340104310787232J")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("p.total")).to_have_text("共 1 张")
    expect(page.locator(".counts")).to_contain_text("已验证 1")
    shot(page, "03-queue")
    page.get_by_role("link", name="95806041").click()

    # Review screen: the page image with one box per field; focusing a field highlights its box.
    expect(page.locator("#overlay rect.box").first).to_be_attached()
    assert page.locator("#overlay rect.box").count() >= 15
    expect(page.locator("#status")).to_contain_text("已验证")
    seller = page.get_by_label("销售方名称", exact=True)
    seller.focus()
    expect(page.locator('#overlay rect[data-field="seller_name"]')).to_have_class(re.compile(r"\bactive\b"))
    shot(page, "04-review")
    page.get_by_role("button", name="向右旋转").click()
    page.get_by_role("button", name="放大").click()
    transform = page.locator("#stage").get_attribute("style")
    assert "rotate(90deg)" in transform and "scale(" in transform
    page.get_by_role("button", name="向左旋转").click()
    page.get_by_role("button", name="适应窗口").click()

    # Clearing a key field: the rules run again and the page shows the new status at once.
    seller.fill("")
    seller.press("Tab")
    expect(page.locator("#status")).to_contain_text("需复核")
    expect(page.locator("#status")).to_contain_text("版本 2")
    shot(page, "05-field-cleared")

    # Correcting it: verified again, marked as the reviewer's value with the original kept.
    seller.fill("合肥金康汽车销售服务有限公司")
    seller.press("Tab")
    expect(page.locator("#status")).to_contain_text("版本 3")
    expect(page.locator("#meta-seller_name")).to_contain_text("人工修改")
    expect(page.locator("#row-seller_name")).to_have_class(re.compile(r"\bsrc-reviewer\b"))

    # Confirm with the keyboard shortcut; the audit history lists both edits and the decision.
    page.keyboard.press("Alt+Enter")
    expect(page.locator("#status")).to_contain_text("已确认")
    history = page.locator("#history tbody tr")
    expect(history).to_have_count(3)
    expect(history.nth(1)).to_contain_text("合肥金康汽车销售服务有限公司")
    expect(history.nth(2)).to_contain_text("确认")
    expect(history.first).to_contain_text("alice")
    page.locator("#history").scroll_into_view_if_needed()
    shot(page, "06-confirmed-history")

    # Someone else changes the invoice meanwhile: the next edit here is refused with a clear conflict notice.
    inv_id = int(page.url.rsplit("/", 1)[1])
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}) as api:
        current = api.get(f"/api/v1/invoices/{inv_id}").json()["version"]
        assert api.patch(f"/api/v1/invoices/{inv_id}", json={"version": current, "fields": {"drawer": "王五"}}).status_code == 200
    page.get_by_label("收款人").fill("李四")
    page.get_by_label("收款人").press("Tab")
    expect(page.locator("#alert")).to_be_visible()
    expect(page.locator("#alert")).to_contain_text("版本冲突")
    expect(page.get_by_role("button", name="重新加载")).to_be_visible()
    shot(page, "07-conflict")

    # The English switch is remembered across pages.
    page.goto(f"{base}/ui/?lang=en")
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    page.get_by_role("link", name="95806041").click()
    expect(page.locator("#status")).to_contain_text("Confirmed")
    expect(page.locator("#overlay rect.box").first).to_be_attached()
    shot(page, "08-review-english")
