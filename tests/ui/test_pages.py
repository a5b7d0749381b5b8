"""The UI's pages and actions without a browser: queue filters, the upload-and-follow endpoints, edits
(fields and the items table) answered with re-rendered fragments, conflicts, and "next"; records imports with
preview and mapping, the reconciliation dashboard, back-entry drafts, batches; who may open what, and clear
messages for bad input."""

from __future__ import annotations

import csv
import io
import json
import time
from decimal import Decimal

import openpyxl
import pytest
from fastapi.testclient import TestClient

from api.ui.i18n import MATCH_CATEGORIES, STRINGS
from intake.service.review import edit_fields
from intake.storage.db import session_scope
from intake.storage.service_tables import Document
from matching.reconcile import Category
from tests.ui.conftest import SAMPLE, SELLER_ID, form_values, new_key, records_csv, xml_invoice


@pytest.fixture
def reviewed(client: TestClient) -> dict:
    """GIVEN a signed-in reviewer and the sample invoice uploaded through the UI and processed."""
    client.post("/ui/login", data={"key": new_key(client, "reviewer")})
    up = client.post("/ui/upload", files=[("files", ("a.pdf", SAMPLE.read_bytes(), "application/pdf"))])
    (doc,) = up.json()["documents"]
    deadline = time.monotonic() + 60
    while (body := client.get(f"/ui/documents/{doc['id']}").json())["status"] not in {"done", "failed"}:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    (inv,) = body["invoices"]
    return inv


def test_queue_filters_by_seller_search_and_date(client: TestClient, reviewed: dict) -> None:
    def total(query: str) -> str:
        page = client.get(f"/ui/?{query}")
        assert page.status_code == 200
        return page.text

    assert "共 1 张" in total("seller=金康")
    assert "共 0 张" in total("seller=不存在的公司")
    assert "共 1 张" in total("q=95806041&status=verified&review=pending")
    assert "共 0 张" in total("date_from=2022-02-01")
    assert "共 1 张" in total("date_from=2022-01-01&date_to=2022-01-31")
    bad = total("date_from=31/01/2022")
    assert "共 1 张" in bad and "已忽略" in bad  # a malformed date is reported, not a 422


def test_api_list_and_ui_queue_share_the_seller_filter(client: TestClient, reviewed: dict) -> None:
    headers = {"Authorization": f"Bearer {new_key(client, 'reviewer')}"}
    assert client.get("/api/v1/invoices?seller=91340104310787232J", headers=headers).json()["total"] == 1
    assert client.get("/api/v1/invoices?seller=nobody", headers=headers).json()["total"] == 0


def test_edit_returns_fragments_and_stale_versions_conflict(client: TestClient, reviewed: dict) -> None:
    inv_id = reviewed["id"]
    page = client.get(f"/ui/invoices/{inv_id}")
    assert page.status_code == 200 and 'id="f-seller_name"' in page.text and "操作记录" in page.text
    png = client.get(f"/ui/invoices/{inv_id}/pages/1")
    assert png.headers["content-type"] == "image/png" and float(png.headers["x-bbox-scale"]) > 1
    edited = client.post(f"/ui/invoices/{inv_id}/fields", json={"version": 1, "fields": {"seller_name": ""}})
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert body["version"] == 2 and body["status"] == "needs_review" and "需复核" in body["status_html"]
    assert "field.missing" in body["fields"]["seller_name"]["findings_html"]
    assert "src-reviewer" in body["fields"]["seller_name"]["marks"]
    assert "销售方名称" in body["history_html"]
    stale = client.post(f"/ui/invoices/{inv_id}/fields", json={"version": 1, "fields": {"seller_name": "x"}})
    assert stale.status_code == 409 and "reload" in stale.json()["hint"]
    bad = client.post(f"/ui/invoices/{inv_id}/fields", json={"version": 2, "fields": {"issue_date": "yesterday"}})
    assert bad.status_code == 422
    done = client.post(f"/ui/invoices/{inv_id}/review", json={"version": 2, "decision": "rejected", "note": "作废"})
    assert done.json()["review"] == "rejected"


