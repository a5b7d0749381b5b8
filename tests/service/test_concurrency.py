"""Concurrency, on SQLite and PostgreSQL, through the HTTP API from several threads at once: reviewers
editing the same invoice or draft get optimistic locking (one wins, the others a clear 409, never a silent
overwrite or a 500); reconciliations run at the same moment create one draft per missing invoice; records
imports with overlapping records and parties lose no row and no count of the party master."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from fapiao.storage.db import session_scope
from fapiao.storage.matching_tables import Draft, ImportRun, Party, PartyName, SystemRecord
from fapiao.storage.service_tables import AuditEntry
from tests.builders import OLD_LABELS, OLD_VALUES, placed_pdf
from tests.helpers.service import wait_done, xml
from tests.service.conftest import make_key

PDF = placed_pdf(OLD_LABELS, OLD_VALUES)
ROUNDS = 4
WRITERS = 4


def _race(calls) -> list:
    """Run the calls at the same moment (a barrier releases them together) and return their responses."""
    barrier = threading.Barrier(len(calls))

    def go(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(go, calls))


def _one_winner(responses) -> dict:
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [409] * (len(responses) - 1), [(r.status_code, r.text[:200]) for r in responses]
    for r in responses:
        if r.status_code == 409:
            assert r.headers["content-type"].startswith("application/problem+json") and "reload" in r.json()["hint"]
    return next(r.json() for r in responses if r.status_code == 200)


def test_reviewers_editing_one_invoice_at_once_get_a_conflict_not_an_overwrite(client: TestClient) -> None:
    """Found: both writers passed the version check, the loser's UPDATE … WHERE version matched no row and
    SQLAlchemy's StaleDataError came out as a 500."""
    up = make_key(client, "uploader")
    reviewers = [make_key(client, "reviewer") for _ in range(WRITERS)]
    doc = client.post("/api/v1/documents", headers=up, files=[("files", ("a.pdf", PDF, "application/pdf"))]).json()
    wait_done(client, doc["documents"][0]["id"], up)
    (inv,) = client.get("/api/v1/invoices", headers=reviewers[0]).json()["invoices"]
    version = inv["version"]
    for rnd in range(ROUNDS):
        values = [f"{rnd}{i}号订单" for i in range(WRITERS)]
        responses = _race(
            [
                lambda h=h, v=v, version=version: client.patch(
                    f"/api/v1/invoices/{inv['id']}", headers=h, json={"version": version, "fields": {"remarks": v}}
                )
                for h, v in zip(reviewers, values, strict=False)
            ]
        )
        won = _one_winner(responses)
        assert won["version"] == version + 1
        now = client.get(f"/api/v1/invoices/{inv['id']}", headers=reviewers[0]).json()
        assert now["invoice"]["remarks"] == won["invoice"]["remarks"] and now["version"] == version + 1
        version = now["version"]
    # Confirm and reject at once: one decision stands, audited once.
    responses = _race(
        [
            lambda h=h, a=a: client.post(f"/api/v1/invoices/{inv['id']}/{a}", headers=h, json={"version": version})
            for h, a in zip(reviewers, ["confirm", "reject", "confirm", "reject"], strict=False)
        ]
    )
    # The decision that won stands. The other reviewer who sent the same decision is answered as a repeat
    # (idempotent: 200, nothing changed) when the winner had committed, else with a conflict; the opposite
    # decisions always get a conflict.
    sent = ["confirmed", "rejected", "confirmed", "rejected"]
    decided = {r.json()["review"] for r in responses if r.status_code == 200}
    assert len(decided) == 1, [(r.status_code, r.text[:200]) for r in responses]
    (won_review,) = decided
    for d, r in zip(sent, responses, strict=True):
        assert r.status_code in ({200, 409} if d == won_review else {409}), (d, r.status_code)
    won = {"review": won_review}
    with session_scope(client.app.state.ctx.sessions) as s:
        edits = s.scalars(select(AuditEntry).where(AuditEntry.action == "edit")).all()
        decisions = s.scalars(select(AuditEntry).where(AuditEntry.field == "review")).all()
        assert len(edits) == ROUNDS and len(decisions) == 1 and decisions[0].new == won["review"]


def _draft(client: TestClient, rv: dict, up: dict, number: str) -> dict:
    doc = client.post(
        "/api/v1/documents?batch=c",
        headers=up,
        files=[("files", (f"{number}.xml", xml(number, "100.00", "6.00"), "application/xml"))],
    ).json()
    assert wait_done(client, doc["documents"][0]["id"], up)["status"] == "done"
    assert client.post("/api/v1/reconciliations", headers=rv, json={"batch": "c"}).status_code == 201
    (draft,) = [d for d in client.get("/api/v1/drafts", headers=rv).json()["drafts"] if d["invoice_number"] == number]
    return draft


def test_reviewers_editing_one_draft_at_once_get_a_conflict_not_an_overwrite(client: TestClient) -> None:
    up = make_key(client, "uploader")
    reviewers = [make_key(client, "reviewer") for _ in range(WRITERS)]
    draft = _draft(client, reviewers[0], up, "24330000000000000001")
    version = draft["version"]
    for rnd in range(ROUNDS):
        responses = _race(
            [
                lambda h=h, i=i, rnd=rnd, version=version: client.patch(
                    f"/api/v1/drafts/{draft['id']}",
                    headers=h,
                    json={"version": version, "fields": {"remarks": f"{rnd}-{i}"}},
                )
                for i, h in enumerate(reviewers)
            ]
        )
        won = _one_winner(responses)
        now = client.get(f"/api/v1/drafts/{draft['id']}", headers=reviewers[0]).json()
        assert now["payload"]["remarks"] == won["payload"]["remarks"] and now["version"] == version + 1
        version = now["version"]
    responses = _race(
        [
            lambda h=h, a=a: client.post(f"/api/v1/drafts/{draft['id']}/{a}", headers=h, json={"version": version})
            for h, a in zip(reviewers, ["confirm", "discard", "confirm", "discard"], strict=False)
        ]
    )
    won = _one_winner(responses)
    history = client.get(f"/api/v1/drafts/{draft['id']}", headers=reviewers[0]).json()["history"]
    assert [h["to"] for h in history] == ["draft"] * (ROUNDS + 1) + [won["state"]]


