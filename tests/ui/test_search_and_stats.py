"""Search results and statistics as a clerk reads them, in a real browser on a real server: an invoice's code
and number in columns of their own (not glued into one 20-digit string), and a chart whose axis does not run
to −200,000 for a −1,000 month of red-letter invoices."""

from __future__ import annotations

from playwright.sync_api import expect

from fapiao.service.keys import create_key
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
