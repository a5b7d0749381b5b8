"""The service's messages (refusals, why a document could not be read, bad rows, draft history notes) reach a
page in its language from their codes and parameters, never by reading the English text back."""

from __future__ import annotations

import inspect
import io
import json
import re
import time

import openpyxl
import pymupdf
from fastapi.testclient import TestClient

from fapiao.api.ui import i18n
from fapiao.api.ui.i18n import MESSAGES_ZH, Translator
from fapiao.core.messages import TEXT, Message, params_of
from tests.helpers.documents import zip_of
from tests.ui.conftest import form_values, new_key, records_csv, xml_invoice

NUMBER = "24319876543210987654"
ROW = ["", "", "24310000000000000001", "", "上海某某贸易有限公司", "", "", "2024-03-08", "100.00", "6.00", "106.00"]


def _login(client: TestClient) -> None:
    assert client.post("/ui/login", data={"key": new_key(client, "reviewer")}).status_code == 303


def _upload(client: TestClient, files: list[tuple[str, bytes]], batch: str = "") -> list[dict]:
    """Upload from the upload page and wait until every job has finished; each job as the page polls it."""
    sent = client.post(
        "/ui/upload", files=[("files", (n, d, "application/octet-stream")) for n, d in files], data={"batch": batch}
    )
    deadline, out = time.monotonic() + 60, []
    for doc in sent.json()["documents"]:
        while (body := client.get(f"/ui/documents/{doc['id']}").json())["status"] not in {"done", "failed"}:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        out.append(body)
    return out


def _preview(client: TestClient, data: bytes):
    up = client.post("/ui/records/upload", files={"file": ("records.csv", data, "text/csv")})
    assert up.status_code == 303, up.text
    return client.get(up.headers["location"])


def _reviewer_headers(client: TestClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {new_key(client, 'reviewer')}"}


ZH_ONLY_PARAMS = {"not_vat_invoice": {"todo_zh"}}
"""Parameters only the Chinese wording uses (the English text has the same advice in both languages)."""


def test_every_message_code_is_worded_in_both_languages_with_the_same_parameters() -> None:
    assert set(MESSAGES_ZH) == set(TEXT)
    zh = Translator("zh")
    for code, english in TEXT.items():
        wording = MESSAGES_ZH[code]
        if callable(wording):
            params = {name: "remarks, total_tax" if name == "fields" else "xlsx" for name in params_of(english)}
            assert wording(zh, params), code
            continue
        assert params_of(wording) <= params_of(english) | ZH_ONLY_PARAMS.get(code, set()), code


def test_i18n_reads_no_english_text_with_regular_expressions() -> None:
    source = inspect.getsource(i18n)
    assert not hasattr(i18n, "MESSAGES") and not hasattr(i18n, "DRAFT_NOTES")
    assert not re.search(r"^import re$|^from re import|re\.(compile|match|fullmatch|search)\(", source, re.M)


def test_a_message_is_worded_from_its_code_and_one_without_a_code_is_shown_as_it_is() -> None:
    big = Message.of("file_too_large", name="a.pdf", size=60_000_000, limit=52_428_800)
    text = big.text + " — split the file or raise FAPIAO_MAX_UPLOAD_BYTES"
    assert text == "a.pdf: 60,000,000 bytes, more than the limit of 52,428,800 — split the file or raise " + (
        "FAPIAO_MAX_UPLOAD_BYTES"
    )  # the English text is what it was
    zh, en = Translator("zh"), Translator("en")
    coded = big.as_json()
    worded = zh.message(text, coded["code"], coded["params"])
    assert worded == "a.pdf：文件有 60,000,000 字节，超过上限 52,428,800 字节；请拆分文件。"
    assert en.message(text, coded["code"], coded["params"]) == text
    # a row stored before the codes, or with a code this version does not know: its text, as it is
    assert zh.message("a.pdf: the file is empty — check that the upload finished") == (
        "a.pdf: the file is empty — check that the upload finished"
    )
    assert zh.message("old text", "retired_code", {"x": 1}) == "old text"
    assert zh.message("old text", "file_too_large", {"name": "a.pdf"}) == "old text"  # parameters that do not fit
    notes = [Message.of("note", text="以纸质发票为准; edited remarks"), Message.of("draft_edited", fields="remarks")]
    stored = "; ".join(m.text for m in notes)
    assert zh.note(stored, [m.as_json() for m in notes]) == "以纸质发票为准; edited remarks；修改了备注"
    assert en.note(stored, [m.as_json() for m in notes]) == stored
    assert zh.note("edited remarks") == "edited remarks"  # stored without codes: as it is


def _encrypted_pdf() -> bytes:
    doc = pymupdf.open()
    doc.new_page()
    return doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="u", owner_pw="o")