def test_reconciliations_at_the_same_moment_create_one_draft_per_missing_invoice(client: TestClient) -> None:
    """Found: each run checked for an open draft, found none, and inserted one — two runs at once gave every
    missing invoice two open drafts."""
    up = make_key(client, "uploader")
    reviewers = [make_key(client, "reviewer") for _ in range(WRITERS)]
    numbers = [f"2434000000000000{i:04d}" for i in range(1, 13)]
    docs = client.post(
        "/api/v1/documents?batch=r",
        headers=up,
        files=[("files", (f"{n}.xml", xml(n, "10.00", "0.60"), "application/xml")) for n in numbers],
    ).json()["documents"]
    for d in docs:
        assert wait_done(client, d["id"], up)["status"] == "done"
    for _ in range(2):
        responses = _race(
            [lambda h=h: client.post("/api/v1/reconciliations", headers=h, json={"batch": "r"}) for h in reviewers]
        )
        assert [r.status_code for r in responses] == [201] * WRITERS, [r.text[:300] for r in responses]
        assert sum(r.json()["drafts_created"] for r in responses) in (0, len(numbers))
    with session_scope(client.app.state.ctx.sessions) as s:
        per_key = Counter(s.scalars(select(Draft.invoice_key)))
    assert sorted(per_key) == numbers and set(per_key.values()) == {1}


TAX_IDS = [f"9144030019220382{i:02d}" for i in range(6)]
HEADERS = "数电票号码,销方识别号,销方名称,购方识别号,购买方名称,开票日期,金额,税额,价税合计,发票状态"


def _export(writer: int, shared: bool) -> tuple[bytes, list[tuple[str, str]]]:
    """40 records — 30 in every writer's file and 10 in this one alone, or (``shared=False``) 40 of its own —
    of the same parties under a few names, and the (name, tax ID) pairs it teaches the party master."""
    rows, pairs = [], []
    numbers = (
        list(range(30)) + [100 + writer * 10 + j for j in range(10)]
        if shared
        else [1000 + writer * 100 + j for j in range(40)]
    )
    for i in numbers:
        seller = TAX_IDS[i % len(TAX_IDS)]
        seller_name = f"深圳某某{i % len(TAX_IDS)}号贸易有限公司" + ("" if (i + writer) % 3 else "（深圳）")
        buyer_name = "思星顺生物技术集团有限公司"
        rows.append(
            f"2435{i:016d},{seller},{seller_name},91330106273175535K,{buyer_name},2024-03-08,"
            f"{100 + writer}.00,6.00,{106 + writer}.00,正常"
        )
        pairs += [(seller_name, seller), (buyer_name, "91330106273175535K")]
    return ("\ufeff" + "\n".join([HEADERS, *rows]) + "\n").encode(), pairs


def test_concurrent_records_imports_keep_every_row_and_every_party_count(client: TestClient) -> None:
    """Found: two imports read a party name's count, both added theirs and wrote it back, and one count was
    lost (PostgreSQL); deadlocks between overlapping inserts were not retried."""
    reviewers = [make_key(client, "reviewer") for _ in range(WRITERS)]
    expected: Counter = Counter()
    # Shared records (inserted, then updated), then records of their own: only the parties are shared.
    for rnd, shared in enumerate([True, True, False]):
        exports = [_export(w, shared) for w in range(WRITERS)]
        responses = _race(
            [
                lambda h=h, body=export[0], w=w: client.post(
                    "/api/v1/records/imports", headers=h, files={"file": (f"ledger-{w}.csv", body, "text/csv")}
                )
                for w, (h, export) in enumerate(zip(reviewers, exports, strict=True))
            ]
        )
        assert [r.status_code for r in responses] == [201] * WRITERS, [r.text[:300] for r in responses]
        runs = [r.json() for r in responses]
        assert all(r["rows_read"] == 40 and r["bad_rows"] == 0 for r in runs)
        assert all(r["inserted"] + r["updated"] + r["unchanged"] == 40 for r in runs)
        assert sum(r["inserted"] for r in runs) == [30 + 10 * WRITERS, 0, 40 * WRITERS][rnd]  # each key inserted once
        expected += Counter(p for _, pairs in exports for p in pairs)
    with session_scope(client.app.state.ctx.sessions) as s:
        assert s.scalar(select(func.count()).select_from(SystemRecord)) == 30 + 10 * WRITERS + 40 * WRITERS
        assert s.scalar(select(func.count()).select_from(ImportRun)) == 3 * WRITERS
        seen = Counter({(n.name, p.tax_id): n.seen for p in s.scalars(select(Party)) for n in p.names})
        assert seen == expected  # no count lost, no name lost, no party twice
        assert s.scalar(select(func.count()).select_from(Party)) == len(TAX_IDS) + 1
        for party in s.scalars(select(Party)):
            names = s.scalars(select(PartyName).where(PartyName.party_id == party.id)).all()
            assert party.canonical_name == max(names, key=lambda n: (n.seen, -n.id)).name
