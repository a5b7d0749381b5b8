"""A reconciliation cut off half-way (the database connection lost while its lines are being written) leaves
nothing behind — no run, no draft — and running it again, and again, creates each missing invoice's draft
exactly once; a back-fill cut off while reconciling finishes once after a restart; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from fapiao.service.reconciliation import Scope, run_reconciliation
from fapiao.storage.db import session_scope
from fapiao.storage.matching_tables import Draft, ReconciliationItem, ReconciliationRun
from tests.helpers.service import wait_done, xml
from tests.service.conftest import make_key


def test_an_interrupted_reconciliation_leaves_nothing_and_reruns_create_drafts_once(client: TestClient) -> None:
    up = make_key(client, "uploader")
    numbers = [f"2438000000000000{i:04d}" for i in range(1, 9)]
    docs = client.post(
        "/api/v1/documents?batch=x",
        headers=up,
        files=[("files", (f"{n}.xml", xml(n, "20.00", "1.20"), "application/xml")) for n in numbers],
    ).json()["documents"]
    for d in docs:
        assert wait_done(client, d["id"], up)["status"] == "done"
    ctx = client.app.state.ctx
    written = []

    def lose_connection(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO RECONCILIATION_ITEMS"):
            written.append(statement)
            if len(written) == 3:  # a few lines in: the server goes away
                raise OperationalError(statement, parameters, ConnectionResetError("server closed the connection"))

    event.listen(ctx.engine, "before_cursor_execute", lose_connection)
    try:
        with pytest.raises(OperationalError):
            run_reconciliation(ctx, Scope(batch="x"), actor="test")
    finally:
        event.remove(ctx.engine, "before_cursor_execute", lose_connection)
    assert len(written) == 3
    with session_scope(ctx.sessions) as s:  # one transaction: all of it or nothing
        for table in (ReconciliationRun, ReconciliationItem, Draft):
            assert s.scalar(select(func.count()).select_from(table)) == 0, table.__tablename__
    first = run_reconciliation(ctx, Scope(batch="x"), actor="test")
    second = run_reconciliation(ctx, Scope(batch="x"), actor="test")
    assert (first["drafts_created"], second["drafts_created"]) == (len(numbers), 0)
    with session_scope(ctx.sessions) as s:
        assert Counter(s.scalars(select(Draft.invoice_key))) == Counter(numbers)
        assert s.scalar(select(func.count()).select_from(ReconciliationRun)) == 2


def test_a_backfill_cut_off_while_reconciling_finishes_once_after_a_restart(settings) -> None:
    """The state a crash leaves when it hits after the back-fill's reconciliation committed but before the
    back-fill was marked done: at the next start it is reconciled again — its drafts are not doubled, and it
    ends done with its outputs."""
    import io
    import zipfile

    from sqlalchemy import update

    from fapiao.api.app import create_app
    from fapiao.storage.backfill_tables import Backfill
    from tests.helpers.service import wait_backfill

    numbers = [f"2439100000000000{i:04d}" for i in range(1, 6)]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n in numbers:
            zf.writestr(f"{n}.xml", xml(n, "30.00", "1.80"))
    with TestClient(create_app(settings)) as client:
        rv = make_key(client, "reviewer")
        resp = client.post(
            "/api/v1/backfills", headers=rv, files={"archive": ("b.zip", buf.getvalue(), "application/zip")}
        )
        body = wait_backfill(client, rv, resp.json()["id"])
        assert body["status"] == "done" and body["categories"]["missing_in_system"] == len(numbers)
        with session_scope(client.app.state.ctx.sessions) as s:
            s.execute(
                update(Backfill)
                .where(Backfill.id == body["id"])
                .values(status="reconciling", outputs=None, reconciliation_run_id=None, finished_at=None)
            )
    with TestClient(create_app(settings)) as client:  # the restart
        rv = make_key(client, "reviewer")
        again = wait_backfill(client, rv, body["id"])
        assert again["status"] == "done" and {o["name"] for o in again["outputs"]} == {
            "reconciliation.xlsx",
            "drafts.xlsx",
            "log.jsonl",
        }
        assert again["categories"]["missing_in_system"] == len(numbers)
        with session_scope(client.app.state.ctx.sessions) as s:
            assert Counter(s.scalars(select(Draft.invoice_key))) == Counter(numbers)  # once each, not twice
            assert s.scalar(select(func.count()).select_from(ReconciliationRun)) == 2
