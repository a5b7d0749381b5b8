"""Trustworthy review, in a real browser on a real server: a duplicate warning survives an unrelated edit,
confirming over open errors needs a reason (invoices and drafts, and the export refuses the rest), and a double
click on 确认 is one decision, not a version conflict."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal
from pathlib import Path

import httpx
import openpyxl
from playwright.sync_api import expect
from sqlalchemy import select
from typer.testing import CliRunner

from fapiao.cli.main import app as cli
from fapiao.service.keys import create_key
from fapiao.storage.db import session_scope
from fapiao.storage.drafts import transition
from fapiao.storage.matching_tables import Draft
from fapiao.storage.service_tables import AuditEntry
from tests.ui.conftest import SELLER_ID, api_upload, log_in, records_csv, shot, xml_invoice

NUMBER = "24310000000000000777"


def _api(base: str, key: str) -> httpx.Client:
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60)


def _codes(inv: dict) -> list[str]:
    return [f["code"] for f in inv["findings"]]


def _audit(app, inv_id: int) -> list[AuditEntry]:
    with session_scope(app.state.ctx.sessions) as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.invoice_id == inv_id).order_by(AuditEntry.id)).all()
        s.expunge_all()
        return list(rows)


def test_a_duplicate_warning_survives_an_edit_of_another_field(live_server, browser_page) -> None:
    page = browser_page
    base, app = live_server()
    key = create_key(app.state.ctx, "reviewer", "hu")
    (first,) = api_upload(base, key, [("scan.xml", xml_invoice(NUMBER, "100.00", "6.00"))])
    copy = xml_invoice(NUMBER, "100.00", "6.00") + b"\n"  # another file (not the same bytes) of the same invoice
    (second,) = api_upload(base, key, [("copy.xml", copy)])
    orig, dup = first["invoices"][0], second["invoices"][0]
    assert "duplicate.seen" not in _codes(orig) and orig["status"] == "verified"
    assert "duplicate.seen" in _codes(dup) and dup["status"] == "needs_review"

    log_in(page, base, key)
    page.goto(f"{base}/ui/invoices/{dup['id']}")
    expect(page.locator("#fd-invoice_number")).to_contain_text("已在 scan.xml")
    remarks = page.get_by_label("备注", exact=True)
    remarks.fill("与扫描件为同一张")
    remarks.press("Tab")
    expect(page.locator("#status")).to_contain_text("版本 2")
    expect(page.locator("#status")).not_to_contain_text("已验证")
    expect(page.locator("#fd-invoice_number")).to_contain_text("已在 scan.xml")
    expect(page.get_by_text("所有规则均通过")).to_have_count(0)
    page.reload()
    expect(page.locator("#fd-invoice_number")).to_contain_text("已在 scan.xml")
    expect(page.locator("#status")).not_to_contain_text("已验证")
    shot(page, "60-duplicate-kept-after-edit")
    with _api(base, key) as api:
        got = api.get(f"/api/v1/invoices/{dup['id']}").json()
        assert "duplicate.seen" in _codes(got) and got["status"] == "needs_review"
        assert got["invoice"]["remarks"] == "与扫描件为同一张"
        # The first copy stays the original: an edit of it does not make it a duplicate of the later one.
        edited = api.patch(
            f"/api/v1/invoices/{orig['id']}", json={"version": orig["version"], "fields": {"remarks": "原件"}}
        ).json()
        assert "duplicate.seen" not in _codes(edited) and edited["status"] == "verified"
        # Correcting the number itself is what may end the duplicate: that finding depends on the edited field.
        fixed = api.patch(
            f"/api/v1/invoices/{dup['id']}",
            json={"version": got["version"], "fields": {"invoice_number": "24310000000000000778"}},
        ).json()
        assert "duplicate.seen" not in _codes(fixed)


def test_confirming_over_open_errors_needs_a_reason(live_server, browser_page) -> None:
    page = browser_page
    base, app = live_server()
    key = create_key(app.state.ctx, "reviewer", "lin")
    (doc,) = api_upload(base, key, [("bad.xml", xml_invoice(NUMBER, "100.00", "6.00", total="116.00"))])
    inv = doc["invoices"][0]
    errors = [f for f in inv["findings"] if f["severity"] == "error"]
    assert errors, inv["findings"]
    api = _api(base, key)
    refused = api.post(f"/api/v1/invoices/{inv['id']}/confirm", json={"version": inv["version"]})
    assert refused.status_code == 409 and refused.json()["title"] == "open_errors"

    log_in(page, base, key)
    page.goto(f"{base}/ui/invoices/{inv['id']}")
    page.get_by_role("button", name="确认", exact=True).click()
    dialog = page.locator("#override")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"仍有 {len(errors)} 个错误")
    expect(page.locator("#status")).not_to_contain_text("已确认")
    assert api.get(f"/api/v1/invoices/{inv['id']}").json()["review"] == "pending"
    page.get_by_role("button", name="仍然确认").click()  # no reason given: nothing is sent
    expect(page.locator("#override-error")).to_be_visible()
    page.get_by_label("确认原因").fill("销售方已书面确认金额")
    page.get_by_role("button", name="仍然确认").click()
    expect(page.locator("p.alert.ok")).to_contain_text(f"已确认发票 {NUMBER}")  # the queue: nothing else waits
    shot(page, "61-confirmed-over-errors")
    last = _audit(app, inv["id"])[-1]
    assert last.action == "confirmed"
    assert last.detail["override"] == "销售方已书面确认金额"
    assert last.detail["errors"] == list(dict.fromkeys(f["code"] for f in errors))

    # A confirmed invoice that is edited goes back to review, audited.
    got = api.get(f"/api/v1/invoices/{inv['id']}").json()
    edited = api.patch(f"/api/v1/invoices/{inv['id']}", json={"version": got["version"], "fields": {"payee": "王五"}})
    assert edited.json()["review"] == "pending"
    assert [(a.action, a.new) for a in _audit(app, inv["id"])][-2] == ("reopened", "pending")
    api.close()


def test_a_draft_with_errors_needs_a_reason_and_the_export_refuses_the_rest(live_server, browser_page) -> None:
    page = browser_page
    base, app = live_server()
    key = create_key(app.state.ctx, "reviewer", "zhou")
    api_upload(
        base,
        key,
        [(f"{n}.xml", xml_invoice(n, "100.00", "6.00")) for n in ("24310000000000000801", "24310000000000000802")],
    )
    api = _api(base, key)
    assert api.post("/api/v1/reconciliations", json={}).status_code == 201
    drafts = api.get("/api/v1/drafts").json()["drafts"]
    assert len(drafts) == 2
    for d in drafts:  # 合计税额 emptied: the rules object
        r = api.patch(f"/api/v1/drafts/{d['id']}", json={"version": d["version"], "fields": {"total_tax": None}})
        assert r.status_code == 200, r.text
        assert any(f["severity"] == "error" for f in r.json()["payload"]["findings"])
    one, other = (api.get(f"/api/v1/drafts/{d['id']}").json() for d in drafts)
    assert api.post(f"/api/v1/drafts/{one['id']}/confirm", json={"version": one["version"]}).status_code == 409

    log_in(page, base, key, f"/ui/drafts/{one['id']}")
    page.get_by_role("button", name="确认", exact=True).click()
    expect(page.locator("p.alert.error")).to_contain_text("仍有")
    expect(page.locator("#status")).to_contain_text("待确认")
    page.get_by_label("确认原因").fill("税额以纸质发票为准，系统中补录")
    page.get_by_role("button", name="确认", exact=True).click()
    expect(page.locator("#status")).to_contain_text("已确认")
    got = api.get(f"/api/v1/drafts/{one['id']}").json()
    assert "税额以纸质发票为准" in got["history"][-1]["note"]
    history = page.locator("table").filter(has_text="税额以纸质发票为准")
    expect(history).to_contain_text(re.compile(r"在仍有 \d+ 个错误时确认，原因：税额以纸质发票为准"))
    expect(history).to_contain_text("修改了合计税额")
    expect(history).not_to_contain_text("edited")

    # A draft confirmed over errors before the override existed: the export refuses it, and exports nothing.
    with session_scope(app.state.ctx.sessions) as s:
        transition(s, other["id"], "confirmed", "legacy")
    page.goto(f"{base}/ui/drafts")
    page.get_by_role("button", name=re.compile("导出")).first.click()
    expect(page.locator("p.alert.error")).to_contain_text(f"#{other['id']}")
    with session_scope(app.state.ctx.sessions) as s:
        assert {d.id: d.state for d in s.scalars(select(Draft))} == {one["id"]: "confirmed", other["id"]: "confirmed"}
    resp = api.post("/api/v1/drafts/export", json={"format": "json", "ids": [one["id"]]})
    assert resp.status_code == 200 and resp.headers["X-Drafts-Exported"] == "1"
    api.close()


def test_a_double_click_on_confirm_is_one_decision(live_server, browser_page) -> None:
    page = browser_page
    base, app = live_server()
    key = create_key(app.state.ctx, "reviewer", "wu")
    (doc,) = api_upload(base, key, [("ok.xml", xml_invoice(NUMBER, "100.00", "6.00"))])
    inv = doc["invoices"][0]
    log_in(page, base, key)
    page.goto(f"{base}/ui/invoices/{inv['id']}")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if r.url.endswith("/review") else None)
    page.get_by_role("button", name="确认", exact=True).dblclick()
    expect(page.locator("p.alert.ok")).to_contain_text(f"已确认发票 {NUMBER}")
    page.wait_for_timeout(500)
    assert len(requests) == 1
    assert [a.action for a in _audit(app, inv["id"])] == ["confirmed"]
    # The same decision sent again with the version read before (a retried request): no conflict, no new entry.
    with _api(base, key) as api:
        again = api.post(f"/api/v1/invoices/{inv['id']}/confirm", json={"version": inv["version"]})
        assert again.status_code == 200 and again.json()["review"] == "confirmed"
        other = api.post(f"/api/v1/invoices/{inv['id']}/reject", json={"version": inv["version"]})
        assert other.status_code == 409  # a different decision on a stale version still is a conflict
    assert [a.action for a in _audit(app, inv["id"])] == ["confirmed"]


def _rec(number: str, date: str, amount: str, tax: str, status: str = "正常") -> list[str]:
    total = str(Decimal(amount) + Decimal(tax))
    return ["", "", number, SELLER_ID, "上海某某贸易有限公司", "", "", date, amount, tax, total, status, ""]


def test_every_record_lands_in_exactly_one_category_in_the_service_as_in_the_cli(
    live_server, browser_page, tmp_path: Path
) -> None:
    """A mixed set: a misread copy of an invoice uploaded before its good copy, a voided record, records without
    a document inside and outside the documents' dates. The service and `fapiao reconcile` put every record in
    exactly one category, and the run's header counts exactly those."""
    page = browser_page
    base, app = live_server()
    key = create_key(app.state.ctx, "reviewer", "qian")
    n = [f"243100000000000009{i:02d}" for i in range(7)]
    rows = [
        _rec(n[0], "2024-03-08", "100.00", "6.00"),
        _rec(n[1], "2024-03-08", "200.00", "12.00"),
        _rec(n[2], "2024-03-08", "300.00", "18.00", "作废"),
        _rec(n[3], "2024-03-08", "400.00", "24.00"),
        _rec(n[4], "2024-03-08", "500.00", "30.00"),  # no document, inside the documents' dates
        _rec(n[5], "2024-01-15", "600.00", "36.00"),  # no document, before them
        _rec(n[6], "2024-06-30", "700.00", "42.00"),  # no document, after them
    ]
    export = tmp_path / "税务局导出.csv"
    export.write_bytes(records_csv(rows))
    docs = tmp_path / "docs"
    docs.mkdir()
    misread = (
        xml_invoice(n[0], "10.00", "0.60", seller_id="91110000600037341L")
        .replace(b"2024-03-08", b"2024-05-20")
        .replace("上海某某贸易有限公司".encode(), "北京另一家公司".encode())
    )
    files = [
        # read wrongly (another seller, another amount): the same number, but it matches no record ...
        ("0-misread.xml", misread),
        ("1-good.xml", xml_invoice(n[0], "100.00", "6.00")),  # ... its good copy does
        ("2.xml", xml_invoice(n[1], "200.00", "12.00")),
        ("3.xml", xml_invoice(n[2], "300.00", "18.00")),
        ("4.xml", xml_invoice(n[3], "400.00", "24.00")),
        ("5.xml", xml_invoice("24310000000000000999", "50.00", "3.00")),  # not in the records
    ]
    for name, data in files:
        (docs / name).write_bytes(data)
        api_upload(base, key, [(name, data)])
    with _api(base, key) as api:
        r = api.post("/api/v1/records/imports", files={"file": ("税务局导出.csv", export.read_bytes(), "text/csv")})
        assert r.status_code == 201, r.text
        run = api.post("/api/v1/reconciliations", json={}).json()
        lines = []
        for cat in run["counts"]:
            lines += api.get(f"/api/v1/reconciliations/{run['id']}", params={"category": cat, "size": 200}).json()[
                "items"
            ]
    held = [x["record_key"] for x in lines if x["category"] in ("matched", "matched_with_differences", "voided")]
    no_doc = sorted(x["record_key"] for x in lines if x["category"] == "no_document")
    assert sorted(held + no_doc) == sorted(n)  # each record exactly once
    assert no_doc == sorted([n[4], n[5], n[6]])
    assert run["records"] == len(rows) == len(held) + run["counts"]["no_document"]
    by_source = {x["source"]: x["category"] for x in lines if x.get("source")}
    assert by_source["1-good.xml"] == "matched" and by_source["0-misread.xml"] == "duplicate", [
        (x.get("source"), x["category"], x.get("decision"), x.get("score"), x["record_key"]) for x in lines
    ]

    res = CliRunner().invoke(cli, ["reconcile", "--records", str(export), str(docs), "--json"])
    assert res.exit_code == 0, res.output
    cli_lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert sorted(x["record_key"] for x in cli_lines if x["category"] == "no_document") == no_doc
    cli_held = [
        x["record_key"] for x in cli_lines if x["category"] in ("matched", "matched_with_differences", "voided")
    ]
    assert sorted(cli_held) == sorted(held)

    log_in(page, base, key, f"/ui/reconcile/{run['id']}")
    expect(page.locator("p.sub-line")).to_contain_text(f"系统记录 {len(rows)} 条")
    page.locator("a.stat.m-no_document").click()
    expect(page.locator("#lines tbody tr")).to_have_count(3)
    shot(page, "62-reconcile-every-record")
    # The report downloaded from the Chinese page reads in Chinese; the same file through the API keeps the codes.
    with page.expect_download() as got:
        page.get_by_role("link", name="Excel（XLSX）").click()
    path = tmp_path / "report.xlsx"
    got.value.save_as(path)
    wb = openpyxl.load_workbook(path)
    assert "无对应发票" in wb.sheetnames and "no_document" not in wb.sheetnames
    head = [c.value for c in wb["重复"][1]]
    assert head[:3] == ["来源文件", "页", "对账结果"] and "findings" not in head
    dup = dict(zip(head, [c.value for c in wb["重复"][2]], strict=True))
    assert dup["对账结果"] == "重复" and "请勿重复入账" in dup["校验结果"]


