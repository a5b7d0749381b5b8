"""Search results and statistics as a clerk reads them, in a real browser on a real server: an invoice's code
and number in columns of their own (not glued into one 20-digit string), and a chart whose axis does not run
to −200,000 for a −1,000 month of red-letter invoices."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import expect

from fapiao.service.keys import create_key
from tests.builders import OLD_LABELS, OLD_QR, OLD_VALUES, placed_pdf, with_qr
from tests.ui.conftest import api_upload, log_in, shot, xml_invoice


def test_the_statistics_axis_starts_at_zero_under_a_small_negative_month(live_server, browser_page) -> None:
    page = browser_page
    base, app = live_server()
    key = create_key(app.state.ctx, "reviewer", "chen")
    big = xml_invoice("24310000000000000901", "849056.60", "50943.40")  # 900,000.00 in 2024-03
    red = xml_invoice("24310000000000000902", "-943.40", "-56.60").replace(b"2024-03-08", b"2024-04-08")
    docs = api_upload(base, key, [("march.xml", big), ("april-red.xml", red)])
    assert [d["invoices"][0]["invoice"]["amount_with_tax"] for d in docs] == ["900000.00", "-1000.00"]

    log_in(page, base, key, "/ui/stats")
    ticks = page.locator("#chart-totals g.ticks text")
    expect(ticks.first).to_have_text("0")
    labels = ticks.all_text_contents()
    assert not [x for x in labels if x.startswith(("-", "−"))], labels
    expect(page.locator("#chart-totals rect.bar.neg")).to_have_count(1)  # the red-letter month is still drawn
    expect(page.locator("#totals")).to_contain_text("-1,000.00")
    shot(page, "70-stats-axis-small-negative")

    page.goto(f"{base}/ui/stats?date_to=2024-03-31")  # no negative value at all: the axis starts at zero
    expect(page.locator("#chart-totals g.ticks text").first).to_have_text("0")
    expect(page.locator("#chart-totals rect.bar.neg")).to_have_count(0)


def test_search_results_show_the_code_and_the_number_apart(live_server, browser_page) -> None:
    page = browser_page
    base, app = live_server()
    key = create_key(app.state.ctx, "reviewer", "lu")
    pdf = with_qr(placed_pdf(OLD_LABELS, OLD_VALUES), OLD_QR)  # 发票代码 011001900111, 发票号码 12345678
    doc, _ = api_upload(base, key, [("old.pdf", pdf), ("new.xml", xml_invoice("24310000000000000903", "5", "0.30"))])
    assert doc["invoices"][0]["invoice"]["invoice_code"] == "011001900111"
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}) as api:
        (hit,) = api.get("/api/v1/search", params={"q": "12345678", "kind": "invoice"}).json()["hits"]
        assert (hit["invoice_code"], hit["invoice_number"]) == ("011001900111", "12345678")
        (glued,) = api.get("/api/v1/search", params={"number": "01100190011112345678"}).json()["hits"]
        assert glued["ref"] == hit["ref"]  # the index still matches the code and number together
        (digital,) = api.get("/api/v1/search", params={"q": "24310000000000000903"}).json()["hits"]
        assert (digital["invoice_code"], digital["invoice_number"]) == (None, "24310000000000000903")

    log_in(page, base, key)
    page.goto(f"{base}/ui/search?q=12345678")
    table = page.locator("#hits")
    heads = table.locator("thead th").all_inner_texts()
    assert "发票代码" in heads and "发票号码" in heads, heads
    row = table.locator("tr.hit-invoice")
    col = {h: i for i, h in enumerate(heads)}
    expect(row.locator("td").nth(col["发票代码"])).to_have_text("011001900111")
    expect(row.locator("td").nth(col["发票号码"])).to_have_text("12345678")
    expect(table).not_to_contain_text("01100190011112345678")
    shot(page, "71-search-code-and-number")
    page.goto(f"{base}/ui/search?number=01100190011112345678")  # typed glued, as a clerk may copy it
    expect(page.locator("#hits tr.hit-invoice td").nth(col["发票号码"])).to_have_text(re.compile(r"^\s*12345678\s*$"))