def test_why_a_document_could_not_be_read_reaches_its_pages_in_chinese(client: TestClient) -> None:
    """GIVEN a password-protected PDF uploaded from the upload page (a message the regular expressions never
    knew) WHEN its job fails THEN the upload page, the batch page and the English page word it from its code,
    and the API keeps the English text with the code beside it."""
    _login(client)
    (doc,) = _upload(client, [("locked.pdf", _encrypted_pdf())], batch="密码")
    assert doc["status"] == "failed" and doc["error"] == "locked.pdf：PDF 设有密码；请去除密码后重新上传。"
    assert "locked.pdf：PDF 设有密码" in client.get("/ui/batches/密码").text
    english = client.get("/ui/batches/密码", params={"lang": "en"}).text
    assert "locked.pdf: the PDF is password-protected — remove the password" in english
    api = client.get(f"/api/v1/documents/{doc['id']}", headers=_reviewer_headers(client)).json()
    assert api["error"].startswith("locked.pdf: the PDF is password-protected — remove the password")
    assert api["error_code"] == "pdf_encrypted" and api["error_params"] == {"name": "locked.pdf"}


def test_upload_refusals_are_worded_from_their_codes(client: TestClient) -> None:
    _login(client)
    resp = client.post(
        "/ui/upload",
        files=[("files", ("empty.pdf", b"", "application/pdf")), ("files", ("x.zip", zip_of({"a": b"1"}), "x"))],
    )
    refused = {d["filename"]: d for d in resp.json()["documents"]}
    assert refused["empty.pdf"]["error"] == "empty.pdf：文件是空的，请确认上传已完成。"
    assert refused["x.zip"]["error"].startswith("x.zip：这是 zip 压缩包")
    assert refused["empty.pdf"]["error_code"] == "file_empty" and refused["empty.pdf"]["code"] == "unsupported_format"


BAD_ROWS = [
    [*ROW, "正常", ""],
    [*ROW, "正常", ""],  # the same invoice again
    ["", "", "24310000000000000002", "", "", "", "", "2024-03-08", "abc", "6.00", "", "正常", ""],
]


def test_bad_rows_are_worded_from_their_codes_in_the_preview_and_the_stored_import(client: TestClient) -> None:
    """The repeated row's reason has a " — " inside, which the regular expressions cut off and then failed to
    match: it was shown in English. By code it is Chinese, in the preview and in the import kept."""
    _login(client)
    data = records_csv(BAD_ROWS)
    preview = _preview(client, data).text
    assert "与第 2 行是同一张发票（24310000000000000001）；已保留第一行，请删除重复的行" in preview
    assert "“abc”不是金额" in preview and "the same invoice" not in preview
    done = client.post("/ui/records/import", data=form_values(preview, "import-form"))
    assert done.status_code == 303, done.text
    run = client.get(done.headers["location"]).text
    assert "与第 2 行是同一张发票" in run and "“abc”不是金额" in run
    assert "the same invoice (24310000000000000001) as row 2" in client.get(done.headers["location"] + "&lang=en").text
    run_id = done.headers["location"].split("/imports/")[1].split("?")[0]
    api = client.get(f"/api/v1/records/imports/{run_id}", headers=_reviewer_headers(client)).json()
    reasons = {e["row"]: e for e in api["errors"]}
    assert reasons[3]["reason_code"] == "row_repeated" and reasons[3]["reason_params"] == {
        "key": "24310000000000000001",
        "first": 2,
    }
    assert reasons[3]["reason"] == (
        "the same invoice (24310000000000000001) as row 2; the first one was kept — remove the repeated row"
    )
    assert reasons[4]["reason_code"] == "not_an_amount" and reasons[4]["reason"] == "'abc' is not an amount"