def test_next_goes_to_a_pending_invoice_or_back_to_the_queue(client: TestClient, reviewed: dict) -> None:
    assert client.get("/ui/invoices/next").headers["location"] == f"/ui/invoices/{reviewed['id']}"
    assert client.get(f"/ui/invoices/next?after={reviewed['id']}").headers["location"].startswith("/ui/?")
    assert client.get("/ui/invoices/999").status_code == 404


# -- helpers ----------------------------------------------------------------------------------------------

def _login(client: TestClient, role: str = "reviewer") -> None:
    assert client.post("/ui/login", data={"key": new_key(client, role)}).status_code == 303


def _upload(client: TestClient, files: list[tuple[str, bytes]], batch: str = "") -> list[dict]:
    """Upload through the upload page's endpoint and wait until every job has finished."""
    resp = client.post("/ui/upload", files=[("files", (n, d, "application/octet-stream")) for n, d in files],
                       data={"batch": batch})
    assert resp.status_code == 200, resp.text
    docs = resp.json()["documents"]
    deadline = time.monotonic() + 60
    out = []
    for doc in docs:
        while (body := client.get(f"/ui/documents/{doc['id']}").json())["status"] not in {"done", "failed"}:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        out.append(body)
    return out


def _preview(client: TestClient, data: bytes, name: str = "records.csv", **form) -> object:
    up = client.post("/ui/records/upload", files={"file": (name, data, "text/csv")}, data=form)
    assert up.status_code == 303 and up.headers["location"].startswith("/ui/records/preview?sha="), up.text
    return client.get(up.headers["location"])


def _import(client: TestClient, data: bytes, **extra) -> object:
    """Upload → preview → import with the mapping exactly as the preview page proposes it."""
    preview = _preview(client, data)
    assert preview.status_code == 200, preview.text
    return client.post("/ui/records/import", data={**form_values(preview.text, "import-form"), **extra})


RECORD_ROWS = [
    # In the system as on the invoice (the seller's name as the records spell it: the party master learns it).
    ["", "", "24310000000000000001", SELLER_ID, "上海某某贸易股份有限公司", "", "", "2024-03-08", "100.00", "6.00",
     "106.00", "正常", "数电票（普通发票）"],
    # In the system, but the invoice says another seller tax ID.
    ["", "", "24310000000000000003", SELLER_ID, "上海某某贸易股份有限公司", "", "", "2024-03-08", "300.00", "18.00",
     "318.00", "正常", ""],
    # In the system, no invoice received.
    ["", "", "24310000000000000005", SELLER_ID, "上海某某贸易股份有限公司", "", "", "2024-03-08", "500.00", "30.00",
     "530.00", "正常", ""],
    ["", "", "not-a-number", "", "", "", "", "2024-03-08", "1.00", "", "", "正常", ""],
]
MISSING = "24319876543210987654"


@pytest.fixture
def reconciled(client: TestClient) -> dict:
    """GIVEN a reviewer who imported the records through the records page, uploaded a batch of three 数电 XML
    invoices (one as recorded, one with another seller tax ID, one not in the records) and reconciled the batch
    from the dashboard."""
    _login(client)
    assert _import(client, records_csv(RECORD_ROWS)).status_code == 303
    docs = _upload(client, [("m.xml", xml_invoice("24310000000000000001", "100.00", "6.00")),
                            ("d.xml", xml_invoice("24310000000000000003", "300.00", "18.00",
                                                  seller_id="91110000600037341L")),
                            ("new.xml", xml_invoice(MISSING, "400.00", "24.00"))], batch="2024-03")
    assert [d["status"] for d in docs] == ["done"] * 3
    run = client.post("/ui/reconcile", data={"scope": "batch", "batch": "2024-03"})
    assert run.status_code == 303, run.text
    return {"run": run.headers["location"], "docs": {d["filename"]: d for d in docs}}


