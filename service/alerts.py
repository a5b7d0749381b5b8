"""Problems someone should hear about, computed from the database whenever asked (so they are never stale):

- ``duplicate``: the same invoice (code + number, or 数电 number) read from two or more documents;
- ``stuck_review``: an invoice waiting in needs-review longer than ``FAPIAO_ALERT_REVIEW_HOURS``;
- ``draft_unseen``: a draft exported for back-entry, but a records import made after that export still does
  not contain the invoice (the back-entry did not happen, or went in wrong);
- ``signature_broken``: an invoice whose issuer's signature does not match its file, or whose file is damaged
  (until a reviewer rejects it);
- ``import_failed``: the newest import of a records source failed; ``import_stale``: the newest records import
  is older than ``FAPIAO_ALERT_IMPORT_MAX_AGE_HOURS`` (or there is none while invoices arrive).

They are listed by the API and the UI, counted in /metrics, and — with ``FAPIAO_ALERT_WEBHOOK_URL`` — each new
one is POSTed once to that URL by a background notifier."""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fapiao.core.labels import shown_key
from fapiao.core.models import Status
from fapiao.core.states import DraftState, ReviewState
from fapiao.service.context import ServiceContext
from fapiao.service.periodic import Periodic
from fapiao.service.queries import SIGNATURE_STATES, has_finding
from fapiao.storage.db import session_scope
from fapiao.storage.matching_tables import Draft, DraftTransition, ImportRun
from fapiao.storage.service_tables import AlertNotification, Document, ExtractedInvoice, utcnow

log = logging.getLogger(__name__)
KINDS = ("duplicate", "stuck_review", "draft_unseen", "signature_broken", "import_failed", "import_stale")


@dataclass(frozen=True)
class Alert:
    kind: str
    key: str
    """Stable identity: the same problem has the same key at every check (posted once)."""
    severity: str
    message: str
    message_zh: str
    since: str | None = None
    links: dict = field(default_factory=dict)
    detail: dict = field(default_factory=dict)


