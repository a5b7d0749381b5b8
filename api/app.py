"""The HTTP service: assembles the routers and starts the job executor and the drop folder.

`create_app(settings)` is all a deployment or a test needs; everything else comes through `fapiao.api.deps`.
"""

from __future__ import annotations

import threading
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

import fapiao
from fapiao.api import problems
from fapiao.api.body_guard import BodyGuard
from fapiao.api.routes import backfills, documents, drafts, health, invoices, reconciliations, records, search, stats
from fapiao.api.ui import routes as ui
from fapiao.core.settings import Settings, get_settings
from fapiao.service.alerts import notifier as alert_notifier
from fapiao.service.backfills import resume as resume_backfills
from fapiao.service.dropfolder import DropFolder
from fapiao.service.executor import LocalExecutor
from fapiao.service.runtime import start_service
from fapiao.service.search import searcher


def create_app(settings: Settings | None = None, *, background: bool = True) -> FastAPI:
    """``background=False`` starts no executor or drop folder (for a web-only process beside workers)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        ctx = start_service(settings)
        app.state.ctx = ctx
        executor = drop = None
        if settings.broker_url:
            from fapiao.service.celery_app import dispatch_remote, resend_at_start

            app.state.dispatch = lambda doc_id: dispatch_remote(settings, doc_id)
            if background:  # jobs committed `queued` whose send was lost (crash, or Redis refused it) go out again
                threading.Thread(
                    target=resend_at_start, args=(ctx, settings), name="fapiao-resend", daemon=True
                ).start()
        else:
            executor = LocalExecutor(ctx, threads=settings.workers)
            app.state.dispatch = lambda _doc_id: executor.notify()
            if background:
                executor.start()
        if background:  # back-fills cut off by a crash or restart carry on
            app.state.backfill_threads = resume_backfills(ctx, app.state.dispatch)
        if background:  # load the search index now, not in the first reviewer's search (a million records: ~30 s)
            threading.Thread(target=searcher(ctx).refresh, name="fapiao-search-warmup", daemon=True).start()
        notifier = alert_notifier(ctx) if background else None
        if notifier:
            notifier.start()
        if background and settings.drop_folder:
            drop = DropFolder(ctx, settings.data_dir, on_accept=lambda a: app.state.dispatch(a.id))
            drop.start()
        try:
            yield
        finally:
            if notifier:
                notifier.stop()
            if drop:
                drop.stop()
            if executor:
                executor.stop()
            ctx.close()

    app = FastAPI(
        title="fapiao",
        version=fapiao.__version__,
        lifespan=lifespan,
        description="Read, verify and reconcile Chinese VAT invoices (发票). Authenticate with "
        "`Authorization: Bearer <key>` (create keys with `fapiao keys create --role …`).",
    )
    problems.install(app)
    app.add_middleware(BodyGuard)  # before any body is read: the key, then the size
    app.include_router(health.router)
    app.include_router(documents.router)
    app.include_router(invoices.router)
    app.include_router(records.router)
    app.include_router(reconciliations.router)
    app.include_router(drafts.router)
    app.include_router(backfills.router)
    app.include_router(search.router)
    app.include_router(stats.router)
    app.include_router(ui.router)
    app.mount("/ui/static", StaticFiles(directory=ui.STATIC_DIR), name="ui-static")
    return app
