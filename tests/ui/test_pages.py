"""The UI's pages and actions without a browser: queue filters, the upload-and-follow endpoints, edits
(fields and the items table) answered with re-rendered fragments, conflicts, and "next"; records imports with
preview and mapping, the reconciliation dashboard, back-entry drafts, batches; who may open what, and clear
messages for bad input."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from decimal import Decimal

import openpyxl
import pytest
from fastapi.testclient import TestClient

from fapiao.api.ui.i18n import MATCH_CATEGORIES, SEARCH_REASONS, STRINGS, Translator
from fapiao.core.errors import FapiaoError
from fapiao.matching.reconcile import Category
from fapiao.matching.search_query import REASON_TEXT
from fapiao.service.records import import_records
from fapiao.service.review import edit_fields
from fapiao.storage.db import session_scope
from fapiao.storage.service_tables import Document
from tests.helpers.documents import zip_of
from tests.ui.conftest import SAMPLE, SELLER_ID, TAX_BUREAU_HEADERS, form_values, new_key, records_csv, xml_invoice


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
    resp = client.post(
        "/ui/upload", files=[("files", (n, d, "application/octet-stream")) for n, d in files], data={"batch": batch}
    )
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
    # In the system, but the invoice says another seller tax ID.
    [
        "",
        "",
        "24310000000000000003",
        SELLER_ID,
        "上海某某贸易股份有限公司",
        "",
        "",
        "2024-03-08",
        "300.00",
        "18.00",
        "318.00",
        "正常",
        "",
    ],
    # In the system, no invoice received.
    [
        "",
        "",
        "24310000000000000005",
        SELLER_ID,
        "上海某某贸易股份有限公司",
        "",
        "",
        "2024-03-08",
        "500.00",
        "30.00",
        "530.00",
        "正常",
        "",
    ],
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
    docs = _upload(
        client,
        [
            ("m.xml", xml_invoice("24310000000000000001", "100.00", "6.00")),
            ("d.xml", xml_invoice("24310000000000000003", "300.00", "18.00", seller_id="91110000600037341L")),
            ("new.xml", xml_invoice(MISSING, "400.00", "24.00")),
        ],
        batch="2024-03",
    )
    assert [d["status"] for d in docs] == ["done"] * 3
    run = client.post("/ui/reconcile", data={"scope": "batch", "batch": "2024-03"})
    assert run.status_code == 303, run.text
    return {"run": run.headers["location"], "docs": {d["filename"]: d for d in docs}}


# -- who may open the new pages ---------------------------------------------------------------------------

GET_PAGES = (
    "/ui/reconcile",
    "/ui/reconcile/1",
    "/ui/reconcile/1/report/xlsx",
    "/ui/drafts",
    "/ui/drafts/1",
    "/ui/records",
    "/ui/records/preview?sha=" + "0" * 64,
    "/ui/records/imports/1",
    "/ui/batches/b1",
)
POST_FORMS = (
    ("/ui/reconcile", {"scope": "all"}),
    ("/ui/drafts/export", {"format": "xlsx"}),
    ("/ui/drafts/1", {"version": "1"}),
    ("/ui/drafts/1/confirm", {"version": "1"}),
    ("/ui/records/import", {"sha": "0" * 64}),
    ("/ui/records/reimport", {}),
)


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
    for path, text in (
        ("/ui/reconcile", "开始对账"),
        ("/ui/drafts", "补录草稿"),
        ("/ui/records", "导入发票清单"),
        ("/ui/upload", "批次名称（可选）"),
    ):
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
    for path, text in (
        ("/ui/reconcile/99", "没有编号为 99 的对账"),
        ("/ui/reconcile/99/report/csv", "没有编号为 99 的对账"),
        ("/ui/drafts/99", "没有编号为 99 的草稿"),
        ("/ui/records/imports/99", "没有编号为 99 的导入"),
        ("/ui/batches/nope", "没有名为 nope 的批次"),
    ):
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
    scores = re.findall(r'<td class="num mono">([^<]*?)(?:<span|</td>)', preview.text.split('id="sample"')[0])
    assert "100%" in scores and "100.0" not in scores  # how sure the mapping is, as a share, not a raw score

    done = client.post("/ui/records/import", data={**form, "save_as": "税务局"})
    assert done.status_code == 303 and done.headers["location"].endswith("?done=imported")
    run = client.get(done.headers["location"]).text
    assert "导入完成" in run and '<dd class="mono" id="n-inserted">3</dd>' in run
    assert '<td class="num mono">5</td><td>数电票号码</td><td>发票号码“' in run  # the bad row, kept, in Chinese
    listing = client.get("/ui/records").text
    # A bad row was not loaded: the import says so in its status, not "done".
    assert "系统中共有 3 条发票记录" in listing and "税务局" in listing and "imp-partial" in listing
    assert "部分导入：1 行未导入" in listing and "imp-done" not in listing
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
    # A column set to "not used" is not used: automatic mapping does not read it behind the person's back.
    unused = client.get("/ui/records/preview", params={**form, "col0": "invoice_number", "col6": ""})
    assert unused.status_code == 200 and "仍会被自动识别" not in unused.text
    assert form_values(unused.text, "import-form")["col6"] == ""

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
    assert "<b>1</b><span>系统中缺失</span>" in opened and "<b>1</b><span>无对应发票</span>" in opened
    assert MISSING in opened and "/ui/drafts/" in opened  # opens on the missing invoice, with its draft

    diff = client.get(f"{run_url}?category=matched_with_differences").text
    assert (
        '<th scope="row">销售方税号</th><td class="mono">91110000600037341L</td><td class="mono">' + SELLER_ID in diff
    )
    nodoc = client.get(f"{run_url}?category=no_document").text
    assert "24310000000000000005" in nodoc and "530.00" in nodoc
    invoice_id = reconciled["docs"]["m.xml"]["invoices"][0]["id"]
    assert f'href="/ui/invoices/{invoice_id}"' in client.get(f"{run_url}?category=matched").text

    dashboard = client.get("/ui/reconcile").text
    assert f'href="/ui/reconcile/{run_id}"' in dashboard and "批次 2024-03" in dashboard
    assert '<option value="2024-03"' in dashboard

    xlsx = client.get(f"{run_url}/report/xlsx")
    assert (
        xlsx.status_code == 200
        and xlsx.headers["content-disposition"] == f'attachment; filename="reconciliation-{run_id}.xlsx"'
    )
    # From the Chinese page, the workbook reads in Chinese (the API's keeps the codes).
    head, row = list(openpyxl.load_workbook(io.BytesIO(xlsx.content))["系统中缺失"].iter_rows(values_only=True))
    assert dict(zip(head, row, strict=False))["发票号码"] == MISSING and Decimal(
        str(dict(zip(head, row, strict=False))["价税合计"])
    ) == Decimal("424.00")
    rows = list(csv.DictReader(io.StringIO(client.get(f"{run_url}/report/csv").content.decode("utf-8-sig"))))
    assert sorted(r["category"] for r in rows) == sorted(
        ["matched", "matched_with_differences", "missing_in_system", "no_document"]
    )
    lines = client.get(f"{run_url}/report/json").text.splitlines()
    assert len(lines) == 4 and {json.loads(x)["category"] for x in lines} >= {"no_document"}

    by_dates = client.post("/ui/reconcile", data={"scope": "dates", "date_from": "2024-03-01", "date_to": "2024-03-31"})
    assert by_dates.status_code == 303
    assert "开票日期 2024-03-01 至 2024-03-31" in client.get(by_dates.headers["location"]).text


@pytest.mark.parametrize(
    "form, message",
    [
        ({"scope": "batch", "batch": ""}, "请选择一个批次"),
        ({"scope": "batch", "batch": "x" * 65}, "最长 64 个字符"),
        ({"scope": "dates"}, "请至少填写一个开票日期"),
        ({"scope": "dates", "date_from": "31/03/2024"}, "日期格式应为 YYYY-MM-DD：31/03/2024"),
        ({"scope": "dates", "date_from": "2024-04-01", "date_to": "2024-03-01"}, "起始日期晚于截止日期"),
        ({"scope": "nonsense"}, "请选择对账范围"),
    ],
)
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
    assert (
        'value="上海某某贸易股份有限公司"' in page
        and "票面名称: 上海某某贸易有限公司" in page
        and "来自往来单位主数据" in page
    )
    assert "*信息技术服务*软件开发服务" in page and "对账发现系统中缺失" in page  # items and history, in Chinese
    assert "missing in the system" not in page

    stale = client.post(url, data={"version": "7", "remarks": "改过"})
    assert stale.status_code == 409 and "版本冲突" in stale.text and ">改过</textarea>" in stale.text
    bad = client.post(url, data={"version": "1", "total_tax": "abc"})
    assert bad.status_code == 422 and "“合计税额”的值“abc”无效" in bad.text and 'value="abc"' in bad.text
    assert "Input should be" not in bad.text and "invalid value" not in bad.text  # the page's language only
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
    cells = dict(zip(sheet[0], sheet[1], strict=False))
    assert (
        cells["数电票号码"] == MISSING
        and cells["销方识别号"] == SELLER_ID
        and cells["销方名称"] == "上海某某贸易股份有限公司"
    )
    assert (Decimal(str(cells["金额"])), Decimal(str(cells["税额"])), Decimal(str(cells["价税合计"]))) == (
        Decimal("400.00"),
        Decimal("24.00"),
        Decimal("424.00"),
    )
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
    edit_fields(
        client.app.state.ctx,
        inv_id,
        1,
        {
            "items": [
                {
                    "name": "*信息技术服务*软件开发服务",
                    "quantity": "1",
                    "unit_price": "400",
                    "amount": "400.00",
                    "tax_rate": "6%",
                    "tax": "24.00",
                    "plate_number": "沪A12345",
                }
            ]
        },
        "test",
    )
    row = {
        "src": 0,
        "name": "*信息技术服务*软件开发服务",
        "spec": "标准版",
        "unit": "项",
        "quantity": "1",
        "unit_price": "400",
        "amount": "400.00",
        "tax_rate": "6%",
        "tax": "24.00",
    }
    wrong = client.post(
        f"/ui/invoices/{inv_id}/items",
        json={
            "version": 2,
            "items": [row, {"name": "*信息技术服务*维护", "amount": "50.00", "tax_rate": "6%", "tax": "3.00"}],
        },
    )
    assert wrong.status_code == 200, wrong.text
    body = wrong.json()
    assert body["version"] == 3 and body["status"] == "needs_review" and "需复核" in body["status_html"]
    assert (
        "arith.sum_amount" in body["fields"]["total_amount"]["findings_html"]
        and 'value="*信息技术服务*维护"' in body["items_html"]
    )
    assert 'aria-label="删除第 2 行"' in body["items_html"] and "明细" in body["history_html"]
    fixed = client.post(f"/ui/invoices/{inv_id}/items", json={"version": 3, "items": [row]}).json()
    assert fixed["status"] == "verified" and "删除第 2 行" not in fixed["items_html"]
    stored = client.get(
        f"/api/v1/invoices/{inv_id}", headers={"Authorization": f"Bearer {new_key(client, 'reviewer')}"}
    ).json()
    (kept,) = stored["invoice"]["items"]
    assert kept["spec"] == "标准版" and kept["plate_number"] == "沪A12345" and kept["amount"] == "400.00"
    stale = client.post(f"/ui/invoices/{inv_id}/items", json={"version": 3, "items": [row]})
    assert stale.status_code == 409 and "reload" in stale.json()["hint"]
    bad = client.post(f"/ui/invoices/{inv_id}/items", json={"version": 4, "items": [{**row, "amount": "四百"}]})
    assert bad.status_code == 422 and "“第 1 行 金额”的值“四百”无效" in bad.json()["detail"]  # the cell, in Chinese
    assert (
        client.post(f"/ui/invoices/{inv_id}/items", json={"version": 4, "items": [{"amount": 1}] * 3}).status_code
        == 422
    )


def test_upload_with_a_batch_and_follow_its_progress(client: TestClient) -> None:
    _login(client)
    docs = _upload(
        client,
        [
            ("a.xml", xml_invoice("24310000000000000021", "10.00", "0.60")),
            ("b.xml", xml_invoice("24310000000000000022", "20.00", "1.20")),
        ],
        batch=" 周一/报销 ",
    )
    assert [d["status"] for d in docs] == ["done", "done"]
    page = client.get("/ui/batches/周一%2F报销")  # the name, trimmed, with a slash in it
    assert page.status_code == 200, page.text
    assert '<progress id="bar" max="2" value="2">' in page.text and "此批次的文件已全部处理完毕" in page.text
    assert (
        'href="/ui/?batch=%E5%91%A8%E4%B8%80/%E6%8A%A5%E9%94%80"' in page.text and "24310000000000000021" in page.text
    )
    assert 'src="/ui/static/batch.js"' not in page.text  # nothing left to wait for: no refreshing
    assert "共 2 张" in client.get("/ui/", params={"batch": "周一/报销"}).text

    # A job still running: the page counts it as unfinished and refreshes itself (with a pause switch).
    with session_scope(client.app.state.ctx.sessions) as s:
        s.add(
            Document(sha256="e" * 64, filename="slow.pdf", size=1, source="api", batch="周一/报销", status="processing")
        )
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
    pages = [
        "/ui/",
        "/ui/?match=none",
        "/ui/upload",
        "/ui/reconcile",
        run,
        *(f"{run}?category={c}" for c in MATCH_CATEGORIES),
        "/ui/drafts",
        "/ui/drafts/1",
        "/ui/records",
        "/ui/records/imports/1",
        preview,
        "/ui/batches/2024-03",
        f"/ui/invoices/{reconciled['docs']['new.xml']['invoices'][0]['id']}",
        "/ui/reconcile/99",
    ]
    not_found = {"/ui/reconcile/99"}  # its error page must be translated too
    for lang in ("zh", "en"):
        for path in pages:
            resp = client.get(path + ("&" if "?" in path else "?") + f"lang={lang}")
            assert resp.status_code == (404 if path in not_found else 200), (path, resp.status_code)
            body = re.sub(r"<script.*?</script>", "", resp.text, flags=re.S)
            assert not leaked.findall(body), (lang, path, leaked.findall(body))
    assert "Missing in the system" in client.get(run + "?lang=en").text


# -- back-fills, search, statistics, alerts, records sync status ------------------------------------------


def _wait_backfill(client: TestClient, url: str, timeout: float = 90) -> str:
    """Reload the back-fill's page (as its script does) until it says done or failed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = client.get(url)
        assert page.status_code == 200, page.text
        if 'data-status="done"' in page.text or 'data-status="failed"' in page.text:
            return page.text
        time.sleep(0.1)
    raise AssertionError(f"{url} did not finish")