# -- who may open the new pages ---------------------------------------------------------------------------

GET_PAGES = ("/ui/reconcile", "/ui/reconcile/1", "/ui/reconcile/1/report/xlsx", "/ui/drafts", "/ui/drafts/1",
             "/ui/records", "/ui/records/preview?sha=" + "0" * 64, "/ui/records/imports/1", "/ui/batches/b1")
POST_FORMS = (("/ui/reconcile", {"scope": "all"}), ("/ui/drafts/export", {"format": "xlsx"}),
              ("/ui/drafts/1", {"version": "1"}), ("/ui/drafts/1/confirm", {"version": "1"}),
              ("/ui/records/import", {"sha": "0" * 64}), ("/ui/records/reimport", {}))


def test_new_pages_send_strangers_to_login_and_refuse_uploaders(client: TestClient) -> None:
    for path in GET_PAGES:
        resp = client.get(path)
        assert resp.status_code == 303 and resp.headers["location"].startswith("/ui/login?next=%2Fui%2F"), path
    for path, data in POST_FORMS:
        assert client.post(path, data=data).status_code == 401, path
    _login(client, "uploader")
    for path in GET_PAGES:
        resp = client.get(path)
        assert resp.status_code == 403 and "reviewer" in resp.text, path
    for path, data in POST_FORMS:
        assert client.post(path, data=data).status_code == 403, path
    up = client.post("/ui/records/upload", files={"file": ("r.csv", records_csv(RECORD_ROWS), "text/csv")})
    assert up.status_code == 403
    upload_page = client.get("/ui/upload").text
    assert 'id="batch"' in upload_page and 'href="/ui/reconcile"' not in upload_page  # uploaders see upload only


def test_new_pages_render_for_a_reviewer_with_nav_links_in_both_languages(client: TestClient) -> None:
    _login(client)
    for path, text in (("/ui/reconcile", "开始对账"), ("/ui/drafts", "补录草稿"), ("/ui/records", "导入发票清单"),
                       ("/ui/upload", "批次名称（可选）")):
        resp = client.get(path)
        assert resp.status_code == 200 and text in resp.text, path
        for link in ('href="/ui/reconcile"', 'href="/ui/drafts"', 'href="/ui/records"', 'href="/ui/upload"'):
            assert link in resp.text
    english = client.get("/ui/reconcile?lang=en").text
    assert "Run a reconciliation" in english and "Drafts" in english
    assert "Import an invoice list" in client.get("/ui/records").text  # the choice is remembered
    # Every category the service knows has a label (in both languages), and nothing else is listed.
    assert set(MATCH_CATEGORIES) == {c.value for c in Category}
    assert all(isinstance(v, tuple) and len(v) == 2 and all(v) for v in STRINGS.values())


def test_unknown_ids_give_a_page_that_says_so(client: TestClient) -> None:
    _login(client)
    for path, text in (("/ui/reconcile/99", "没有编号为 99 的对账"), ("/ui/reconcile/99/report/csv", "没有编号为 99 的对账"),
                       ("/ui/drafts/99", "没有编号为 99 的草稿"), ("/ui/records/imports/99", "没有编号为 99 的导入"),
                       ("/ui/batches/nope", "没有名为 nope 的批次")):
        resp = client.get(path)
        assert resp.status_code == 404 and text in resp.text and "text/html" in resp.headers["content-type"], path
    assert client.get("/ui/reconcile/1/report/pdf").status_code == 422


# -- records ----------------------------------------------------------------------------------------------

