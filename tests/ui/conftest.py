"""UI tests run the real app on a SQLite file in a temporary data directory (the UI adds no SQL of its own;
the shared queries are exercised on PostgreSQL by tests/service)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fapiao.api.app import create_app
from fapiao.core.settings import Settings

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "examples" / "e_special.pdf"


@pytest.fixture
def ui_settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'fapiao.db'}",
        drop_folder=False,
        ocr=False,
        _env_file=None,
    )


@pytest.fixture
def client(ui_settings: Settings) -> Iterator[TestClient]:
    # https base URL so that the Secure cookie attribute is exercised too.
    with TestClient(create_app(ui_settings), base_url="https://testserver", follow_redirects=False) as c:
        yield c


def new_key(client: TestClient, role: str) -> str:
    from fapiao.service.keys import create_key

    return create_key(client.app.state.ctx, role, f"ui-{role}")


SELLER_ID = "914403001922038216"
TAX_BUREAU_HEADERS = [
    "发票代码",
    "发票号码",
    "数电票号码",
    "销方识别号",
    "销方名称",
    "购方识别号",
    "购买方名称",
    "开票日期",
    "金额",
    "税额",
    "价税合计",
    "发票状态",
    "发票票种",
]


def xml_invoice(number: str, amount: str, tax: str, total: str | None = None, seller_id: str = SELLER_ID) -> bytes:
    """A 数电 XML invoice (read without OCR); ``total`` defaults to amount + tax, a wrong one makes a finding."""
    from decimal import Decimal

    from tests.helpers.service import XML

    total = total or str(Decimal(amount) + Decimal(tax))
    return XML.format(number=number, amount=amount, tax=tax, total=total, seller_id=seller_id).encode()


def records_csv(rows: list[list[str]], headers: list[str] = TAX_BUREAU_HEADERS) -> bytes:
    lines = [",".join(headers)] + [",".join(r) for r in rows]
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def form_values(html: str, form_id: str) -> dict[str, str]:
    """What a browser would submit from the form with ``form_id``: its inputs' values (checked boxes only)
    and each select's selected option (the first when none is marked)."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.inside, self.values, self.select, self.first = False, {}, None, None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "form":
                self.inside = a.get("id") == form_id
            elif not self.inside:
                return
            elif tag == "input" and a.get("name") and a.get("type") not in ("submit", "file"):
                if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                    self.values[a["name"]] = a.get("value") or ""
            elif tag == "select":
                self.select, self.first = a.get("name"), True
            elif tag == "option" and self.select:
                if self.first or "selected" in a:
                    self.values[self.select] = a.get("value") or ""
                self.first = False

        def handle_endtag(self, tag):
            if tag == "form":
                self.inside = False
            elif tag == "select":
                self.select = None

    reader = Reader()
    reader.feed(html)
    assert reader.values, f"no form {form_id!r} with values on the page"
    return reader.values


# -- a real server and a real browser, for every browser test -------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ui"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def live_server(tmp_path: Path):
    """Start the real app on a real uvicorn thread: ``live_server(ocr=...)`` → (base URL, app). Every server
    started is stopped at the end of the test."""
    import socket
    import threading
    import time

    import uvicorn

    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(ocr: bool = False) -> tuple[str, object]:
        settings = Settings(data_dir=tmp_path / f"data{len(servers)}", drop_folder=False, ocr=ocr, _env_file=None)
        app = create_app(settings)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
        thread = threading.Thread(target=srv.run, daemon=True)
        thread.start()
        servers.append((srv, thread))
        deadline = time.monotonic() + 30
        while not srv.started:
            assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
            time.sleep(0.05)
        return f"http://127.0.0.1:{port}", app

    yield start
    for srv, _ in servers:
        srv.should_exit = True
    for _, thread in servers:
        thread.join(timeout=15)


@pytest.fixture
def browser_page():
    """A page of Debian's Chromium (headless) in a zh-CN context, 1440 × 900."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "the UI tests need Chromium at /usr/bin/chromium (.ci/run installs it)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN", accept_downloads=True)
        context.set_default_timeout(15_000)
        yield context.new_page()
        context.close()
        browser.close()


def shot(page, name: str) -> None:
    """Keep a screenshot of this step in test-artifacts/ui/ for a person to look at."""
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def log_in(page, base: str, key: str, path: str = "/ui/") -> None:
    """Log in through the login page the UI sends a stranger to, landing on ``path``."""
    from playwright.sync_api import expect

    page.goto(f"{base}{path}")
    page.get_by_label("API 密钥").fill(key)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{base}{path}")


def api_upload(
    base: str, key: str, files: list[tuple[str, bytes]], batch: str | None = None, timeout: float = 120
) -> list[dict]:
    """Upload through ``POST /api/v1/documents`` and wait until every job is done; the documents as the API
    shows them then."""
    import time

    import httpx

    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60) as api:
        resp = api.post(
            "/api/v1/documents",
            files=[("files", (n, d, "application/octet-stream")) for n, d in files],
            params={"batch": batch} if batch else None,
        )
        assert resp.status_code == 202, resp.text
        ids = [d["id"] for d in resp.json()["documents"]]
        assert all(ids), resp.text
        deadline, out = time.monotonic() + timeout, []
        for doc_id in ids:
            while (doc := api.get(f"/api/v1/documents/{doc_id}").json())["status"] not in {"done", "failed"}:
                assert time.monotonic() < deadline, f"document {doc_id} not processed in time"
                time.sleep(0.05)
            out.append(doc)
    return out
