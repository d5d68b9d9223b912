"""What every CRM client offers the sync (`bot/crm/sync.py`), and the records it exchanges.

Clients are blocking (the vendors' SDKs use requests/urllib3); the sync runs them in a thread.
Each retries 429 and 5xx answers with backoff, honouring Retry-After (their rate limits).
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from urllib3.util.retry import Retry

#: Our side of what is pushed: field → the CRM property it goes to (configurable per CRM).
PUSHED = ("light", "trend", "average_30d", "last_negative_at", "churn_risk", "suppress_outreach")
#: What is pulled besides owner and domain: field → the CRM property it comes from.
PULLED = ("arr", "currency", "tier", "renewal_date")


def retry_policy(total: int = 5) -> Retry:
    """429 and 5xx retried with exponential backoff (Retry-After honoured), for every method."""
    return Retry(
        total=total,
        backoff_factor=0.5,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=None,
        respect_retry_after_header=True,
        raise_on_status=False,
    )


@dataclass
class CrmRecord:
    """A company (HubSpot) or account (Salesforce) as the sync needs it."""

    crm_id: str
    name: str
    domains: list[str] = field(default_factory=list)
    owner_email: str | None = None
    owner_name: str = ""
    owner_crm_id: str | None = None
    arr: float | None = None
    currency: str | None = None
    tier: str | None = None
    renewal_date: date | None = None


class CrmClient(abc.ABC):
    system: str

    @abc.abstractmethod
    def pull(self) -> list[CrmRecord]:
        """Every company/account, with owner, value and renewal."""

    @abc.abstractmethod
    def push(self, crm_id: str, properties: dict[str, Any]) -> None:
        """Set these properties on the record."""

    @abc.abstractmethod
    def create_task(self, crm_id: str, subject: str, body: str) -> str:
        """A task for the record's owner, linked to the record; returns the task's id."""

    @abc.abstractmethod
    def close_task(self, task_id: str) -> None:
        """Mark the task done."""


def domain_of(website: str | None) -> str | None:
    """ "https://www.acme.com/about" → "acme.com"."""
    if not website:
        return None
    text = website.strip().lower()
    text = text.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    text = text.removeprefix("www.")
    return text if "." in text else None


def parse_date(value: Any) -> date | None:
    if not value:
        return None
    text = str(value)
    try:
        if text.isdigit():  # HubSpot date properties: epoch milliseconds
            from datetime import UTC, datetime

            return datetime.fromtimestamp(int(text) / 1000, UTC).date()
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def parse_number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