ERP_HEADERS = ["Invoice No", "Invoice Date", "Vendor", "Vendor Tax ID", "Net", "VAT", "Gross", "Status"]


def _erp_rows(count: int) -> list[list[str]]:
    out = []
    for i in range(count):
        net = Decimal(100 + i)
        vat = net * Decimal("0.06")
        status = "void" if i == 3 else "posted"
        out.append([f"2431000000000000{1000 + i}", "2024-03-08", "上海某某贸易有限公司", SELLER_ID, f"{net:.2f}"])
        out[-1] += [f"{vat:.2f}", f"{net + vat:.2f}", status]
    return out


def test_an_erp_ledger_loses_no_row_and_any_column_can_be_ignored(live_server, browser_page, tmp_path: Path) -> None:
    page = browser_page
    base, app = live_server()
    key = create_key(app.state.ctx, "reviewer", "sun")
    ledger = tmp_path / "erp-ledger.csv"
    ledger.write_bytes(records_csv(_erp_rows(15), ERP_HEADERS))

    log_in(page, base, key, "/ui/records")
    page.get_by_label("文件", exact=True).set_input_files(str(ledger))
    page.get_by_role("button", name="预览").click()
    expect(page.get_by_role("heading", name=re.compile("导入预览"))).to_be_visible()
    expect(page.get_by_label("Gross", exact=True)).to_have_value("amount_with_tax")
    expect(page.get_by_label("Status", exact=True)).to_have_value("status")
    expect(page.locator("#bad-rows tbody tr")).to_have_count(0)
    # "not used" is not used: the column is read by nothing, and no warning says it still is.
    page.get_by_label("Vendor", exact=True).select_option("")
    page.get_by_role("button", name="更新预览").click()
    expect(page.get_by_label("Vendor", exact=True)).to_have_value("")
    expect(page.get_by_text("自动识别不能关闭")).to_have_count(0)
    expect(page.locator("#sample")).not_to_contain_text("上海某某贸易有限公司")
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.get_by_text("导入完成。")).to_be_visible()
    expect(page.locator("#n-inserted")).to_have_text("15")
    expect(page.locator("h1 .badge")).to_have_text("完成")
    shot(page, "63-erp-imported")
    with _api(base, key) as api:
        recs = api.get("/api/v1/records", params={"size": 100}).json()["records"]
        assert len(recs) == 15
        assert sorted(r["status"] for r in recs) == ["normal"] * 14 + ["voided"]
        assert {r["seller_name"] for r in recs} == {None}

    # Another ledger with a status nobody maps and one bad row: every good row kept, the value reported, and the
    # import's status says rows were not loaded.
    rows = _erp_rows(5)
    rows[1][-1] = "pending approval"
    rows[2][0] = "12-34"
    second = tmp_path / "erp-ledger-2.csv"
    second.write_bytes(records_csv(rows, ERP_HEADERS))
    page.goto(f"{base}/ui/records")
    page.get_by_label("文件", exact=True).set_input_files(str(second))
    page.get_by_role("button", name="预览").click()
    expect(page.locator("#unmapped-statuses")).to_contain_text("pending approval")
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.locator("#unmapped-statuses")).to_contain_text("“pending approval”（1 行）")
    expect(page.locator("#bad-rows")).to_contain_text("应为 8 位数字")  # the bad row's reason, in Chinese
    expect(page.locator("#bad-rows")).not_to_contain_text("should be")
    expect(page.locator("h1 .badge")).to_have_text("部分导入：1 行未导入")
    expect(page.locator("h1 .badge")).not_to_have_text("完成")
    with _api(base, key) as api:
        run = api.get("/api/v1/records/imports", params={"size": 1}).json()["imports"][0]
        assert (
            run["status"] == "partial" and run["bad_rows"] == 1 and run["unmapped_statuses"] == {"pending approval": 1}
        )
        assert run["rows_read"] == 5 and run["inserted"] + run["updated"] + run["unchanged"] == 4