def _aware(t: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives naive datetimes back (stored as UTC); PostgreSQL aware ones."""
    return None if t is None else t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t


def current(ctx: ServiceContext, now: dt.datetime | None = None) -> list[Alert]:
    now = now or dt.datetime.now(dt.UTC)
    st = ctx.settings
    with session_scope(ctx.sessions) as s:
        return [
            *_duplicates(s),
            *_stuck(s, now, st.alert_review_hours),
            *_drafts_unseen(s),
            *_signatures_broken(s),
            *_imports(s, now, st.alert_import_max_age_hours),
        ]


def _duplicates(s: Session) -> list[Alert]:
    t = ExtractedInvoice
    keys = (
        select(t.invoice_key)
        .where(t.invoice_key.is_not(None), t.review != ReviewState.rejected)
        .group_by(t.invoice_key)
        .having(func.count(func.distinct(t.document_id)) > 1)
    )
    rows = s.execute(
        select(t.invoice_key, t.id, t.document_id, Document.filename, Document.created_at)
        .join(Document, Document.id == t.document_id)
        .where(t.invoice_key.in_(keys))
        .order_by(t.invoice_key, Document.created_at)
    ).all()
    by_key: dict[str, list] = {}
    for r in rows:
        by_key.setdefault(r.invoice_key, []).append(r)
    out = []
    for key, docs in by_key.items():
        names = ", ".join(d.filename for d in docs)
        out.append(
            Alert(
                "duplicate",
                f"duplicate:{key}",
                "error",
                f"invoice {shown_key(key)} was submitted {len(docs)} times: {names}; book it once",
                f"发票 {shown_key(key)} 被提交了 {len(docs)} 次：{names}，请只入账一次",
                since=_aware(docs[1].created_at).isoformat(),
                links={"invoices": [f"/ui/invoices/{d.id}" for d in docs]},
                detail={"documents": [{"id": d.document_id, "filename": d.filename, "invoice_id": d.id} for d in docs]},
            )
        )
    return out


def _stuck(s: Session, now: dt.datetime, hours: float) -> list[Alert]:
    t = ExtractedInvoice
    cutoff = now - dt.timedelta(hours=hours)
    rows = s.execute(
        select(t.id, t.invoice_number, t.seller_name, t.created_at)
        .where(t.status == Status.needs_review, t.review == ReviewState.pending, t.created_at < cutoff)
        .order_by(t.created_at)
    ).all()
    return [
        Alert(
            "stuck_review",
            f"stuck_review:{r.id}",
            "warning",
            f"invoice {r.invoice_number or '#' + str(r.id)} ({r.seller_name or 'unknown seller'}) has waited for "
            f"review since {_aware(r.created_at):%Y-%m-%d %H:%M} UTC (over {hours:g} h)",
            f"发票 {r.invoice_number or '#' + str(r.id)}（{r.seller_name or '销售方未知'}）自 "
            f"{_aware(r.created_at):%Y-%m-%d %H:%M}（UTC）起等待复核，已超过 {hours:g} 小时",
            since=_aware(r.created_at).isoformat(),
            links={"invoice": f"/ui/invoices/{r.id}"},
        )
        for r in rows
    ]


def _drafts_unseen(s: Session) -> list[Alert]:
    latest = s.scalar(select(func.max(ImportRun.started_at)).where(ImportRun.error.is_(None)))
    if latest is None:
        return []
    exported_at = (
        select(DraftTransition.draft_id, func.max(DraftTransition.at).label("at"))
        .where(DraftTransition.to_state == DraftState.exported)
        .group_by(DraftTransition.draft_id)
        .subquery()
    )
    rows = s.execute(
        select(Draft.id, Draft.invoice_key, exported_at.c.at)
        .join(exported_at, exported_at.c.draft_id == Draft.id)
        .where(Draft.state == DraftState.exported, exported_at.c.at < latest)
    ).all()
    return [
        Alert(
            "draft_unseen",
            f"draft_unseen:{r.id}",
            "warning",
            f"draft {r.id} (invoice {shown_key(r.invoice_key)}) was exported on {_aware(r.at):%Y-%m-%d}, "
            f"but the records import of {_aware(latest):%Y-%m-%d %H:%M} still does not contain it; "
            "check the back-entry",
            f"补录草稿 {r.id}（发票 {shown_key(r.invoice_key)}）已于 {_aware(r.at):%Y-%m-%d} 导出，但 "
            f"{_aware(latest):%Y-%m-%d %H:%M} 的系统记录导入中仍没有该发票，请核查补录",
            since=_aware(r.at).isoformat(),
            links={"draft": f"/ui/drafts/{r.id}"},
        )
        for r in rows
    ]


def _signatures_broken(s: Session) -> list[Alert]:
    t = ExtractedInvoice
    rows = s.execute(
        select(t.id, t.invoice_number, t.seller_name, t.created_at, Document.filename)
        .join(Document, Document.id == t.document_id)
        .where(has_finding(*SIGNATURE_STATES["broken"]), t.review != ReviewState.rejected)
        .order_by(t.created_at)
    ).all()
    return [
        Alert(
            "signature_broken",
            f"signature_broken:{r.id}",
            "error",
            f"invoice {r.invoice_number or '#' + str(r.id)} ({r.seller_name or 'unknown seller'}) in {r.filename}: "
            "the issuer's digital signature does not match the file, or the file is damaged; do not book it before "
            "the seller sends the original file",
            f"发票 {r.invoice_number or '#' + str(r.id)}（{r.seller_name or '销售方未知'}，{r.filename}）："
            "开票方数字签名与文件不符或文件已损坏；在销售方提供原始文件前请勿入账",
            since=at.isoformat() if (at := _aware(r.created_at)) else None,
            links={"invoice": f"/ui/invoices/{r.id}"},
        )
        for r in rows
    ]


def _imports(s: Session, now: dt.datetime, max_age_hours: float) -> list[Alert]:
    out = []
    newest_per_source = (
        select(ImportRun.source_name, func.max(ImportRun.id).label("id")).group_by(ImportRun.source_name).subquery()
    )
    for run in s.scalars(select(ImportRun).join(newest_per_source, newest_per_source.c.id == ImportRun.id)):
        if run.error:
            out.append(
                Alert(
                    "import_failed",
                    f"import_failed:{run.id}",
                    "error",
                    f"the newest import of {run.source_name} failed: {run.error}",
                    f"{run.source_name} 的最近一次导入失败：{run.error}",
                    since=_aware(run.started_at).isoformat(),
                    links={"records": "/ui/records"},
                )
            )
    latest = _aware(s.scalar(select(func.max(ImportRun.started_at)).where(ImportRun.error.is_(None))))
    if latest is None:
        if s.scalar(select(func.count()).select_from(ExtractedInvoice)):
            out.append(
                Alert(
                    "import_stale",
                    "import_stale:never",
                    "warning",
                    "no records export has been imported: nothing can be reconciled",
                    "尚未导入任何系统记录，无法对账",
                    links={"records": "/ui/records"},
                )
            )
    elif now - latest > dt.timedelta(hours=max_age_hours):
        age = (now - latest).total_seconds() / 3600
        out.append(
            Alert(
                "import_stale",
                f"import_stale:{latest.isoformat()}",
                "warning",
                f"the newest records import is {age:.0f} h old (from {latest:%Y-%m-%d %H:%M} UTC); import "
                "the current export",
                f"最近一次系统记录导入已过去 {age:.0f} 小时（{latest:%Y-%m-%d %H:%M} UTC），请导入最新导出",
                since=latest.isoformat(),
                links={"records": "/ui/records"},
            )
        )
    return out


def counts(alerts: list[Alert]) -> dict[str, int]:
    return {k: sum(a.kind == k for a in alerts) for k in KINDS}


def as_json(a: Alert) -> dict:
    return asdict(a)


# -- webhook -----------------------------------------------------------------------------------------------


def notify_new(ctx: ServiceContext, url: str, timeout: float = 10.0) -> int:
    """POST the alerts not posted before; they are remembered only after the receiver answered 2xx."""
    alerts = current(ctx)
    with session_scope(ctx.sessions) as s:
        posted = set(s.scalars(select(AlertNotification.key)))
    new = [a for a in alerts if a.key not in posted]
    if not new:
        return 0
    body = json.dumps({"alerts": [as_json(a) for a in new]}, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "fapiao"},
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - the operator's own URL
            if not 200 <= resp.status < 300:
                raise urllib.error.HTTPError(url, resp.status, "not 2xx", resp.headers, None)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        log.warning("alert webhook %s: %s; will retry", _safe(url), exc)
        return 0
    with session_scope(ctx.sessions) as s:
        for a in new:
            s.merge(AlertNotification(key=a.key[:160], kind=a.kind, posted_at=utcnow()))
    return len(new)


def _safe(url: str) -> str:
    """The URL without credentials or query (which may hold a token) for the log."""
    from urllib.parse import urlsplit

    p = urlsplit(url)
    return f"{p.scheme}://{p.hostname or ''}{f':{p.port}' if p.port else ''}{p.path}"


def notifier(ctx: ServiceContext) -> Periodic | None:
    """The service's background poster of new alerts; None when no webhook is configured."""
    url = ctx.settings.alert_webhook_url
    if not url:
        return None
    return Periodic("fapiao-alerts", ctx.settings.alert_interval_minutes * 60, lambda: notify_new(ctx, url))