def test_records_preview_shows_columns_sample_and_bad_rows_then_imports_and_reimports(client: TestClient) -> None:
    _login(client)
    preview = _preview(client, records_csv(RECORD_ROWS))
    assert preview.status_code == 200
    form = form_values(preview.text, "import-form")
    assert form["col2"] == "digital_number" and form["col3"] == "seller_tax_id" and form["col10"] == "amount_with_tax"
    assert len([k for k in form if k.startswith("col")]) == 13 and "不使用" in preview.text
    assert "表头在第 1 行；读取 4 行，可导入 3 条，错误 1 行。" in preview.text
    assert "24310000000000000005" in preview.text and "530.00" in preview.text  # the sample records as read
    assert '<td class="num mono">5</td><td>数电票号码</td>' in preview.text  # the bad row by its row number
    assert "系统中共有 0 条发票记录" in client.get("/ui/records").text  # a preview stores nothing

    done = client.post("/ui/records/import", data={**form, "save_as": "税务局"})
    assert done.status_code == 303 and done.headers["location"].endswith("?done=imported")
    run = client.get(done.headers["location"]).text
    assert "导入完成" in run and '<dd class="mono" id="n-inserted">3</dd>' in run
    assert '<td class="num mono">5</td><td>数电票号码</td><td>invoice number' in run  # the bad row, kept
    listing = client.get("/ui/records").text
    assert "系统中共有 3 条发票记录" in listing and "税务局" in listing and "imp-done" in listing
    assert '<option value="税务局">税务局</option>' in listing  # the saved mapping can be chosen for the next file

    again = client.post("/ui/records/reimport")
    assert again.status_code == 303
    assert '<dd class="mono" id="n-inserted">0</dd>' in client.get(again.headers["location"]).text
    with_saved = _preview(client, records_csv(RECORD_ROWS), mapping_name="税务局")
    assert with_saved.status_code == 200 and "指定" in with_saved.text  # read with the saved mapping


ERP_HEADERS = ["票号", "Supplier", "Supplier Tax ID", "Invoice Date", "Net Amount", "VAT", "Gross Amount", "备注"]
ERP_ROWS = [["24310000000000000001", "上海某某贸易有限公司", SELLER_ID, "2024-03-08", "100.00", "6.00", "106.00", "x"]]


def test_records_mapping_is_chosen_per_column_on_the_preview(client: TestClient) -> None:
    _login(client)
    data = records_csv(ERP_ROWS, ERP_HEADERS)
    first = _preview(client, data, name="erp.csv")
    # "票号" is no known alias: the page says what is wrong and still offers every column's choice.
    assert first.status_code == 422 and "票号" in first.text and 'id="col0"' in first.text
    form = form_values(first.text, "import-form")
    assert form["col0"] == "" and form["col6"] == "amount_with_tax"

    chosen = client.get("/ui/records/preview", params={**form, "col0": "invoice_number"})
    assert chosen.status_code == 200 and "可导入 1 条" in chosen.text and "24310000000000000001" in chosen.text
    assert form_values(chosen.text, "import-form")["col0"] == "invoice_number"

    twice = client.get("/ui/records/preview", params={**form, "col0": "invoice_number", "col7": "invoice_number"})
    assert twice.status_code == 422 and "被选给了不止一列" in twice.text
    unknown = client.get("/ui/records/preview", params={**form, "col0": "no_such_field"})
    assert unknown.status_code == 422 and "未知字段" in unknown.text
    # A column set to "not used" that automatic mapping still reads is pointed out, not silently ignored.
    unused = client.get("/ui/records/preview", params={**form, "col0": "invoice_number", "col6": ""})
    assert unused.status_code == 200 and "第 7 列“Gross Amount”仍会被自动识别为“价税合计”" in unused.text

    done = client.post("/ui/records/import", data={**form, "col0": "invoice_number", "save_as": "erp"})
    assert done.status_code == 303
    run = client.get(done.headers["location"]).text
    assert '<dd class="mono" id="n-inserted">1</dd>' in run and "<td>票号</td><td>发票号码</td>" in run
    failed = client.post("/ui/records/import", data=form)  # without a number column: refused, and listed as failed
    assert failed.status_code == 422 and "导入失败" in failed.text
    assert "imp-failed" in client.get("/ui/records").text


