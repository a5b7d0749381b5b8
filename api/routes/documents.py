"""Uploading documents and following their jobs."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import File, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select

from fapiao.api.deps import Ctx, PageNo, PageSize, Reviewer, Uploader
from fapiao.api.models.documents import DocumentDetail, DocumentPage, RefusedFile, Uploaded
from fapiao.api.problems import ApiError, ValidationProblem, problem, problem_response
from fapiao.api.routing import api_router
from fapiao.core.errors import FapiaoError, LimitExceeded, UnsupportedFormat
from fapiao.core.messages import coded
from fapiao.core.models import Status
from fapiao.service.context import ServiceContext
from fapiao.service.documents import accept, owned_by
from fapiao.service.keys import allows
from fapiao.service.queries import in_batch
from fapiao.storage.db import page_of, session_scope
from fapiao.storage.service_tables import ApiKey, Document, DocumentUploader

_REFUSAL_STATUS = {UnsupportedFormat.code: 415, LimitExceeded.code: 413}
"""When every file of an upload is refused for the same reason, the answer's status says which."""
_REFUSAL_TITLE = {415: "unsupported media type", 413: "too large"}

router = api_router("/api/v1/documents", "documents")


class UploadRefused(ValidationProblem):
    """An upload refused: when it held files and none could be accepted, ``documents`` lists each with why."""

    documents: list[RefusedFile] | None = None


_REFUSED: dict[int | str, dict[str, Any]] = {
    status: problem_response(description, UploadRefused)
    for status, description in (
        (400, "Bad request"),
        (413, "Too large (every file, or the request)"),
        (415, "Unsupported file type (every file)"),
        (422, "Invalid request, or no file could be accepted"),
    )
}


@router.post(
    "",
    status_code=202,
    summary="Upload one or more documents (multipart field `files`)",
    response_model=Uploaded,
    responses=_REFUSED,
)
async def upload(
    request: Request,
    ctx: Ctx,
    files: Annotated[list[UploadFile], File(description="PDF, image, OFD or invoice XML files")],
    key: Uploader,
    batch: Annotated[str | None, Query(max_length=64)] = None,
) -> dict | JSONResponse:
    """Each file's original is stored and its job recorded before this answers 202. The same content uploaded
    again returns the same document id. Files that cannot be accepted are listed with an error."""
    out = await accept_uploads(request, ctx, files, batch, key)
    if not any(d["id"] for d in out):
        codes = {d["code"] for d in out}
        status = _REFUSAL_STATUS.get(codes.pop(), 422) if len(codes) == 1 else 422 if out else 400
        return problem(
            status,
            _REFUSAL_TITLE.get(status, "invalid request"),
            "no file could be accepted: " + "; ".join(d["error"] for d in out),
            "upload PDF, JPEG, PNG, TIFF, BMP, WebP, OFD or invoice XML files within the size limit",
            documents=out,
        )
    return {"documents": out}


@router.get(
    "/{doc_id}",
    summary="A document's job status and the invoices read from it (uploaders: their own)",
    response_model=DocumentDetail,
)
def get_document(doc_id: str, ctx: Ctx, key: Uploader) -> dict:
    with session_scope(ctx.sessions) as s:
        doc = s.get(Document, doc_id)
        if doc is None or not may_see(s, key, doc.id):  # another uploader's document is as if absent
            raise ApiError(404, f"no document {doc_id}", "use the id returned by POST /api/v1/documents")
        return document_view(doc)


@router.get("", summary="Documents, newest first (uploaders: the ones they uploaded)", response_model=DocumentPage)
def list_documents(
    ctx: Ctx,
    key: Uploader,
    status: Annotated[str | None, Query(max_length=16)] = None,
    batch: Annotated[str | None, Query(max_length=64)] = None,
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    with session_scope(ctx.sessions) as s:
        q = select(Document)
        if not allows(key.role, "reviewer"):
            q = q.where(owned_by(key.id))
        if status:
            q = q.where(Document.status == status)
        if batch:
            q = q.where(in_batch(batch))
        total, docs = page_of(s, q, (Document.created_at.desc(),), page, size)
        return {
            "total": total,
            "page": page,
            "size": size,
            "documents": [{k: v for k, v in document_view(d).items() if k != "invoices"} for d in docs],
        }


@router.get(
    "/{doc_id}/original",
    summary="The original file as uploaded",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def original(doc_id: str, ctx: Ctx, _: Reviewer) -> Response:
    with session_scope(ctx.sessions) as s:
        doc = s.get(Document, doc_id)
        if doc is None:
            raise ApiError(404, f"no document {doc_id}", "use the id returned by POST /api/v1/documents")
        sha, name = doc.sha256, doc.filename
    # Served as an attachment with a neutral type: the browser never renders or runs uploaded content.
    return Response(
        ctx.blobs.get(sha),
        media_type="application/octet-stream",
        headers={
            # RFC 6266 / 8187: the stored name travels percent-encoded, so no byte of it (a line break, a quote)
            # can end the header; the plain filename stays the neutral hash
            "Content-Disposition": f"attachment; filename=\"{sha}\"; filename*=UTF-8''{quote(name, safe='')}",
            "X-Content-Type-Options": "nosniff",
            "X-Original-Filename": quote(name, safe=" ._-()[]"),
        },
    )


async def accept_uploads(
    request: Request, ctx: ServiceContext, files: list[UploadFile], batch: str | None, key: ApiKey
) -> list[dict]:
    """Store each file and queue its job (shared with the reviewer UI's upload page); refused files carry an error."""
    out = []
    limit = ctx.settings.max_upload_bytes
    for f in files:
        data = await f.read(limit + 1)
        name = f.filename or "upload"
        try:
            got = await run_in_threadpool(partial(accept, uploader=key.id), ctx, data, name, "api", batch)
        except FapiaoError as exc:
            out.append(
                {
                    "id": None,
                    "sha256": None,
                    "status": Status.rejected,
                    "filename": name,
                    "error": str(exc),
                    "code": exc.code,
                    **coded("error", exc.msg),
                }
            )
            continue
        out.append(
            {"id": got.id, "sha256": got.sha256, "status": got.status, "filename": name, "duplicate": not got.created}
        )
        request.app.state.dispatch(got.id)
    return out


def may_see(s, key: ApiKey, doc_id: str) -> bool:
    """Reviewers and admins see every document; an uploader the ones it uploaded."""
    return allows(key.role, "reviewer") or s.get(DocumentUploader, (doc_id, key.id)) is not None


def document_view(doc: Document) -> dict:
    return {
        "id": doc.id,
        "status": doc.status,
        "error": doc.error,
        "error_code": doc.error_code,
        "error_params": doc.error_params,
        "filename": doc.filename,
        "sha256": doc.sha256,
        "source": doc.source,
        "batch": doc.batch,
        "attempts": doc.attempts,
        "created_at": doc.created_at.isoformat() if doc.created_at else None,
        "finished_at": doc.finished_at.isoformat() if doc.finished_at else None,
        "invoices": [dict(inv.payload, id=inv.id, review=inv.review, version=inv.version) for inv in doc.invoices],
    }
