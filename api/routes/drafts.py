"""Back-entry (补录) drafts: list, read, edit, confirm / discard / reopen, and export the confirmed ones in the
system's import layout."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from fapiao.api.deps import Ctx, PageNo, PageSize, Reviewer
from fapiao.api.models.drafts import DraftDetail, DraftPage
from fapiao.api.routing import api_router
from fapiao.core.states import DraftState
from fapiao.service.drafts import EXPORT_FORMATS, edit_draft, export_drafts, get_draft, list_drafts, move_draft

router = api_router("/api/v1/drafts", "drafts")

DraftId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Draft id")]


class DraftEdit(BaseModel):
    version: int = Field(ge=1, le=2**31 - 1, description="the version you read (optimistic locking)")
    fields: dict[str, Any] = Field(max_length=50, description="field → new value (amounts as strings)")


class DraftAction(BaseModel):
    version: int = Field(ge=1, le=2**31 - 1)
    note: str | None = Field(default=None, max_length=2000)
    override: str | None = Field(
        default=None, max_length=2000, description="confirm over open errors: the reason (audited)"
    )


class ExportRequest(BaseModel):
    format: Literal["xlsx", "json"] = "xlsx"
    ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] | None = Field(
        default=None, max_length=10_000, description="only these drafts"
    )
    include_exported: bool = Field(default=False, description="add drafts exported before (they keep their state)")
    layout: str | None = Field(
        default=None,
        max_length=512,
        description="whose layout the workbook takes: tax_bureau, or a records source by file name "
        "(its headers and its own status words); default: the newest records import's",
    )


@router.get("", summary="Drafts (open ones first)", response_model=DraftPage)
def drafts(
    ctx: Ctx,
    _: Reviewer,
    state: DraftState | None = None,
    q: Annotated[str | None, Query(max_length=200, description="number or source file contains")] = None,
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    total, rows = list_drafts(ctx, state, q, page, size)
    return {"total": total, "page": page, "size": size, "drafts": rows}


@router.get("/{draft_id}", summary="One draft with every field and its history", response_model=DraftDetail)
def draft(draft_id: DraftId, ctx: Ctx, _: Reviewer) -> dict:
    return get_draft(ctx, draft_id)


@router.patch(
    "/{draft_id}", summary="Edit fields of an unconfirmed draft (the rules run again)", response_model=DraftDetail
)
async def edit(draft_id: DraftId, body: DraftEdit, request: Request, ctx: Ctx, _: Reviewer) -> dict:
    return await run_in_threadpool(edit_draft, ctx, draft_id, body.version, body.fields, request.state.actor)


def _action(to_state: DraftState):
    async def act(draft_id: DraftId, body: DraftAction, request: Request, ctx: Ctx, _: Reviewer) -> dict:
        return await run_in_threadpool(
            move_draft, ctx, draft_id, body.version, to_state, request.state.actor, body.note, body.override
        )

    return act


router.post("/{draft_id}/confirm", summary="Confirm a draft for export", response_model=DraftDetail)(
    _action(DraftState.confirmed)
)
router.post(
    "/{draft_id}/discard", summary="Discard a draft (the invoice will not be back-entered)", response_model=DraftDetail
)(_action(DraftState.discarded))
router.post("/{draft_id}/reopen", summary="Reopen a confirmed draft for editing", response_model=DraftDetail)(
    _action(DraftState.draft)
)


@router.post(
    "/export",
    summary="Export confirmed drafts in the layout of the newest records import; they become exported",
    response_class=Response,
    responses={200: {"content": {t: {} for t in EXPORT_FORMATS.values()}}},
)
async def export(body: ExportRequest, request: Request, ctx: Ctx, _: Reviewer) -> Response:
    out = await run_in_threadpool(
        export_drafts, ctx, body.format, request.state.actor, body.ids, body.include_exported, body.layout
    )
    return Response(
        out.content,
        media_type=out.media_type,
        headers={"Content-Disposition": f'attachment; filename="{out.filename}"', "X-Drafts-Exported": str(out.drafts)},
    )