def test_records_bad_input_gives_clear_messages(client: TestClient) -> None:
    _login(client)
    empty = client.post("/ui/records/upload", files={"file": ("e.csv", b"", "text/csv")})
    assert empty.status_code == 422 and "文件是空的" in empty.text
    pdf = _preview(client, SAMPLE.read_bytes(), name="x.pdf")
    assert pdf.status_code == 422 and ".csv or .xlsx" in pdf.text
    for sha, text in (("not-hex", "文件标识无效"), ("../" + "a" * 61, "文件标识无效"), ("f" * 64, "找不到上传的文件")):
        assert (r := client.get("/ui/records/preview", params={"sha": sha})).status_code == 422 and text in r.text
        assert (r := client.post("/ui/records/import", data={"sha": sha})).status_code == 422 and text in r.text
    nothing = client.post("/ui/records/reimport")
    assert nothing.status_code == 422 and "no records import to repeat" in nothing.text
    no_mapping = _preview(client, records_csv(RECORD_ROWS), mapping_name="nope")
    assert no_mapping.status_code == 422 and "nope" in no_mapping.text


# -- queue, reconciliation, drafts ------------------------------------------------------------------------

def test_queue_filters_by_type_batch_and_reconciliation_result(client: TestClient, reconciled: dict) -> None:
    def total(query: str) -> str:
        page = client.get(f"/ui/?{query}")
        assert page.status_code == 200
        return page.text

    assert "共 3 张" in total("batch=2024-03") and "共 0 张" in total("batch=other")
    assert "共 3 张" in total("invoice_type=digital_normal") and "共 0 张" in total("invoice_type=special")
    missing = total("match=missing_in_system")
    assert "共 1 张" in missing and MISSING in missing and 'class="badge m-missing_in_system"' in missing
    assert "共 1 张" in total("match=matched") and "共 1 张" in total("match=matched_with_differences")
    assert "共 0 张" in total("match=none")
    assert "共 3 张" in total("match=bogus&invoice_type=bogus")  # unknown values mean "any", never an error
    page = total("batch=2024-03")
    assert '<option value="2024-03" selected>' in page and 'href="/ui/batches/2024-03"' in page
    _upload(client, [("later.xml", xml_invoice("24310000000000000777", "7.00", "0.42"))])
    later = total("match=none")
    assert "共 1 张" in later and ">未对账<" in later


def test_reconcile_dashboard_runs_drills_down_and_downloads_the_report(client: TestClient, reconciled: dict) -> None:
    run_url = reconciled["run"]
    run_id = int(run_url.rsplit("/", 1)[1])
    opened = client.get(run_url).text
    cards = {c: f'class="stat m-{c}"' for c in MATCH_CATEGORIES}
    assert all(v in opened for v in cards.values())
    assert '<b>1</b><span>系统中缺失</span>' in opened and '<b>1</b><span>无对应发票</span>' in opened
    assert MISSING in opened and "/ui/drafts/" in opened  # opens on the missing invoice, with its draft

    diff = client.get(f"{run_url}?category=matched_with_differences").text
    assert "<th scope=\"row\">销售方税号</th><td class=\"mono\">91110000600037341L</td><td class=\"mono\">" + SELLER_ID in diff
    nodoc = client.get(f"{run_url}?category=no_document").text
    assert "24310000000000000005" in nodoc and "530.00" in nodoc
    invoice_id = reconciled["docs"]["m.xml"]["invoices"][0]["id"]
    assert f'href="/ui/invoices/{invoice_id}"' in client.get(f"{run_url}?category=matched").text

    dashboard = client.get("/ui/reconcile").text
    assert f'href="/ui/reconcile/{run_id}"' in dashboard and "批次 2024-03" in dashboard
    assert '<option value="2024-03"' in dashboard

    xlsx = client.get(f"{run_url}/report/xlsx")
    assert xlsx.status_code == 200 and xlsx.headers["content-disposition"] == f'attachment; filename="reconciliation-{run_id}.xlsx"'
    head, row = list(openpyxl.load_workbook(io.BytesIO(xlsx.content))["missing_in_system"].iter_rows(values_only=True))
    assert dict(zip(head, row))["invoice_number"] == MISSING and Decimal(str(dict(zip(head, row))["amount_with_tax"])) == Decimal("424.00")
    rows = list(csv.DictReader(io.StringIO(client.get(f"{run_url}/report/csv").content.decode("utf-8-sig"))))
    assert sorted(r["category"] for r in rows) == sorted(["matched", "matched_with_differences", "missing_in_system",
                                                          "no_document"])
    lines = client.get(f"{run_url}/report/json").text.splitlines()
    assert len(lines) == 4 and {json.loads(x)["category"] for x in lines} >= {"no_document"}

    by_dates = client.post("/ui/reconcile", data={"scope": "dates", "date_from": "2024-03-01", "date_to": "2024-03-31"})
    assert by_dates.status_code == 303
    assert "开票日期 2024-03-01 至 2024-03-31" in client.get(by_dates.headers["location"]).text