def test_statistics_count_each_invoice_once(live_server, browser_page) -> None:
    page = browser_page
    base, app = live_server()
    key = create_key(app.state.ctx, "reviewer", "he")
    one = xml_invoice(NUMBER, "100.00", "6.00")
    copies = [("invoice.xml", one), ("scan-1.xml", one + b"\n"), ("scan-2.xml", one + b"\n\n")]
    api_upload(base, key, copies + [("other.xml", xml_invoice("24310000000000000778", "50.00", "3.00"))])
    with _api(base, key) as api:
        (row,) = api.get("/api/v1/stats", params={"group": "month"}).json()["rows"]
        assert (row["invoices"], row["amount_with_tax"], row["duplicates"]) == (2, "159.00", 2)
        (share,) = api.get("/api/v1/stats/shares").json()["rows"]
        assert share["invoices"] == 2
    log_in(page, base, key, "/ui/stats")
    expect(page.locator("#totals tbody tr td").first).to_have_text("2")
    expect(page.locator("#sum-amount_with_tax")).to_have_text(re.compile(r"159\.00"))
    expect(page.locator("#sum-duplicates")).to_have_text("2")
    shot(page, "64-stats-duplicates")


def test_the_drafts_export_asks_for_the_layout_and_speaks_its_words(live_server, browser_page, tmp_path: Path) -> None:
    import openpyxl

    from fapiao.matching.export import ITEM_HEADERS, TAX_BUREAU_HEADERS

    page = browser_page
    base, app = live_server()
    key = create_key(app.state.ctx, "reviewer", "ma")
    (doc,) = api_upload(base, key, [("new.xml", xml_invoice(NUMBER, "227.18", "13.63"))])
    inv = doc["invoices"][0]
    item = dict(inv["invoice"]["items"][0], quantity="1", unit_price="227.184466", amount="227.18", tax="13.63")
    total_line = {"name": "合计", "amount": "227.18", "tax": "13.63"}
    with _api(base, key) as api:
        r = api.patch(
            f"/api/v1/invoices/{inv['id']}", json={"version": inv["version"], "fields": {"items": [item, total_line]}}
        )
        assert r.status_code == 200, r.text
        ledger = records_csv(_erp_rows(3), ERP_HEADERS)
        assert api.post("/api/v1/records/imports", files={"file": ("erp-ledger.csv", ledger, "text/csv")}).is_success
        assert api.post("/api/v1/reconciliations", json={}).status_code == 201
        (draft,) = api.get("/api/v1/drafts").json()["drafts"]
        reason = {"override": "明细中的合计行不是商品"}
        confirmed = api.post(f"/api/v1/drafts/{draft['id']}/confirm", json={"version": draft["version"], **reason})
        assert confirmed.status_code == 200, confirmed.text

    log_in(page, base, key, "/ui/drafts")
    expect(page.get_by_label("版式")).to_have_value("tax_bureau")  # asked, not taken from the newest import
    page.get_by_label("版式").select_option("erp-ledger.csv")
    with page.expect_download() as got:
        page.locator("#btn-export").click()
    path = tmp_path / "drafts.xlsx"
    got.value.save_as(path)
    wb = openpyxl.load_workbook(path)
    head, row = list(wb["drafts"].iter_rows(values_only=True))
    assert list(head) == ERP_HEADERS
    cells = dict(zip(head, row, strict=True))
    assert cells["Status"] == "posted" and cells["Invoice No"] == NUMBER  # the ledger's own word, not 正常
    assert Decimal(str(cells["Gross"])) == Decimal("240.81")
    items = list(wb["items"].iter_rows(values_only=True))
    assert list(items[0]) == list(ITEM_HEADERS) and len(items) == 2  # the 合计 line is no item
    line = dict(zip(items[0], items[1], strict=True))
    assert Decimal(str(line["单价"])) == Decimal("227.18")

    with _api(base, key) as api:  # the tax bureau's layout, asked for: its headers and its words
        out = api.post("/api/v1/drafts/export", json={"include_exported": True, "layout": "tax_bureau"})
        assert out.status_code == 200, out.text
    sheet = list(openpyxl.load_workbook(io.BytesIO(out.content))["drafts"].iter_rows(values_only=True))
    assert (
        list(sheet[0]) == list(TAX_BUREAU_HEADERS) and dict(zip(sheet[0], sheet[1], strict=True))["发票状态"] == "正常"
    )


