"""Confirmed invoices feed the party master, through the HTTP API on SQLite and PostgreSQL: a reviewer's
confirmation teaches the seller's and the buyer's names (as corrected), once per confirmation, and the
master then knows them next to what the records import taught it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.helpers.service import ERP_HEADERS, SELLER_ID, csv_bytes, import_records, wait_done, xml
from tests.service.conftest import make_key

BUYER_ID = "91330106273175535K"  # the buyer in the XML template


def _parties(client: TestClient, h: dict) -> dict[str, dict]:
    return {p["tax_id"]: p for p in client.get("/api/v1/records/parties", headers=h).json()["parties"]}


def _names(party: dict) -> set[tuple[str, int, str]]:
    return {(n["name"], n["seen"], n["origin"]) for n in party["names"]}


def test_confirming_an_invoice_teaches_the_party_master(client: TestClient) -> None:
    up, rv = make_key(client, "uploader"), make_key(client, "reviewer")
    doc = client.post(
        "/api/v1/documents",
        headers=up,
        files=[("files", ("a.xml", xml("24310000000000000007", "100.00", "6.00"), "application/xml"))],
    ).json()
    assert wait_done(client, doc["documents"][0]["id"], up)["status"] == "done"
    (listed,) = client.get("/api/v1/invoices", headers=rv).json()["invoices"]
    assert _parties(client, rv) == {}  # reading an invoice teaches nothing: only a person's confirmation does

    # The reviewer corrects the seller's name, then confirms: the corrected name is what the master learns.
    edited = client.patch(
        f"/api/v1/invoices/{listed['id']}",
        headers=rv,
        json={"version": listed["version"], "fields": {"seller_name": "上海某某贸易股份有限公司"}},
    )
    assert edited.status_code == 200, edited.text
    confirmed = client.post(
        f"/api/v1/invoices/{listed['id']}/confirm", headers=rv, json={"version": edited.json()["version"]}
    )
    assert confirmed.status_code == 200 and confirmed.json()["review"] == "confirmed"
    parties = _parties(client, rv)
    assert set(parties) == {SELLER_ID, BUYER_ID}
    assert parties[SELLER_ID]["canonical_name"] == "上海某某贸易股份有限公司"
    assert _names(parties[SELLER_ID]) == {("上海某某贸易股份有限公司", 1, "confirmed")}
    assert _names(parties[BUYER_ID]) == {("思星顺生物技术集团有限公司", 1, "confirmed")}

    # Confirming what is already confirmed does not count the names twice.
    again = client.post(
        f"/api/v1/invoices/{listed['id']}/confirm", headers=rv, json={"version": confirmed.json()["version"]}
    )
    assert again.status_code in (200, 409), again.text
    assert _names(_parties(client, rv)[SELLER_ID]) == {("上海某某贸易股份有限公司", 1, "confirmed")}

    # A records import adds its own variant to the same party; the confirmed one stays.
    rows = [
        [f"2431000000000000001{i}", "上海某某贸易有限公司", SELLER_ID, "2024-03-08", "1.00", "0.06", "1.06", "正常"]
        for i in range(3)
    ]
    import_records(client, rv, csv_bytes(rows, ERP_HEADERS), mapping='{"invoice_number": "票号"}')
    seller = _parties(client, rv)[SELLER_ID]
    assert ("上海某某贸易股份有限公司", 1, "confirmed") in _names(seller)
    assert any(n == "上海某某贸易有限公司" and origin != "confirmed" for n, _, origin in _names(seller))
    assert seller["canonical_name"] == "上海某某贸易有限公司"  # seen three times against once


def test_the_service_confirms_ocr_names_with_the_party_master_in_its_database(client: TestClient, tmp_path) -> None:
    """The service's verification asks its own database (a real lookup, on SQLite and PostgreSQL) at the time of
    each verification: before a records import an OCR'd name is unconfirmed, after it the same reading is not."""
    from fapiao.core.models import Status
    from fapiao.intake.verify import verify
    from tests.helpers.parties import export_file, export_row, ocr_read, unconfirmed

    rv = make_key(client, "reviewer")
    options = client.app.state.ctx.pipeline.options.verify
    read = ocr_read()
    before = verify(read, options)
    assert before.status is Status.needs_review and set(unconfirmed(before)) == {"buyer_name", "seller_name"}
    export = export_file(
        tmp_path / "export.csv", [export_row("00000001", "深圳某某有限公司", "上海某某信息科技有限公司")]
    )
    import_records(client, rv, export.read_bytes())
    after = verify(read, options)
    assert unconfirmed(after) == () and after.status is Status.verified


@pytest.mark.slow  # the OCR models read the scan
def test_a_records_import_reverifies_scans_held_back_for_their_names(settings, tmp_path) -> None:
    """A scan read by OCR waits for a person because nothing confirmed its names; a records import that knows
    both parties verifies it again at once (audited); a second import finds nothing more to do."""
    import json
    from pathlib import Path

    from fapiao.api.app import create_app
    from tests.helpers.parties import export_file

    scan = Path(__file__).resolve().parents[2] / "samples" / "examples" / "digital_normal.png"
    truth = json.loads(Path(f"{scan}.truth.json").read_text(encoding="utf-8"))["invoices"][0]["invoice"]
    with TestClient(create_app(settings.model_copy(update={"ocr": True}))) as client:
        up, rv = make_key(client, "uploader"), make_key(client, "reviewer")
        doc = client.post(
            "/api/v1/documents", headers=up, files=[("files", ("scan.png", scan.read_bytes(), "image/png"))]
        ).json()
        assert wait_done(client, doc["documents"][0]["id"], up)["status"] == "done"
        (listed,) = client.get("/api/v1/invoices", headers=rv).json()["invoices"]
        before = client.get(f"/api/v1/invoices/{listed['id']}", headers=rv).json()
        assert before["status"] == "needs_review"
        assert {n for f in before["findings"] if f["code"] == "ocr.unconfirmed" for n in f["fields"]} == {
            "buyer_name",
            "seller_name",
        }

        row = {
            "发票号码": "",
            "数电票号码": "24420000000000000001",
            "销方识别号": truth["seller_tax_id"],
            "销方名称": truth["seller_name"],
            "购方识别号": truth["buyer_tax_id"],
            "购买方名称": truth["buyer_name"],
            "开票日期": "2024-01-05",
            "金额": "10.00",
            "税额": "0.60",
            "价税合计": "10.60",
            "发票状态": "正常",
        }
        run = import_records(client, rv, export_file(tmp_path / "export.csv", [row]).read_bytes())
        assert run["reverified"] == 1
        after = client.get(f"/api/v1/invoices/{listed['id']}", headers=rv).json()
        assert after["status"] == "verified" and not any(f["code"] == "ocr.unconfirmed" for f in after["findings"])
        assert after["invoice"] == before["invoice"]  # nothing was changed, only confirmed
        (entry,) = [h for h in after["history"] if h["action"] == "reverified"]
        assert (entry["field"], entry["old"], entry["new"]) == ("status", "needs_review", "verified")

        # Importing again changes nothing more.
        assert import_records(client, rv, export_file(tmp_path / "export.csv", [row]).read_bytes())["reverified"] == 0
