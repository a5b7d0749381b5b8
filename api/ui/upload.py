"""The upload page: drag and drop several files (optionally under a batch name), then follow each document's
job until it is done. Files go through the same ``accept_uploads`` as ``POST /api/v1/documents`` (stored
and queued before the answer)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from starlette.responses import Response

from fapiao.api.deps import Ctx
from fapiao.api.problems import ApiError
from fapiao.api.routes.documents import accept_uploads, may_see
from fapiao.api.ui.auth import UiRoute, UiUploader
from fapiao.api.ui.i18n import Translator, pick_lang
from fapiao.api.ui.render import page
from fapiao.storage.db import session_scope
from fapiao.storage.service_tables import Document

router = APIRouter(route_class=UiRoute)


@router.get("/upload")
def upload_page(request: Request, _: UiUploader) -> Response:
    return page(request, "upload.html")


@router.post("/upload")
async def upload(
    request: Request,
    ctx: Ctx,
    key: UiUploader,
    files: Annotated[list[UploadFile], File(description="invoice files")],
    batch: Annotated[str, Form(max_length=64)] = "",
) -> dict:
    name = batch.strip() or None
    t = Translator(pick_lang(request))
    docs = await accept_uploads(request, ctx, files, name, key)
    for d in docs:
        if d.get("error"):
            d["error"] = t.message(d["error"], d.get("error_code"), d.get("error_params"))
    return {"documents": docs, "batch": name}


@router.get("/documents/{doc_id}")
def document_status(request: Request, doc_id: str, ctx: Ctx, key: UiUploader) -> dict:
    """Just what the upload page shows: the job's state and the invoices found, with their ids (an uploader's
    own documents only)."""
    with session_scope(ctx.sessions) as s:
        doc = s.get(Document, doc_id[:64])
        if doc is None or not may_see(s, key, doc.id):
            raise ApiError(404, f"no document {doc_id}", "upload it again from the upload page")
        return {
            "id": doc.id,
            "status": doc.status,
            "error": Translator(pick_lang(request)).message(doc.error, doc.error_code, doc.error_params) or None,
            "filename": doc.filename,
            "invoices": [{"id": i.id, "status": i.status, "invoice_number": i.invoice_number} for i in doc.invoices],
        }