def test_history_and_findings_read_as_a_person_reads_them(live_server, browser_page) -> None:
    """The reviewer's note and override reason are in the history, item edits read as lines (no Python dump),
    an edit after confirming shows as going back to review, and a duplicate names the earlier file and when it
    came, not a raw document id."""
    page = browser_page
    base, app = live_server()
    key = create_key(app.state.ctx, "reviewer", "yu")
    (first,) = api_upload(base, key, [("scan.xml", xml_invoice(NUMBER, "100.00", "6.00"))])
    (doc,) = api_upload(base, key, [("copy.xml", xml_invoice(NUMBER, "100.00", "6.00") + b"\n")])
    inv = doc["invoices"][0]
    finding = next(f for f in inv["findings"] if f["code"] == "duplicate.seen")
    assert first["id"] not in finding["message_zh"] and re.search(
        r"scan\.xml \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)", finding["message_zh"]
    )

    log_in(page, base, key)
    page.goto(f"{base}/ui/invoices/{inv['id']}")
    page.get_by_label("第 1 行 单价").fill("50")
    page.get_by_label("第 1 行 数量").fill("2")
    page.get_by_role("button", name="保存明细").click()
    expect(page.locator("#history")).to_contain_text("1. *信息技术服务*软件开发服务 2 × 50")
    expect(page.locator("#history")).not_to_contain_text("{'")
    page.locator("#note").fill("与扫描件核对无误")
    page.get_by_role("button", name="确认", exact=True).click()
    expect(page.locator("#decided")).to_contain_text(f"已确认发票 {NUMBER}（copy.xml）")  # the next one: scan.xml
    page.locator("#decided").get_by_role("link").click()
    expect(page.locator("#status")).to_contain_text("已确认")
    expect(page.locator("#history")).to_contain_text("备注：与扫描件核对无误")
    page.get_by_label("收款人", exact=True).fill("王五")
    page.get_by_label("收款人", exact=True).press("Tab")
    expect(page.locator("#status")).not_to_contain_text("已确认")
    expect(page.locator("#history")).to_contain_text("修改后退回待审")
    tax = page.get_by_label("合计税额", exact=True)
    tax.fill("abc")
    tax.press("Tab")
    expect(page.locator("#err-total_tax")).to_have_text(re.compile("“合计税额”的值“abc”无效"))
    expect(page.locator("#err-total_tax")).not_to_contain_text("Input should be")
    shot(page, "65-history-readable")