@pytest.mark.parametrize("form, message", [
    ({"scope": "batch", "batch": ""}, "请选择一个批次"),
    ({"scope": "batch", "batch": "x" * 65}, "最长 64 个字符"),
    ({"scope": "dates"}, "请至少填写一个开票日期"),
    ({"scope": "dates", "date_from": "31/03/2024"}, "日期格式应为 YYYY-MM-DD：31/03/2024"),
    ({"scope": "dates", "date_from": "2024-04-01", "date_to": "2024-03-01"}, "起始日期晚于截止日期"),
    ({"scope": "nonsense"}, "请选择对账范围"),
])
def test_reconcile_form_refuses_bad_input_with_a_message(client: TestClient, form: dict, message: str) -> None:
    _login(client)
    resp = client.post("/ui/reconcile", data=form)
    assert resp.status_code == 422 and message in resp.text and 'action="/ui/reconcile"' in resp.text
    assert "尚未对账" in resp.text  # nothing was run


def test_drafts_edit_confirm_reopen_and_export(client: TestClient, reconciled: dict) -> None:
    listing = client.get("/ui/drafts").text
    assert "待确认 <b>1</b>" in listing and MISSING in listing
    assert "共 0 份" in client.get("/ui/drafts?state=confirmed").text
    nothing = client.post("/ui/drafts/export", data={"format": "xlsx"})
    assert nothing.status_code == 409 and "没有已确认的草稿可导出" in nothing.text

    draft_id = int(listing.split('href="/ui/drafts/')[1].split('"')[0])
    url = f"/ui/drafts/{draft_id}"
    page = client.get(url).text
    # The party master knows the seller by the records' spelling; the printed name is kept beside it.
    assert 'value="上海某某贸易股份有限公司"' in page and "票面名称: 上海某某贸易有限公司" in page and "来自往来单位主数据" in page
    assert "*信息技术服务*软件开发服务" in page and "missing in the system" in page  # items and history

    stale = client.post(url, data={"version": "7", "remarks": "改过"})
    assert stale.status_code == 409 and "版本冲突" in stale.text and ">改过</textarea>" in stale.text
    bad = client.post(url, data={"version": "1", "total_tax": "abc"})
    assert bad.status_code == 422 and "invalid value" in bad.text and 'value="abc"' in bad.text
    saved = client.post(url, data={"version": "1", "total_tax": "25.00", "remarks": "补录"})
    assert saved.status_code == 303 and saved.headers["location"] == f"{url}?done=saved"
    page = client.get(saved.headers["location"]).text
    assert "已保存" in page and "arith." in page and "版本 2" in page  # the rules object to the new tax
    assert client.post(url, data={"version": "2", "total_tax": "24.00"}).status_code == 303

    assert client.post(f"{url}/reopen", data={"version": "3"}).status_code == 409  # a draft is not confirmed yet
    confirmed = client.post(f"{url}/confirm", data={"version": "3"})
    assert confirmed.status_code == 303
    page = client.get(confirmed.headers["location"]).text
    assert "已确认，可以导出" in page and 'id="btn-save"' not in page and "readonly" in page
    locked = client.post(url, data={"version": "4", "remarks": "再改"})
    assert locked.status_code == 409 and "only an unconfirmed draft can be edited" in locked.text
    assert client.post(f"{url}/reopen", data={"version": "4"}).status_code == 303
    assert client.post(f"{url}/confirm", data={"version": "5"}).status_code == 303

    out = client.post("/ui/drafts/export", data={"format": "xlsx"})
    assert out.status_code == 200 and out.headers["content-disposition"].startswith('attachment; filename="drafts-')
    sheet = list(openpyxl.load_workbook(io.BytesIO(out.content))["drafts"].iter_rows(values_only=True))
    cells = dict(zip(sheet[0], sheet[1]))
    assert cells["数电票号码"] == MISSING and cells["销方识别号"] == SELLER_ID and cells["销方名称"] == "上海某某贸易股份有限公司"
    assert (Decimal(str(cells["金额"])), Decimal(str(cells["税额"])), Decimal(str(cells["价税合计"]))) == (
        Decimal("400.00"), Decimal("24.00"), Decimal("424.00"))
    assert "已导出 <b>1</b>" in client.get("/ui/drafts").text
    assert client.post("/ui/drafts/export", data={"format": "json"}).status_code == 409
    again = client.post("/ui/drafts/export", data={"format": "json", "include_exported": "true"})
    assert again.status_code == 200 and json.loads(again.content)[0]["invoice_number"] == MISSING
    refused = client.post(f"{url}/discard", data={"version": "7"})
    assert refused.status_code == 409 and "cannot become discarded" in refused.text
    assert client.post(f"{url}/confirm", data={}).status_code == 422


