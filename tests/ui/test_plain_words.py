"""What a clerk reads is in the page's language, in a real browser on a real server: findings name fields by
their labels (开票日期, 合计税额 — never ``issue_date`` or ``total_tax``) and a deciding rule by what it checks
(never ``arith.sum_tax``), also for findings stored by earlier versions; the codes stay in the markup for
machines. Documents are named by file and date; no raw score, code or English is left on the review screen,
the queue, the reconciliation lines, the search results or an upload's refusal."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import expect

from fapiao.core.labels import FIELD_LABELS
from fapiao.service.keys import create_key
from fapiao.storage.db import session_scope
from fapiao.storage.service_tables import ExtractedInvoice
from tests.builders import OLD_LABELS, OLD_VALUES, placed_pdf, with_qr
from tests.ui.conftest import api_upload, log_in, records_csv, shot, xml_invoice

NUMBER = "24310000000000000301"
SNAKE = re.compile(r"(?<![\w.])[a-z]+(?:_[a-z]+)+(?![\w.])")
CODE = re.compile(r"(?<![\w.])[a-z_]+\.(?!(?:xml|pdf|ofd|png|jpe?g|zip|csv|xlsx|jsonl)\b)[a-z_]+(?![\w.])")
LEGACY = {
    "code": "repair.applied",
    "severity": "info",
    "fields": ["total_tax"],
    "message": "total_tax was read as 6.50; the other totals settle it as 6.00 (arith.sum_tax)",
    "message_zh": "total_tax 识别为 6.50，按其他合计金额唯一确定为 6.00（arith.sum_tax）",
}
"""A repair finding as versions before this one stored it."""


def _plain(page, where: str = "main") -> str:
    """The text a person sees, checked for raw field names and rule codes."""
    text = page.locator(where).inner_text()
    names = [m for m in SNAKE.findall(text) if m in FIELD_LABELS]
    assert not names, (names, text)
    assert not CODE.findall(text), (CODE.findall(text), text)
    return text


def test_findings_speak_the_pages_language(live_server, browser_page) -> None:
    page = browser_page
    base, app = live_server()
    key = create_key(app.state.ctx, "reviewer", "wei")
    # A digital invoice whose QR code gives another issue date than its text: qr.mismatch on issue_date.
    qr = "01,10,011001900111,12345678,90.00,20190721,12345678901234567890,ABCD,"
    (doc,) = api_upload(base, key, [("qr-date.pdf", with_qr(placed_pdf(OLD_LABELS, OLD_VALUES), qr))])
    inv = doc["invoices"][0]
    assert "qr.mismatch" in [f["code"] for f in inv["findings"]], inv["findings"]
    assert inv["fields"]["issue_date"]["rule"] == "qr.disagree"

    log_in(page, base, key)
    page.goto(f"{base}/ui/invoices/{inv['id']}")
    mismatch = page.locator('#fd-issue_date li[data-code="qr.mismatch"]')
    expect(mismatch).to_contain_text("开票日期：文档文字为 2019-07-20，其二维码为 2019-07-21")
    mark = page.locator("#meta-issue_date .src")
    expect(mark).to_have_attribute("data-rule", "qr.disagree")
    expect(mark).to_have_attribute("title", "票面与二维码一致")
    _plain(page)
    shot(page, "74-findings-labelled")
    page.goto(f"{base}/ui/invoices/{inv['id']}?lang=en")
    expect(mismatch).to_contain_text("Issue date: the document's own text says 2019-07-20")
    _plain(page)

    # A repair finding stored by an earlier version still reads as a person reads it, in both languages.
    (xml_doc,) = api_upload(base, key, [("a.xml", xml_invoice(NUMBER, "100.00", "6.00"))])
    xml_id = xml_doc["invoices"][0]["id"]
    with session_scope(app.state.ctx.sessions) as s:
        row = s.get(ExtractedInvoice, xml_id)
        row.payload = {**row.payload, "findings": [*row.payload["findings"], LEGACY]}
    page.goto(f"{base}/ui/invoices/{xml_id}?lang=zh")
    legacy = page.locator('#fd-total_tax li[data-code="repair.applied"]')
    expect(legacy).to_contain_text("合计税额 识别为 6.50，按其他合计金额唯一确定为 6.00")
    expect(legacy).to_contain_text("（依据：各行税额之和等于合计税额）")
    _plain(page)
    page.goto(f"{base}/ui/invoices/{xml_id}?lang=en")
    expect(legacy).to_contain_text("Total tax was read as 6.50")
    expect(legacy).to_contain_text("(rule: the line taxes add up to the total tax)")
    _plain(page)
    page.goto(f"{base}/ui/?lang=zh")
    _plain(page)

    # Reconciliation lines: a duplicate names the first file and when it came; no code on show.
    api_upload(base, key, [("copy.xml", xml_invoice(NUMBER, "100.00", "6.00") + b"\n")])
    row = ["", "", NUMBER, "914403001922038216", "上海某某贸易有限公司", "", "", "2024-03-08"]
    row += ["100.00", "6.00", "106.00", "正常", ""]
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}) as api:
        files = {"file": ("export.csv", records_csv([row]), "text/csv")}
        assert api.post("/api/v1/records/imports", files=files).status_code == 201
        run = api.post("/api/v1/reconciliations", json={}).json()
    page.goto(f"{base}/ui/reconcile/{run['id']}?category=duplicate")
    dup = page.locator('#lines li[data-code="match.duplicate"]')
    expect(dup).to_contain_text(re.compile(rf"发票 {NUMBER} 已在 a\.xml \(\d{{4}}-\d\d-\d\d \d\d:\d\d UTC\) 中提交"))
    _plain(page)
    shot(page, "75-duplicate-named-by-file-and-date")

    # Search: the reasons, no raw ranking score.
    page.goto(f"{base}/ui/search?q={NUMBER}")
    expect(page.locator("#hits")).to_contain_text("号码包含")
    expect(page.locator("#hits")).not_to_contain_text("得分")
    _plain(page)


def test_a_document_that_is_no_invoice_is_refused_in_the_pages_language(live_server, browser_page) -> None:
    page = browser_page
    base, app = live_server()
    key = create_key(app.state.ctx, "uploader", "fang")
    labels = [(200, 40, "浙江省非税收入统一票据（电子）"), (40, 80, "票据代码："), (40, 95, "交款人：")]
    receipt = placed_pdf(labels, [])
    log_in(page, base, key, "/ui/upload")
    page.locator("#files").set_input_files([{"name": "receipt.pdf", "mimeType": "application/pdf", "buffer": receipt}])
    jobs = page.locator("#jobs")
    expect(jobs).to_contain_text("receipt.pdf：这是财政电子票据", timeout=30_000)
    expect(jobs).to_contain_text("请到财政电子票据查验平台查验")
    expect(jobs).not_to_contain_text("this is")
    page.goto(f"{base}/ui/upload?lang=en")
    page.locator("#files").set_input_files([{"name": "again.pdf", "mimeType": "application/pdf", "buffer": receipt}])
    expect(jobs).to_contain_text("receipt.pdf: this is a 财政电子票据", timeout=30_000)  # again.pdf is a copy
    expect(jobs).not_to_contain_text("不是增值税发票")