def test_refusals_read_in_the_pages_language(live_server, browser_page) -> None:
    page = browser_page
    base, app = live_server()
    key = create_key(app.state.ctx, "uploader", "li")
    log_in(page, base, key, "/ui/upload")
    page.locator("#files").set_input_files(
        [
            {"name": "empty.pdf", "mimeType": "application/pdf", "buffer": b""},
            {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello, not an invoice"},
        ]
    )
    jobs = page.locator("#jobs")
    expect(jobs).to_contain_text("empty.pdf：文件是空的")
    expect(jobs).to_contain_text("notes.txt：无法识别的文件类型")
    expect(jobs).not_to_contain_text("the file is empty")
    expect(jobs).not_to_contain_text("unknown type")
    shot(page, "66-refusals-in-chinese")


def test_discarding_a_draft_asks_first(live_server, browser_page) -> None:
    page = browser_page
    base, app = live_server()
    key = create_key(app.state.ctx, "reviewer", "tang")
    api_upload(base, key, [("a.xml", xml_invoice(NUMBER, "100.00", "6.00"))])
    with _api(base, key) as api:
        assert api.post("/api/v1/reconciliations", json={}).status_code == 201
        (draft,) = api.get("/api/v1/drafts").json()["drafts"]
    log_in(page, base, key, f"/ui/drafts/{draft['id']}")
    page.locator("#btn-discard-ask").click()  # the first click only asks
    expect(page.get_by_text("不能撤销")).to_be_visible()
    with _api(base, key) as api:
        assert api.get(f"/api/v1/drafts/{draft['id']}").json()["state"] == "draft"
    page.get_by_label("原因（可选）").fill("重复报销")
    page.get_by_role("button", name="确定放弃").click()
    expect(page.locator("#status")).to_contain_text("已放弃")
    with _api(base, key) as api:
        got = api.get(f"/api/v1/drafts/{draft['id']}").json()
        assert got["state"] == "discarded" and got["history"][-1]["note"] == "重复报销"


def test_date_filters_read_year_month_day_whatever_the_browser_locale(live_server, tmp_path: Path) -> None:
    """An en-US browser showed the Chinese page's date filters as mm/dd/yyyy: they are YYYY-MM-DD text fields."""
    from playwright.sync_api import sync_playwright

    from tests.ui.conftest import CHROMIUM, CHROMIUM_ARGS

    base, app = live_server()
    key = create_key(app.state.ctx, "reviewer", "en-us")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_context(locale="en-US").new_page()
        log_in(page, base, key)
        for path, field in (("/ui/", "#date_from"), ("/ui/stats", "#st-from"), ("/ui/search", "#sr-from")):
            page.goto(f"{base}{path}")
            box = page.locator(field)
            expect(box).to_have_attribute("placeholder", "YYYY-MM-DD")
            assert box.evaluate("e => e.type") == "text"
        page.goto(f"{base}/ui/")
        page.locator("#date_from").fill("2024-03-01")
        page.locator("#date_from").press("Enter")
        expect(page).to_have_url(re.compile(r"date_from=2024-03-01"))
        browser.close()


def test_a_name_and_a_year_find_that_years_invoices(live_server, browser_page) -> None:
    """ "京东 2019" found nothing: a bare year was read as an amount or part of a number, never as a year."""
    page = browser_page
    base, app = live_server()
    key = create_key(app.state.ctx, "reviewer", "zheng")
    api_upload(base, key, [("a.xml", xml_invoice(NUMBER, "100.00", "6.00"))])  # issued 2024-03-08
    log_in(page, base, key)
    page.goto(f"{base}/ui/search?q=某某贸易 2024")
    expect(page.locator("#sr-total")).to_have_text("找到 1 条")
    expect(page.locator("#hits tr.hit-invoice")).to_contain_text(NUMBER)
    page.goto(f"{base}/ui/search?q=某某贸易 2023")
    expect(page.locator("#hits tr.hit-invoice")).to_have_count(0)


def test_the_items_table_shows_every_column_without_scrolling(live_server, browser_page) -> None:
    page = browser_page
    base, app = live_server()
    key = create_key(app.state.ctx, "reviewer", "feng")
    (doc,) = api_upload(base, key, [("a.xml", xml_invoice(NUMBER, "100.00", "6.00"))])
    log_in(page, base, key)
    page.goto(f"{base}/ui/invoices/{doc['invoices'][0]['id']}")
    table = page.locator("#items-body").locator("xpath=ancestor::table[1]")
    holder = table.locator("xpath=..")
    expect(page.get_by_label("第 1 行 税额")).to_be_visible()
    right = holder.bounding_box()["x"] + holder.bounding_box()["width"]
    for label in ("第 1 行 税率", "第 1 行 税额"):
        cell = page.get_by_label(label).bounding_box()
        assert cell["x"] + cell["width"] <= right + 1, label  # inside the visible panel, not cut off
    assert holder.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