# -- review screen items, upload batches ------------------------------------------------------------------

def test_items_table_is_edited_as_a_whole_list(client: TestClient) -> None:
    _login(client)
    (doc,) = _upload(client, [("i.xml", xml_invoice("24310000000000000011", "400.00", "24.00"))])
    inv_id = doc["invoices"][0]["id"]
    page = client.get(f"/ui/invoices/{inv_id}").text
    assert 'aria-label="第 1 行 金额"' in page and 'id="btn-add-item"' in page and "暂不可" not in page
    # A column the table does not show (a toll invoice's plate number) survives a save from the page.
    edit_fields(client.app.state.ctx, inv_id, 1, {"items": [{"name": "*信息技术服务*软件开发服务", "quantity": "1", "unit_price": "400",
                                           "amount": "400.00", "tax_rate": "6%", "tax": "24.00", "plate_number": "沪A12345"}]},
                "test")
    row = {"src": 0, "name": "*信息技术服务*软件开发服务", "spec": "标准版", "unit": "项", "quantity": "1",
           "unit_price": "400", "amount": "400.00", "tax_rate": "6%", "tax": "24.00"}
    wrong = client.post(f"/ui/invoices/{inv_id}/items", json={"version": 2, "items": [
        row, {"name": "*信息技术服务*维护", "amount": "50.00", "tax_rate": "6%", "tax": "3.00"}]})
    assert wrong.status_code == 200, wrong.text
    body = wrong.json()
    assert body["version"] == 3 and body["status"] == "needs_review" and "需复核" in body["status_html"]
    assert "arith.sum_amount" in body["fields"]["total_amount"]["findings_html"] and 'value="*信息技术服务*维护"' in body["items_html"]
    assert 'aria-label="删除第 2 行"' in body["items_html"] and "明细" in body["history_html"]
    fixed = client.post(f"/ui/invoices/{inv_id}/items", json={"version": 3, "items": [row]}).json()
    assert fixed["status"] == "verified" and "删除第 2 行" not in fixed["items_html"]
    stored = client.get(f"/api/v1/invoices/{inv_id}", headers={"Authorization": f"Bearer {new_key(client, 'reviewer')}"}).json()
    (kept,) = stored["invoice"]["items"]
    assert kept["spec"] == "标准版" and kept["plate_number"] == "沪A12345" and kept["amount"] == "400.00"
    stale = client.post(f"/ui/invoices/{inv_id}/items", json={"version": 3, "items": [row]})
    assert stale.status_code == 409 and "reload" in stale.json()["hint"]
    bad = client.post(f"/ui/invoices/{inv_id}/items", json={"version": 4, "items": [{**row, "amount": "四百"}]})
    assert bad.status_code == 422 and "items" in bad.json()["detail"]
    assert client.post(f"/ui/invoices/{inv_id}/items", json={"version": 4, "items": [{"amount": 1}] * 3}).status_code == 422