def _table(html: str, table_id: str) -> list[list[str]]:
    """The text of each body and footer row's cells (th and td) of the table with ``table_id``."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.depth, self.rows, self.cell, self.section = 0, [], None, None

        def handle_starttag(self, tag, attrs):
            if tag == "table" and (self.depth or dict(attrs).get("id") == table_id):
                self.depth += 1
            elif self.depth == 1 and tag in ("thead", "tbody", "tfoot"):
                self.section = tag
            elif self.depth == 1 and tag == "tr" and self.section in ("tbody", "tfoot"):
                self.rows.append([])
            elif self.depth == 1 and tag in ("td", "th") and self.section in ("tbody", "tfoot"):
                self.cell = []

        def handle_endtag(self, tag):
            if tag == "table" and self.depth:
                self.depth -= 1
            elif self.depth == 1 and tag in ("td", "th") and self.cell is not None:
                self.rows[-1].append(" ".join("".join(self.cell).split()))
                self.cell = None

        def handle_data(self, data):
            if self.cell is not None:
                self.cell.append(data)

    reader = Reader()
    reader.feed(html)
    return reader.rows


BACKFILL_NUMBERS = [f"2432000000000000{i:04d}" for i in range(1, 6)]
"""Five 数电 invoices for a back-fill: the first three are in its records export, the last two are not."""


@pytest.fixture
def backfilled(client: TestClient) -> dict:
    """GIVEN a reviewer who started a back-fill from the back-fills page: a zip of five XML invoices (two not
    in the records, one of them in April) and a file that is no invoice, with the records export attached;
    and who waited on its page until it was done."""
    _login(client)
    members = {f"2024/{n}.xml": xml_invoice(n, "100.00", "6.00") for n in BACKFILL_NUMBERS[:4]}
    members["2024/late.xml"] = xml_invoice(BACKFILL_NUMBERS[4], "200.00", "12.00").replace(b"2024-03-08", b"2024-04-15")
    members["2024/readme.txt"] = "不是发票".encode()
    records = records_csv(
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
            for n in BACKFILL_NUMBERS[:3]
        ]
    )
    resp = client.post(
        "/ui/backfills",
        data={"source": "zip", "mapping_name": ""},
        files={
            "archive": ("2024年.zip", zip_of(members), "application/zip"),
            "records": ("export.csv", records, "text/csv"),
        },
    )
    assert resp.status_code == 303 and resp.headers["location"].startswith("/ui/backfills/"), resp.text
    url = resp.headers["location"]
    return {"url": url, "id": url.rsplit("/", 1)[1], "page": _wait_backfill(client, url)}


NEW_GET_PAGES = (
    "/ui/backfills",
    "/ui/backfills/x",
    "/ui/backfills/x/outputs/drafts.xlsx",
    "/ui/search?q=1",
    "/ui/stats",
    "/ui/stats/export/totals",
    "/ui/stats/export/shares",
    "/ui/alerts",
)
NEW_POST_FORMS = (("/ui/backfills", {"source": "folder", "folder": "/tmp"}), ("/ui/records/imports/1/reimport", {}))


def test_backfills_search_stats_alerts_need_a_reviewer(client: TestClient) -> None:
    for path in NEW_GET_PAGES:
        resp = client.get(path)
        assert resp.status_code == 303 and resp.headers["location"].startswith("/ui/login?next=%2Fui%2F"), path
    for path, data in NEW_POST_FORMS:
        assert client.post(path, data=data).status_code == 401, path
    _login(client, "uploader")
    for path in NEW_GET_PAGES:
        resp = client.get(path)
        assert resp.status_code == 403 and "reviewer" in resp.text, path
    for path, data in NEW_POST_FORMS:
        assert client.post(path, data=data).status_code == 403, path
    upload_page = client.get("/ui/upload").text  # uploaders get neither the search box nor the alert count
    assert 'role="search"' not in upload_page and 'href="/ui/alerts"' not in upload_page


def test_new_pages_render_in_both_languages_with_nav_search_box_and_no_untranslated_key(
    client: TestClient, backfilled: dict
) -> None:
    leaked = re.compile(
        r"(?<![\w/.-])(?:bf|sr|stats|al|rec|rc|bt|nav|queue|col|up|err)\.[a-z_]+(?:\.[a-z_]+)?(?![\w.-])"
    )
    client.post("/ui/reconcile", data={"scope": "all"})
    pages = [
        "/ui/backfills",
        backfilled["url"],
        "/ui/search",
        "/ui/search?q=",
        "/ui/search?q=0000000001",
        "/ui/search?q=2024-03+100-200&kind=draft",
        "/ui/search?amount=x",
        "/ui/alerts",
        "/ui/alerts?kind=duplicate",
        *(f"/ui/stats?group={g}" for g in ("month", "seller", "type", "rate")),
        "/ui/stats?date_from=2030-01-01",
        "/ui/stats?date_from=bad",
        "/ui/records",
        "/ui/backfills/nope",
    ]
    errors = {"/ui/search?amount=x": 422, "/ui/stats?date_from=bad": 422, "/ui/backfills/nope": 404}
    for lang in ("zh", "en"):
        for path in pages:
            resp = client.get(path + ("&" if "?" in path else "?") + f"lang={lang}")
            assert resp.status_code == errors.get(path, 200), (path, resp.status_code)
            body = re.sub(r"<script.*?</script>", "", resp.text, flags=re.S)
            assert not leaked.findall(body), (lang, path, leaked.findall(body))
            assert '<form class="top-search" role="search" method="get" action="/ui/search"' in body, path
            for link in ('href="/ui/backfills"', 'href="/ui/stats"', 'href="/ui/alerts"'):
                assert link in body, (path, link)
    assert "Start the back-fill" in client.get("/ui/backfills?lang=en").text
    assert "开始批量补录" in client.get("/ui/backfills?lang=zh").text


def test_backfill_from_a_zip_runs_to_done_and_its_three_outputs_download(client: TestClient, backfilled: dict) -> None:
    page, url = backfilled["page"], backfilled["url"]
    assert 'data-status="done"' in page and "批量补录已完成" in page
    # The readme is not an invoice: refused (listed, not stored), so 5 jobs, none failed; the header counts
    # what the list below shows (refused, and accepted but unreadable).
    assert (
        "共 6 个文件：接收 5 个，拒收 1 个" in page
        and "无法读取</p>" not in page
        and "拒收或无法读取的文件（1）" in page
    )
    assert '<progress id="bar" max="5" value="5">' in page
    assert "完成 <b>5</b>" in page and "失败 <b>0</b>" in page and 'src="/ui/static/batch.js"' not in page
    cards = {c: int(n) for c, n in re.findall(r'<a class="stat m-(\w+)"[^>]*><b>(\d+)</b>', page)}
    assert cards["matched"] == 3 and cards["missing_in_system"] == 2 and cards["rejected"] == 1
    assert (
        "2024年.zip:2024/readme.txt" in page and "records/imports/" in page
    )  # the unreadable file, the records import
    run = re.search(r'href="/ui/reconcile/(\d+)"', page)[1]
    assert client.get(f"/ui/reconcile/{run}").status_code == 200

    outputs = {}
    for name in ("reconciliation.xlsx", "drafts.xlsx", "log.jsonl"):
        resp = client.get(f"{url}/outputs/{name}")
        assert (
            resp.status_code == 200
            and resp.headers["content-disposition"] == f'attachment; filename="{backfilled["id"][:8]}-{name}"'
        ), name
        assert f'href="{url}/outputs/{name}" download' in page
        outputs[name] = resp.content
    report = openpyxl.load_workbook(io.BytesIO(outputs["reconciliation.xlsx"]))
    assert report["matched"].max_row == 4 and report["missing_in_system"].max_row == 3
    sheet = list(openpyxl.load_workbook(io.BytesIO(outputs["drafts.xlsx"]))["drafts"].iter_rows(values_only=True))
    assert list(sheet[0]) == list(TAX_BUREAU_HEADERS)  # the export's own header row
    got = sorted(
        (
            dict(zip(sheet[0], r, strict=False))["数电票号码"],
            Decimal(str(dict(zip(sheet[0], r, strict=False))["价税合计"])),
        )
        for r in sheet[1:]
    )
    assert got == [(BACKFILL_NUMBERS[3], Decimal("106.00")), (BACKFILL_NUMBERS[4], Decimal("212.00"))]
    log = [json.loads(line) for line in outputs["log.jsonl"].decode().splitlines()]
    assert len(log) == 6 and [x["source"] for x in log if x["category"] == "rejected"] == ["2024年.zip:2024/readme.txt"]

    listing = client.get("/ui/backfills").text
    assert f'href="{url}"' in listing and "zip：2024年.zip" in listing and "系统中缺失 2" in listing
    assert client.get(f"{url}/outputs/nope.txt").status_code == 404
    missing = client.get("/ui/backfills/no-such-id")
    assert missing.status_code == 404 and "没有编号为 no-such-id 的批量补录" in missing.text


def test_backfill_from_a_server_folder_shows_the_allowed_roots(client: TestClient) -> None:
    _login(client)
    root = client.app.state.ctx.settings.allowed_backfill_roots[0]
    assert f"<code>{root}</code>" in client.get("/ui/backfills").text
    folder = root / "2023"
    folder.mkdir(parents=True)
    (folder / "a.xml").write_bytes(xml_invoice("24330000000000000001", "50.00", "3.00"))
    resp = client.post("/ui/backfills", data={"source": "folder", "folder": str(folder)})
    assert resp.status_code == 303
    page = _wait_backfill(client, resp.headers["location"])
    assert f"文件夹：{folder}" in page and "<b>1</b><span>系统中缺失</span>" in page


@pytest.mark.parametrize(
    "data, files, status, message",
    [
        ({}, {}, 422, "请选择发票来源"),
        ({"source": "zip"}, {}, 422, "请选择一个 zip 压缩包"),
        ({"source": "zip"}, {"archive": ("", b"", "application/octet-stream")}, 422, "请选择一个 zip 压缩包"),
        ({"source": "zip"}, {"archive": ("a.zip", b"plain text", "application/zip")}, 422, "a.zip: not a zip archive"),
        ({"source": "folder", "folder": " "}, {}, 422, "请填写服务器上的文件夹路径"),
        ({"source": "folder", "folder": "/etc"}, {}, 403, "not a folder inside the folders back-fills may read"),
        (
            {"source": "folder", "folder": "/no/such/folder"},
            {},
            403,
            "not a folder inside the folders back-fills may read",
        ),
        (
            {"source": "zip", "mapping_name": "erp"},
            {"archive": ("a.zip", b"PK\x05\x06" + b"\0" * 18, "application/zip")},
            422,
            "列映射只用于系统记录导出文件",
        ),
        (
            {"source": "zip", "mapping_name": "nope"},
            {
                "archive": ("a.zip", b"PK\x05\x06" + b"\0" * 18, "application/zip"),
                "records": ("r.csv", b"a,b\n1,2\n", "text/csv"),
            },
            422,
            "no saved header mapping named &#39;nope&#39;",
        ),
        (
            {"source": "zip"},
            {
                "archive": ("a.zip", b"PK\x05\x06" + b"\0" * 18, "application/zip"),
                "records": ("r.csv", b"", "text/csv"),
            },
            422,
            "r.csv：文件是空的",
        ),
    ],
)
def test_backfill_form_refuses_bad_input_with_a_message(
    client: TestClient, data: dict, files: dict, status: int, message: str
) -> None:
    _login(client)
    resp = client.post("/ui/backfills", data=data, files=files or None)
    assert resp.status_code == status and message in resp.text and 'id="backfill-form"' in resp.text, resp.text[-2000:]
    assert "尚无批量补录" in resp.text  # nothing was started
    if data.get("source") == "folder":
        assert f'value="{data["folder"].strip()}"' in resp.text  # what was typed is kept


def test_search_finds_a_record_by_part_of_its_number_and_by_a_misspelt_name(
    client: TestClient, reconciled: dict
) -> None:
    by_number = client.get("/ui/search", params={"q": "00000005"})
    assert by_number.status_code == 200
    rows = _table(by_number.text, "hits")
    assert "找到 1 条" in by_number.text and len(rows) == 1
    kind, code, number, date, seller, _buyer, amount, source, why = rows[0]
    assert (kind, code, number, date, amount, source) == (
        "记录",
        "",
        "24310000000000000005",
        "2024-03-08",
        "530.00",
        "24310000000000000005",
    )
    assert seller.startswith("上海某某贸易股份有限公司") and "号码包含 00000005" in why

    misspelt = client.get("/ui/search", params={"name": "上海某某贸易股分有限公司", "kind": "record"}).text  # 份 → 分
    numbers = [r[2] for r in _table(misspelt, "hits")]
    assert sorted(numbers) == ["24310000000000000001", "24310000000000000003", "24310000000000000005"]
    assert "名称近似“上海某某贸易股分有限公司”" in misspelt and 'name="kind" value="record" checked' in misspelt
    assert 'name="kind" value="invoice" checked' not in misspelt

    mixed = client.get("/ui/search", params={"q": MISSING}).text  # the invoice and its back-entry draft, both linked
    invoice_id = reconciled["docs"]["new.xml"]["invoices"][0]["id"]
    assert f'<a href="/ui/invoices/{invoice_id}">{MISSING}</a>' in mixed and 'href="/ui/drafts/' in mixed
    assert "new.xml" in mixed and "待确认" in mixed  # the document's name, the draft's state
    assert 'id="top-q" name="q" type="search" maxlength="200"' in mixed and f'value="{MISSING}"' in mixed
    english = client.get("/ui/search", params={"amount": "424.00", "lang": "en"}).text
    assert "2 found" in english and "amount 424.00" in english
    money = client.get("/ui/search", params={"amount": "¥1,000,000.00", "lang": "zh"})
    assert money.status_code == 200 and "找到 0 条" in money.text  # written as people write money


@pytest.mark.parametrize(
    "params, status, message",
    [
        ({}, 200, None),
        ({"q": ""}, 200, "请填写要查找的内容"),
        ({"q": "   ", "number": ""}, 200, "请填写要查找的内容"),
        ({"kind": "draft"}, 200, "请填写要查找的内容"),
        ({"amount": "十元"}, 422, "金额格式不正确：十元"),
        ({"amount_min": "1.234"}, 422, "金额格式不正确：1.234"),
        ({"amount_max": "NaN"}, 422, "金额格式不正确：NaN"),
        ({"amount": "1e20"}, 422, "金额格式不正确"),
        ({"amount_min": "200", "amount_max": "100"}, 422, "最低金额高于最高金额"),
        ({"date_from": "2024/03/01"}, 422, "日期格式应为 YYYY-MM-DD：2024/03/01"),
        ({"date_from": "2024-04-01", "date_to": "2024-03-01", "q": "x"}, 422, "起始日期晚于截止日期"),
    ],
)
def test_search_gives_a_hint_or_a_message_for_empty_and_bad_input(
    client: TestClient, params: dict, status: int, message: str | None
) -> None:
    _login(client)
    resp = client.get("/ui/search", params=params)
    assert resp.status_code == status and 'id="search-form"' in resp.text
    if message:
        assert message in resp.text
    else:
        assert 'class="alert' not in resp.text  # the first visit shows the form, no complaint
    assert 'id="hits"' not in resp.text


def _money(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def test_statistics_page_shows_the_services_numbers_with_charts_and_downloads(
    client: TestClient, reconciled: dict
) -> None:
    from fapiao.service.stats import GROUPS, shares, totals

    ctx = client.app.state.ctx
    for group in GROUPS:
        page = client.get("/ui/stats", params={"group": group})
        assert page.status_code == 200
        with session_scope(ctx.sessions) as s:
            expected = totals(s, group)
        rows = _table(page.text, "totals")
        body, foot = rows[:-1], rows[-1]
        assert [(int(r[1]), _money(r[2]), _money(r[3]), _money(r[4])) for r in body] == [
            (e["invoices"], e["total_amount"], e["total_tax"], e["amount_with_tax"]) for e in expected
        ], group
        assert all(re.fullmatch(r"-?[\d,]+\.\d\d", c) for r in rows for c in r[2:5]), rows  # two decimals everywhere
        assert foot[0] == "合计" and _money(foot[4]) == sum(e["amount_with_tax"] for e in expected) == Decimal("848.00")
        bars = re.findall(r'<rect class="bar[^"]*" x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)"', page.text)
        assert len(bars) == len(expected) and all(Decimal(h) > 0 for h in bars), group
        assert 'id="chart-totals"' in page.text and 'role="img"' in page.text
        xlsx = client.get(f"/ui/stats/export/totals?group={group}")
        assert xlsx.headers["content-disposition"] == f'attachment; filename="fapiao-stats-{group}.xlsx"'
        head, *cells = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
        assert [Decimal(str(dict(zip(head, c, strict=False))["价税合计"])) for c in cells] == [
            e["amount_with_tax"] for e in expected
        ]
    seller = _table(client.get("/ui/stats?group=seller").text, "totals")
    assert seller[0][0] == f"上海某某贸易有限公司{SELLER_ID}" and seller[0][4] == "530.00"  # name, tax ID under it
    assert _table(client.get("/ui/stats?group=type").text, "totals")[0][0] == "数电票（普通发票）"
    head, row = list(
        openpyxl.load_workbook(io.BytesIO(client.get("/ui/stats/export/totals?group=type").content)).active.iter_rows(
            values_only=True
        )
    )
    # The workbook speaks the page's language: its column titles too, not the API's keys.
    assert (
        dict(zip(head, row, strict=False))["发票类型"] == "数电票（普通发票）"
        and dict(zip(head, row, strict=False))["编号"] == "digital_normal"
    )

    page = client.get("/ui/stats").text
    with session_scope(ctx.sessions) as s:
        (share,) = shares(s)
    (row,) = _table(page, "shares")
    assert row[:6] == [
        "2024-03",
        "3",
        "3",
        str(share["matched"]),
        str(share["missing_in_system"]),
        str(share["needs_review"]),
    ]
    assert row[6] == f"{Decimal(str(share['matched_share'])) * 100:.1f}%" and row[7] == "33.3%"
    assert 'id="chart-shares"' in page and "<circle" in page and 'href="/ui/stats/export/shares"' in page
    out = client.get("/ui/stats/export/shares")
    head, cells = list(openpyxl.load_workbook(io.BytesIO(out.content)).active.iter_rows(values_only=True))
    assert dict(zip(head, cells, strict=False))["发票数"] == 3 and "invoices" not in head

    april = client.get("/ui/stats", params={"date_from": "2024-04-01"})
    assert april.status_code == 200 and "此范围内没有发票" in april.text and 'id="totals"' not in april.text
    march = client.get("/ui/stats", params={"date_from": "2024-03-01", "date_to": "2024-03-31"}).text
    assert 'href="/ui/stats/export/totals?group=month&amp;date_from=2024-03-01&amp;date_to=2024-03-31"' in march
    for params, message in (
        ({"date_from": "2024-13-01"}, "日期格式应为 YYYY-MM-DD：2024-13-01"),
        ({"date_from": "2024-04-01", "date_to": "2024-03-01"}, "起始日期晚于截止日期"),
    ):
        bad = client.get("/ui/stats", params=params)
        assert bad.status_code == 422 and message in bad.text and 'id="totals"' not in bad.text
        assert client.get("/ui/stats/export/totals", params=params).status_code == 422
    assert client.get("/ui/stats/export/nope").status_code == 422
    assert (
        "共 3" not in client.get("/ui/stats?group=bogus").text
        and client.get("/ui/stats?group=bogus").status_code == 200
    )


def test_alerts_list_a_duplicate_with_links_and_count_it_in_the_nav(client: TestClient) -> None:
    _login(client)
    assert "目前没有提醒" in client.get("/ui/alerts").text
    twice = [
        ("a.xml", xml_invoice("24340000000000000009", "250.00", "15.00")),
        ("a-again.xml", xml_invoice("24340000000000000009", "250.00", "15.00") + b"\n"),
    ]
    docs = _upload(client, twice)
    page = client.get("/ui/alerts").text
    (row, *others) = _table(page, "alerts")
    assert row[0] == "错误" and row[1] == "重复提交" and "发票 24340000000000000009 被提交了 2 次" in row[2]
    assert "a.xml" in row[2] and "a-again.xml" in row[2]
    for d in docs:
        invoice_id = d["invoices"][0]["id"]
        assert f'<a href="/ui/invoices/{invoice_id}">发票 #{invoice_id}</a>' in page
    assert "<b>1</b><span>重复提交</span>" in page
    assert any(r[1] == "系统记录过旧" for r in others)  # invoices, but no records imported yet
    assert (
        'aria-label="提醒（2 条）"' in page and '<span class="nav-count sev-error" aria-hidden="true">2</span>' in page
    )
    assert 'aria-label="提醒（2 条）"' in client.get("/ui/").text  # every reviewer page, from the cached count
    only = client.get("/ui/alerts?kind=duplicate").text
    assert len(_table(only, "alerts")) == 1 and 'href="/ui/alerts?kind=duplicate" aria-current="true"' in only
    assert "此类没有提醒" in client.get("/ui/alerts?kind=stuck_review").text
    english = client.get("/ui/alerts?lang=en").text
    assert "invoice 24340000000000000009 was submitted 2 times" in english and "Duplicates" in english


def test_nav_alert_count_is_kept_recounted_in_the_background_and_never_breaks_a_page(
    client: TestClient, monkeypatch
) -> None:
    from fapiao.api.ui import badge

    def settled() -> None:  # the background recount, if one was started, has finished
        assert badge._lock.acquire(timeout=10)
        badge._lock.release()

    _login(client)
    calls = []
    real = badge.alerts.current
    monkeypatch.setattr(badge.alerts, "current", lambda ctx: calls.append(1) or real(ctx))
    for _ in range(3):
        assert 'id="nav-alerts"' in client.get("/ui/drafts").text
    assert len(calls) == 1  # counted once for three pages
    assert client.get("/ui/documents/nope").status_code == 404 and len(calls) == 1  # not for script answers

    _upload(
        client,
        [
            ("a.xml", xml_invoice("24340000000000000009", "250.00", "15.00")),
            ("b.xml", xml_invoice("24340000000000000009", "250.00", "15.00") + b"\n"),
        ],
    )
    monkeypatch.setattr(badge, "TTL_S", 0.0)
    assert 'aria-label="提醒' not in client.get("/ui/drafts").text  # the old count (none) while it recounts
    settled()
    assert 'aria-label="提醒（2 条）"' in client.get("/ui/drafts").text  # duplicate and no records import yet
    settled()

    def broken(ctx):
        raise RuntimeError("database away")

    monkeypatch.setattr(badge.alerts, "current", broken)
    assert client.get("/ui/drafts").status_code == 200
    settled()
    assert 'aria-label="提醒（2 条）"' in client.get("/ui/drafts").text  # the last good count stays
    settled()


def test_records_page_shows_sync_status_per_source_and_reimports_one(client: TestClient) -> None:
    _login(client)
    assert 'id="sources"' not in client.get("/ui/records").text  # nothing imported yet
    assert _import(client, records_csv(RECORD_ROWS)).status_code == 303
    other = _preview(client, records_csv(RECORD_ROWS[:1]), name="erp.csv")
    assert client.post("/ui/records/import", data=form_values(other.text, "import-form")).status_code == 303
    with pytest.raises(FapiaoError):  # a source whose import failed (kept as a failed run)
        import_records(client.app.state.ctx, "发票号码,金额\n".encode(), "broken.csv", "test")

    page = client.get("/ui/records").text
    rows = {r[0]: r for r in _table(page, "sources")}
    assert set(rows) == {"records.csv", "erp.csv", "broken.csv"}
    source, last, inserted, updated, unchanged, bad, success, imports, _ = rows["records.csv"]
    assert "部分导入：1 行未导入" in last and (inserted, updated, unchanged, bad, imports) == ("3", "0", "0", "1", "1")
    assert success == last.split(" 部分导入")[0]
    assert rows["erp.csv"][2:6] == ["0", "0", "1", "0"]  # the same record again: unchanged
    assert "失败" in rows["broken.csv"][1] and rows["broken.csv"][6] == "从未成功"
    run_id = int(
        re.search(
            r'action="/ui/records/imports/(\d+)/reimport"[^>]*>\s*<button type="submit" '
            r'aria-label="重新导入 records.csv"',
            page,
        )[1]
    )

    again = client.post(f"/ui/records/imports/{run_id}/reimport")
    assert again.status_code == 303 and again.headers["location"].endswith("?done=reimported")
    assert "已重新导入最近的文件" in client.get(again.headers["location"]).text
    rows = {r[0]: r for r in _table(client.get("/ui/records").text, "sources")}
    assert rows["records.csv"][2:6] == ["0", "0", "3", "1"] and rows["records.csv"][7] == "2"
    nothing = client.post("/ui/records/imports/99/reimport")
    assert nothing.status_code == 422 and "import 99 does not exist or kept no file" in nothing.text


def test_every_search_reason_code_is_worded_in_both_languages() -> None:
    """The UI words a hit's reason from its code and parameters, never by parsing the English text."""
    assert set(SEARCH_REASONS) == set(REASON_TEXT)
    reason = {"code": "amount_range", "params": {"a": "100", "b": "…"}}
    assert Translator("zh").reason(reason) == "金额在 100 至 … 之间"
    assert Translator("en").reason(reason) == "amount in [100, …]"
    two = {"code": "near_number", "params": {"n": "2", "q": "123"}}
    assert Translator("en").reason(two) == "number 2 digits away from 123"
