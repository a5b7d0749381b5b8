"""Statistics tables and the current alerts."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from fapiao.api.models.base import Answer, MoneyText
from fapiao.core.models import Severity
from fapiao.service.alerts import KINDS
from fapiao.service.stats import GROUPS


class TotalsRow(Answer):
    key: str = Field(description="The month (YYYY-MM), seller tax ID, invoice type or tax rate; `unknown`.")
    label: str
    invoices: int
    total_amount: MoneyText = Field(description="金额")
    total_tax: MoneyText = Field(description="税额")
    amount_with_tax: MoneyText = Field(description="价税合计")
    duplicates: int = Field(description="Further copies of invoices counted once.")


class Totals(Answer):
    group: Literal[GROUPS]  # type: ignore[valid-type]
    rows: list[TotalsRow]


class SharesRow(Answer):
    month: str = Field(description="YYYY-MM of issue, or `unknown`.")
    invoices: int
    reconciled: int
    matched: int
    missing_in_system: int
    needs_review: int
    matched_share: float | None
    missing_share: float | None
    needs_review_share: float | None


class Shares(Answer):
    rows: list[SharesRow]


class AlertView(Answer):
    kind: Literal[KINDS]  # type: ignore[valid-type]
    key: str = Field(description="Stable: the same problem has the same key at every check.")
    severity: Severity
    message: str
    message_zh: str
    since: str | None
    links: dict[str, str | list[str]] = Field(description="Pages to look at.")
    detail: dict[str, Any]


class Alerts(Answer):
    counts: dict[Literal[KINDS], int]  # type: ignore[valid-type]
    alerts: list[AlertView]