def test_upload_with_a_batch_and_follow_its_progress(client: TestClient) -> None:
    _login(client)
    docs = _upload(client, [("a.xml", xml_invoice("24310000000000000021", "10.00", "0.60")),
                            ("b.xml", xml_invoice("24310000000000000022", "20.00", "1.20"))], batch=" 周一/报销 ")
    assert [d["status"] for d in docs] == ["done", "done"]
    page = client.get("/ui/batches/周一%2F报销")  # the name, trimmed, with a slash in it
    assert page.status_code == 200, page.text
    assert '<progress id="bar" max="2" value="2">' in page.text and "此批次的文件已全部处理完毕" in page.text
    assert 'href="/ui/?batch=%E5%91%A8%E4%B8%80/%E6%8A%A5%E9%94%80"' in page.text and "24310000000000000021" in page.text
    assert 'src="/ui/static/batch.js"' not in page.text  # nothing left to wait for: no refreshing
    assert "共 2 张" in client.get("/ui/", params={"batch": "周一/报销"}).text

    # A job still running: the page counts it as unfinished and refreshes itself (with a pause switch).
    with session_scope(client.app.state.ctx.sessions) as s:
        s.add(Document(sha256="e" * 64, filename="slow.pdf", size=1, source="api", batch="周一/报销", status="processing"))
    busy = client.get("/ui/batches/周一%2F报销").text
    assert '<progress id="bar" max="3" value="2">' in busy and 'src="/ui/static/batch.js"' in busy
    assert 'id="auto-refresh"' in busy and "处理中 <b>1</b>" in busy
    assert client.get("/ui/static/batch.js").status_code == 200


def test_every_new_page_is_translated_in_both_languages(client: TestClient, reconciled: dict) -> None:
    """A missing string shows as its key (e.g. ``rc.title``); none may show on any page, in either language."""
    import re

    leaked = re.compile(r"(?<![\w/.-])(?:rc|dr|ds|rec|bt|err|rv|up|queue|nav|col)\.[a-z_]+(?:\.[a-z_]+)?(?![\w.-])")
    run = reconciled["run"]
    preview = _preview(client, records_csv(RECORD_ROWS)).url.raw_path.decode()  # path and query
    pages = ["/ui/", "/ui/?match=none", "/ui/upload", "/ui/reconcile", run, *(f"{run}?category={c}" for c in MATCH_CATEGORIES),
             "/ui/drafts", "/ui/drafts/1", "/ui/records", "/ui/records/imports/1", preview, "/ui/batches/2024-03",
             f"/ui/invoices/{reconciled['docs']['new.xml']['invoices'][0]['id']}", "/ui/reconcile/99"]
    for lang in ("zh", "en"):
        for path in pages:
            resp = client.get(path + ("&" if "?" in path else "?") + f"lang={lang}")
            assert resp.status_code in (200, 404), (path, resp.status_code)
            body = re.sub(r"<script.*?</script>", "", resp.text, flags=re.S)
            assert not leaked.findall(body), (lang, path, leaked.findall(body))
    assert "Missing in the system" in client.get(run + "?lang=en").text
