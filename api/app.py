"""The HTTP service. For now: health and synchronous extraction over the same pipeline as the CLI."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, File, UploadFile
from fastapi.concurrency import run_in_threadpool

from intake.pipeline import Pipeline


def create_app() -> FastAPI:
    app = FastAPI(title="fapiao", version="0.1.0", description="Read, verify and reconcile Chinese VAT invoices (发票).")
    pipeline = Pipeline()

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok"}

    @app.post("/api/v1/extract")
    async def extract(files: Annotated[list[UploadFile], File(description="Invoice files (PDF, image, OFD, XML)")]) -> dict:
        """Read the uploaded files now and return one object per invoice, as `fapiao extract --json` prints."""
        out = []
        for f in files:
            data = await f.read()
            results = await run_in_threadpool(pipeline.process_bytes, data, f.filename or "upload")
            out += [r.to_contract() for r in results]
        return {"invoices": out}

    return app
