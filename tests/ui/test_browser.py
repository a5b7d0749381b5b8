"""The reviewer UI in a real browser (Debian's Chromium driven by Playwright) against the real server:
log in, upload, find the invoice in the queue, correct a field and see the rules answer, confirm, read the
audit history; the reconciliation round trip: records import with preview, reconcile a batch, confirm
the back-entry draft and download it; and a back-fill from a zip followed to its downloads, the top bar's
search, the statistics chart and the alerts. Each step leaves a screenshot in test-artifacts/ui/ for a person to
look at."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import httpx
import openpyxl
import pytest

from fapiao.service.keys import create_key
from tests.ui.conftest import SAMPLE, SELLER_ID, TAX_BUREAU_HEADERS, records_csv, shot, xml_invoice

pytestmark = pytest.mark.slow  # Chromium


@pytest.fixture
def server(live_server) -> tuple[str, object]:
    return live_server(ocr=False)


@pytest.fixture
def page(browser_page):
    return browser_page


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

    # Confirm with the keyboard shortcut: the queue opens (nothing else waits) and says so; opened again, the
    # audit history lists both edits and the decision.
    page.keyboard.press("Alt+Enter")
    expect(page).to_have_url(re.compile(r"/ui/\?review=pending&done=1"))
    expect(page.locator("p.alert.ok")).to_contain_text("已确认发票 95806041")
    page.locator("p.alert.ok").get_by_role("link").click()
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
        assert (
            api.patch(f"/api/v1/invoices/{inv_id}", json={"version": current, "fields": {"drawer": "王五"}}).status_code
            == 200
        )
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
    expect(page.locator("#status")).to_contain_text("Pending")  # changed after it was confirmed: back to review
    expect(page.locator("#overlay rect.box").first).to_be_attached()
    shot(page, "08-review-english")


def test_records_reconciliation_and_back_entry_end_to_end(server, page, tmp_path: Path) -> None:
    """Import the system's records with a preview, upload an invoice the records do not have, correct the field
    the rules object to and confirm it, reconcile its batch, confirm the back-entry draft and download it."""
    from playwright.sync_api import expect

    base, app = server
    key = create_key(app.state.ctx, "reviewer", "carol")
    number, misread = "24319876543210987654", "914403001922038217"  # the seller tax ID's last digit misread
    records = tmp_path / "税务局导出.csv"
    records.write_bytes(
        records_csv(
            [
                [
                    "",
                    "",
                    "24310000000000000001",
                    SELLER_ID,
                    "上海某某贸易股份有限公司",
                    "",
                    "",
                    "2024-03-08",
                    "100.00",
                    "6.00",
                    "106.00",
                    "正常",
                    "数电票（普通发票）",
                ],
                [
                    "",
                    "",
                    "24310000000000000005",
                    SELLER_ID,
                    "上海某某贸易股份有限公司",
                    "",
                    "",
                    "2024-03-09",
                    "500.00",
                    "30.00",
                    "530.00",
                    "作废",
                    "",
                ],
                ["", "", "12-34", "", "", "", "", "2024-03-08", "1.00", "", "", "正常", ""],
            ]
        )
    )
    invoice = tmp_path / "new.xml"
    invoice.write_bytes(xml_invoice(number, "400.00", "24.00", seller_id=misread))

    # Log in on the records page.
    page.goto(f"{base}/ui/records")
    page.get_by_label("API 密钥").fill(key)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{base}/ui/records")
    expect(page.get_by_text("系统中共有 0 条发票记录")).to_be_visible()
    shot(page, "10-records")

    # Preview: each column's header and field, the sample records, the bad row by its number.
    page.get_by_label("文件", exact=True).set_input_files(str(records))
    page.get_by_role("button", name="预览").click()
    expect(page.get_by_role("heading", name=re.compile("导入预览"))).to_be_visible()
    expect(page.get_by_label("数电票号码", exact=True)).to_have_value("digital_number")
    expect(page.get_by_label("销方识别号", exact=True)).to_have_value("seller_tax_id")
    expect(page.locator("#sample tbody tr")).to_have_count(2)
    expect(page.locator("#bad-rows tbody tr")).to_have_count(1)
    expect(page.locator("#bad-rows tbody tr td").first).to_have_text("4")
    page.get_by_label("将此列映射保存为（可选）").fill("税务局")
    shot(page, "11-records-preview")
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.get_by_text("导入完成。")).to_be_visible()
    expect(page.locator("#n-inserted")).to_have_text("2")
    shot(page, "12-records-imported")

    # Upload the invoice under a batch name, then follow the batch until it is done.
    page.get_by_role("link", name="上传").click()
    page.get_by_label("批次名称（可选）").fill("2024-03")
    page.locator("#files").set_input_files(str(invoice))
    expect(page.locator("#jobs .badge")).to_have_text("完成", timeout=30_000)
    page.get_by_role("link", name="查看批次 2024-03 的进度").click()
    expect(page.get_by_text("已处理 1 / 1 个文件")).to_be_visible()
    expect(page.locator("#bar")).to_have_attribute("value", "1")
    shot(page, "13-batch")

    # The queue, filtered by the batch: not reconciled yet, and the rules found the misread tax ID.
    page.get_by_role("link", name="在队列中查看").click()
    expect(page.get_by_label("批次")).to_have_value("2024-03")
    expect(page.locator("p.total")).to_contain_text("共 1 张")
    row = page.locator("table.list tbody tr")
    expect(row.locator(".badge.m-none")).to_have_text("未对账")
    expect(row.locator(".badge.st-needs_review")).to_be_visible()
    shot(page, "14-queue-batch")
    page.get_by_role("link", name=number).click()

    # Correct the seller tax ID: the checksum finding goes, the invoice is verified; then edit an item cell.
    expect(page.locator('#fd-seller_tax_id li[data-code="uscc.checksum"]')).to_be_visible()
    tax_id = page.get_by_label("销售方税号", exact=True)
    tax_id.fill(SELLER_ID)
    tax_id.press("Tab")
    expect(page.locator("#status")).to_contain_text("版本 2")
    expect(page.locator("#fd-seller_tax_id")).to_be_empty()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440  # the wide items table scrolls by itself
    page.get_by_role("button", name="添加一行").focus()
    page.keyboard.press("Enter")  # by keyboard: the new row's first cell takes the focus
    expect(page.get_by_label("第 2 行 名称")).to_be_focused()
    expect(page.locator("#items-state")).to_have_text("明细有未保存的修改")
    page.get_by_role("button", name="删除第 2 行").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#items-body tr")).to_have_count(1)
    expect(page.locator("#items-state")).to_have_text("")  # back as saved: nothing to save
    spec = page.get_by_label("第 1 行 规格型号")
    spec.fill("年度服务")
    page.get_by_role("button", name="保存明细").click()
    expect(page.locator("#items-state")).to_have_text("已保存")
    expect(page.locator("#status")).to_contain_text("版本 3")
    expect(page.locator("#history")).to_contain_text("明细")
    page.locator("#h-items").scroll_into_view_if_needed()
    shot(page, "15-review-corrected")
    page.get_by_role("button", name="确认", exact=True).click()
    expect(page.locator("p.alert.ok")).to_contain_text(f"已确认发票 {number}")  # back in the queue: none left

    # Reconcile the batch from the dashboard: the invoice is missing in the system.
    page.get_by_role("link", name="对账", exact=True).click()
    expect(page.get_by_label("全部发票")).to_be_checked()
    page.locator("#rc-batch").select_option("2024-03")
    expect(page.get_by_label("按批次")).to_be_checked()  # picking a batch selects that scope
    shot(page, "16-reconcile-form")
    page.get_by_role("button", name="开始对账").click()
    expect(page).to_have_url(re.compile(r"/ui/reconcile/\d+$"))
    card = page.locator("a.stat.m-missing_in_system")
    expect(card).to_contain_text("1")
    expect(card).to_have_attribute("aria-current", "true")
    expect(page.locator("a.stat.m-matched")).to_contain_text("0")
    expect(page.locator("#lines tbody")).to_contain_text(number)
    shot(page, "17-reconcile-run")
    with page.expect_download() as report:
        page.get_by_role("link", name="Excel（XLSX）").click()
    report_path = tmp_path / report.value.suggested_filename
    report.value.save_as(report_path)
    assert "系统中缺失" in openpyxl.load_workbook(report_path).sheetnames

    # Its draft: the seller as the party master knows it, the printed name beside it; confirm.
    page.get_by_role("link", name=re.compile("打开补录草稿")).click()
    expect(page.get_by_label("销售方名称", exact=True)).to_have_value("上海某某贸易股份有限公司")
    expect(page.locator("#meta-seller_name")).to_contain_text("票面名称: 上海某某贸易有限公司")
    expect(page.get_by_label("销售方税号", exact=True)).to_have_value(SELLER_ID)
    shot(page, "18-draft")
    page.get_by_role("button", name="确认", exact=True).click()
    expect(page.get_by_text("已确认，可以导出。")).to_be_visible()
    expect(page.locator("#history tbody tr")).to_have_count(2)

    # Export the confirmed drafts as XLSX through the browser's download, in the records' own layout.
    page.get_by_role("link", name="补录草稿").click()
    expect(page.locator(".counts")).to_contain_text("已确认 1")
    page.get_by_label("导出格式").select_option("xlsx")
    with page.expect_download() as exported:
        page.get_by_role("button", name=re.compile("导出已确认的草稿")).click()
    assert exported.value.suggested_filename.startswith("drafts-") and exported.value.suggested_filename.endswith(
        ".xlsx"
    )
    path = tmp_path / exported.value.suggested_filename
    exported.value.save_as(path)
    page.reload()
    expect(page.locator(".counts")).to_contain_text("已导出 1")
    shot(page, "19-drafts-exported")

    sheet = list(openpyxl.load_workbook(path)["drafts"].iter_rows(values_only=True))
    assert list(sheet[0]) == TAX_BUREAU_HEADERS and len(sheet) == 2
    cells = dict(zip(sheet[0], sheet[1], strict=False))
    assert cells["数电票号码"] == number and cells["发票号码"] is None
    assert cells["销方识别号"] == SELLER_ID  # the reviewer's correction, not the misread ID
    assert cells["销方名称"] == "上海某某贸易股份有限公司" and cells["发票状态"] == "正常"
    assert (Decimal(str(cells["金额"])), Decimal(str(cells["税额"])), Decimal(str(cells["价税合计"]))) == (
        Decimal("400.00"),
        Decimal("24.00"),
        Decimal("424.00"),
    )


def test_backfill_search_statistics_and_alerts_end_to_end(server, page, tmp_path: Path) -> None:
    """Import the records, back-fill a zip of invoices of which two are not in the records (one of them twice),
    watch it finish, download drafts.xlsx; find an invoice from part of its number in the top bar; read the
    statistics chart and totals; see the duplicate among the alerts."""
    from playwright.sync_api import expect

    base, app = server
    key = create_key(app.state.ctx, "reviewer", "dora")
    known = ["24350000000000000001", "24350000000000000002"]
    new, late = "24359876500000000011", "24359876500000000012"
    records = tmp_path / "系统导出.csv"
    records.write_bytes(
        records_csv(
            [
                [
                    "",
                    "",
                    n,
                    SELLER_ID,
                    "上海某某贸易股份有限公司",
                    "",
                    "",
                    "2024-03-08",
                    "100.00",
                    "6.00",
                    "106.00",
                    "正常",
                    "",
                ]
                for n in known
            ]
        )
    )
    archive = tmp_path / "2024年发票.zip"
    april = xml_invoice(late, "250.00", "15.00").replace(b"2024-03-08", b"2024-04-15")
    with zipfile.ZipFile(archive, "w") as zf:
        for n in known:
            zf.writestr(f"已入账/{n}.xml", xml_invoice(n, "100.00", "6.00"))
        zf.writestr("新/a.xml", xml_invoice(new, "400.00", "24.00"))
        zf.writestr("新/b.xml", april)
        zf.writestr("新/b-副本.xml", april + b"\n")  # the same invoice submitted twice
        zf.writestr("说明.txt", "不是发票")

    # Log in on the records page and import the system's records.
    page.goto(f"{base}/ui/records")
    page.get_by_label("API 密钥").fill(key)
    page.get_by_role("button", name="登录").click()
    page.get_by_label("文件", exact=True).set_input_files(str(records))
    page.get_by_role("button", name="预览").click()
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.locator("#n-inserted")).to_have_text("2")
    page.get_by_role("link", name="返回系统记录").click()
    expect(page.locator("#sources tbody tr")).to_have_count(1)
    expect(page.locator("#sources tbody tr")).to_contain_text("系统导出.csv")
    shot(page, "20-records-sync-status")

    # Start a back-fill from the zip; the page follows it until it is done.
    page.get_by_role("link", name="批量补录").click()
    expect(page.get_by_label("上传 zip 压缩包")).to_be_checked()
    page.get_by_label("zip 压缩包", exact=True).set_input_files(str(archive))
    shot(page, "21-backfill-form")
    page.get_by_role("button", name="开始批量补录").click()
    expect(page).to_have_url(re.compile(r"/ui/backfills/[0-9a-f-]{36}$"))
    expect(page.locator("#bf-status")).to_have_attribute("data-status", "done", timeout=60_000)
    expect(page.locator("#bar")).to_have_attribute("value", "5")  # 说明.txt is refused (listed), not a job
    expect(page.locator("a.stat.m-matched b")).to_have_text("2")
    expect(page.locator("a.stat.m-missing_in_system b")).to_have_text("2")
    expect(page.locator("a.stat.m-duplicate b")).to_have_text("1")
    expect(page.locator("#refused")).to_contain_text("说明.txt")
    shot(page, "22-backfill-done")

    # drafts.xlsx through the browser's download: one row per missing invoice, under the export's headers.
    with page.expect_download() as got:
        page.get_by_role("link", name="drafts.xlsx").click()
    assert got.value.suggested_filename.endswith("-drafts.xlsx")
    drafts = tmp_path / got.value.suggested_filename
    got.value.save_as(drafts)
    sheet = list(openpyxl.load_workbook(drafts)["drafts"].iter_rows(values_only=True))
    assert list(sheet[0]) == TAX_BUREAU_HEADERS and len(sheet) == 3
    cells = sorted((dict(zip(sheet[0], row, strict=False)) for row in sheet[1:]), key=lambda c: c["数电票号码"])
    assert [c["数电票号码"] for c in cells] == [new, late]
    assert [Decimal(str(c["价税合计"])) for c in cells] == [Decimal("424.00"), Decimal("265.00")]
    assert cells[1]["开票日期"] in ("2024-04-15", dt.datetime(2024, 4, 15), dt.date(2024, 4, 15))
    assert {c["销方识别号"] for c in cells} == {SELLER_ID}

    # The top bar's search box: part of a number finds the invoice (and its draft); open the invoice.
    box = page.get_by_role("searchbox", name="搜索发票、系统记录和草稿")
    box.fill("500000000011")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/ui/search\?q=500000000011$"))
    expect(page.locator("#sr-total")).to_have_text("找到 2 条")
    expect(page.locator("#hits tr.hit-invoice")).to_contain_text("号码包含 500000000011")
    expect(page.locator("#hits tr.hit-draft .badge")).to_have_text("草稿")
    shot(page, "23-search")
    page.locator("#hits tr.hit-invoice").get_by_role("link", name=new).click()
    expect(page).to_have_url(re.compile(r"/ui/invoices/\d+$"))
    expect(page.get_by_label("发票号码", exact=True)).to_have_value(new)
    shot(page, "24-search-opened")

    # Statistics: a bar per month, the totals table's 价税合计; by seller, horizontal bars.
    page.get_by_role("link", name="统计").click()
    bars = page.locator("#chart-totals rect.bar")
    expect(bars).to_have_count(2)
    assert all(float(bars.nth(i).get_attribute("height")) > 1 for i in range(2))
    expect(page.locator("#totals tbody tr")).to_have_count(2)
    expect(page.locator("#totals tbody tr").first).to_contain_text("2024-03")
    expect(page.locator("#sum-amount_with_tax")).to_have_text("901.00")  # 2 × 106 + 424 + 265: a copy counts once
    expect(page.locator("#shares tbody tr")).to_have_count(2)
    expect(page.locator("#chart-shares circle").first).to_be_attached()
    shot(page, "25-stats-month")
    page.get_by_label("分组").select_option("seller")
    page.get_by_role("button", name="显示").click()
    expect(page.locator("#chart-totals rect.bar")).to_have_count(1)
    expect(page.locator("#totals tbody tr").first).to_contain_text(SELLER_ID)
    with page.expect_download() as table:
        page.locator("#dl-totals").click()
    assert table.value.suggested_filename == "fapiao-stats-seller.xlsx"
    shot(page, "26-stats-seller")

    # Alerts: the invoice submitted twice, with links to both copies; the count in the top bar.
    page.get_by_role("link", name=re.compile("^提醒")).click()
    expect(page.get_by_role("heading", name="提醒")).to_be_visible()
    row = page.locator("#alerts tbody tr.alert-duplicate")
    expect(row).to_contain_text(f"发票 {late} 被提交了 2 次")
    expect(row.locator(".badge")).to_have_text("错误")
    expect(row.get_by_role("link")).to_have_count(2)
    expect(page.locator("#nav-alerts .nav-count")).to_have_text("1")
    shot(page, "27-alerts")
    row.get_by_role("link").first.click()
    expect(page.get_by_label("发票号码", exact=True)).to_have_value(late)
