"""UI tests run the real app on a SQLite file in a temporary data directory (the UI adds no SQL of its own;
the shared queries are exercised on PostgreSQL by tests/service)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from intake.settings import Settings

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "examples" / "e_special.pdf"


@pytest.fixture
def ui_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'fapiao.db'}", drop_folder=False,
                    ocr=False, _env_file=None)


@pytest.fixture
def client(ui_settings: Settings) -> Iterator[TestClient]:
    # https base URL so that the Secure cookie attribute is exercised too.
    with TestClient(create_app(ui_settings), base_url="https://testserver", follow_redirects=False) as c:
        yield c


def new_key(client: TestClient, role: str) -> str:
    from intake.service.keys import create_key

    return create_key(client.app.state.ctx, role, f"ui-{role}")


SELLER_ID = "914403001922038216"
TAX_BUREAU_HEADERS = ["发票代码", "发票号码", "数电票号码", "销方识别号", "销方名称", "购方识别号", "购买方名称", "开票日期",
                      "金额", "税额", "价税合计", "发票状态", "发票票种"]


def xml_invoice(number: str, amount: str, tax: str, total: str | None = None, seller_id: str = SELLER_ID) -> bytes:
    """A 数电 XML invoice (read without OCR); ``total`` defaults to amount + tax, a wrong one makes a finding."""
    from decimal import Decimal

    from tests.matching.test_cli import XML

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
