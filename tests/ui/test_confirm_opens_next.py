"""Confirming an invoice on the review screen opens the next invoice waiting for review, as 下一张 (Alt+N) does,
and says which invoice was just confirmed; after the last one the queue says that nothing is left. A real
browser on a real server; the decisions are read back from the API."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import expect

from fapiao.service.keys import create_key
from fapiao.service.queries import next_pending
from fapiao.storage.db import session_scope
from tests.ui.conftest import api_upload, log_in, shot, xml_invoice

NUMBERS = ["24310000000000000201", "24310000000000000202", "24310000000000000203"]


def test_confirming_opens_the_next_invoice_and_says_so(live_server, browser_page) -> None:
    page = browser_page
    base, app = live_server()
    key = create_key(app.state.ctx, "reviewer", "xu")
    files = [(f"{n[-3:]}.xml", xml_invoice(n, "100.00", "6.00")) for n in NUMBERS[:2]]
    files.append((f"{NUMBERS[2][-3:]}.xml", xml_invoice(NUMBERS[2], "100.00", "6.00", total="116.00")))  # an error
    docs = api_upload(base, key, files)
    ids = {d["invoices"][0]["invoice"]["invoice_number"]: d["invoices"][0]["id"] for d in docs}
    number_of = {v: k for k, v in ids.items()}
    api = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"})
    review = lambda i: api.get(f"/api/v1/invoices/{i}").json()["review"]  # noqa: E731

    def expected_after(invoice_id: int | None) -> int | None:
        with session_scope(app.state.ctx.sessions) as s:
            return next_pending(s, invoice_id)

    log_in(page, base, key)
    # The queue's first invoice is the one with an error (needs review first): confirming it needs a reason.
    first = ids[NUMBERS[2]]
    assert expected_after(None) == first
    page.goto(f"{base}/ui/invoices/{first}")
    page.get_by_role("button", name="确认", exact=True).click()
    page.get_by_label("确认原因").fill("金额以合同为准")
    page.get_by_role("button", name="仍然确认").click()
    second = expected_after(first)
    assert second is not None and second != first
    expect(page).to_have_url(re.compile(rf"/ui/invoices/{second}(\?|$)"))
    notice = page.locator("#decided")
    expect(notice).to_contain_text(f"已确认发票 {NUMBERS[2]}（203.xml）")
    expect(notice).to_contain_text("这是下一张待复核的发票")
    expect(page.get_by_label("发票号码", exact=True)).to_have_value(number_of[second])
    assert review(first) == "confirmed"
    shot(page, "72-confirmed-next-opens")

    # Alt+Enter does the same.
    page.keyboard.press("Alt+Enter")
    third = expected_after(second)
    assert third is not None and third not in (first, second)
    expect(page).to_have_url(re.compile(rf"/ui/invoices/{third}(\?|$)"))
    expect(page.locator("#decided")).to_contain_text(f"已确认发票 {number_of[second]}")
    assert review(second) == "confirmed"

    # The last one: the queue says nothing is left, and the confirmed one can be opened again from there.
    page.get_by_role("button", name="确认", exact=True).click()
    expect(page).to_have_url(re.compile(r"/ui/\?review=pending&done=1"))
    done = page.locator("p.alert.ok")
    expect(done).to_contain_text(f"已确认发票 {number_of[third]}")
    expect(done).to_contain_text("没有待复核的发票了")
    expect(page.locator("p.total")).to_have_text("共 0 张")
    assert review(third) == "confirmed"
    shot(page, "73-confirmed-last")
    done.get_by_role("link").click()
    expect(page).to_have_url(f"{base}/ui/invoices/{third}")
    expect(page.locator("#status")).to_contain_text("已确认")
    expect(page.locator("#decided")).to_have_count(0)  # opened again by hand: no notice

    # In English the notice is in English.
    page.goto(f"{base}/ui/?review=pending&done=1&confirmed={first}&lang=en")
    expect(page.locator("p.alert.ok")).to_contain_text(f"Invoice {NUMBERS[2]} (203.xml) is confirmed")
    # An invoice that is not confirmed is never announced as confirmed, whatever the address says.
    api.post(
        f"/api/v1/invoices/{first}/reject", json={"version": api.get(f"/api/v1/invoices/{first}").json()["version"]}
    )
    page.goto(f"{base}/ui/invoices/{second}?confirmed={first}&lang=zh")
    expect(page.locator("#decided")).to_have_count(0)
    api.close()