def test_a_persons_note_is_shown_as_typed_and_the_systems_notes_in_chinese(client: TestClient) -> None:
    """What a person typed is never taken for a system note, even when it reads like one."""
    _login(client)
    assert [d["status"] for d in _upload(client, [("new.xml", xml_invoice(NUMBER, "400.00", "24.00"))])] == ["done"]
    assert client.post("/ui/reconcile", data={"scope": "all"}).status_code == 303  # no records: a draft
    listing = client.get("/ui/drafts").text
    draft_id = int(listing.split('href="/ui/drafts/')[1].split('"')[0])
    page = client.get(f"/ui/drafts/{draft_id}").text
    version = re.search(r'name="version" value="(\d+)"', page)[1]
    typed = "私人费用; edited remarks"
    moved = client.post(f"/ui/drafts/{draft_id}/discard", data={"version": version, "note": typed})
    assert moved.status_code == 303, moved.text
    page = client.get(f"/ui/drafts/{draft_id}").text
    assert "对账发现系统中缺失" in page and "私人费用; edited remarks" in page and "修改了备注" not in page
    api = client.get(f"/api/v1/drafts/{draft_id}", headers=_reviewer_headers(client)).json()
    assert [h["note_codes"] for h in api["history"]] == [
        [{"code": "draft_missing", "params": {}}],
        [{"code": "note", "params": {"text": typed}}],
    ]
    assert [h["note"] for h in api["history"]] == ["missing in the system", typed]


def test_back_fill_refusals_are_worded_from_their_codes(client: TestClient) -> None:
    _login(client)
    members = {"readme.txt": "不是发票".encode(), "empty.pdf": b"", "a.xml": xml_invoice(NUMBER, "10.00", "0.60")}
    resp = client.post("/ui/backfills", data={"source": "zip"}, files={"archive": ("b.zip", zip_of(members), "x")})
    assert resp.status_code == 303, resp.text
    deadline = time.monotonic() + 90
    while 'data-status="done"' not in (page := client.get(resp.headers["location"]).text):
        assert time.monotonic() < deadline and 'data-status="failed"' not in page
        time.sleep(0.1)
    assert "b.zip:readme.txt：无法识别的文件类型" in page and "b.zip:empty.pdf：文件是空的" in page


def test_a_rejected_document_in_the_reconciliation_report_reads_in_the_pages_language(client: TestClient) -> None:
    """GIVEN a password-protected PDF in a batch WHEN the batch is reconciled THEN its line carries the message's
    code beside the English text, and the report downloaded from the Chinese page words it in Chinese."""
    _login(client)
    (doc,) = _upload(client, [("locked.pdf", _encrypted_pdf())], batch="对账")
    assert doc["status"] == "failed"
    run = client.post("/ui/reconcile", data={"scope": "batch", "batch": "对账", "date_from": "", "date_to": ""})
    assert run.status_code == 303, run.text
    run_url = run.headers["location"]
    (line,) = [json.loads(x) for x in client.get(f"{run_url}/report/json").text.splitlines()]
    assert line["category"] == "rejected" and line["error"].startswith("locked.pdf: the PDF is password-protected")
    assert line["error_code"] == "pdf_encrypted" and line["error_params"] == {"name": "locked.pdf"}
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"{run_url}/report/xlsx").content))
    head, row = list(book["无法对账"].iter_rows(values_only=True))
    assert dict(zip(head, row, strict=False))["校验结果"] == "locked.pdf：PDF 设有密码；请去除密码后重新上传。"
