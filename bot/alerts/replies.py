"""Which negative customer messages still wait for a reply from our side.

A customer message is answered when a later message from our staff
(`is_customer` false) exists in the same place (channel, inbox) of the same
platform before `as_of`; when both messages are in threads, the reply must be
in the same thread. Messages without a place (imports) are matched by account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.health.report import quote
from storage.db import Transaction
from storage.tenants import DEFAULT_TENANT
from storage.unanswered import message_texts, unanswered


@dataclass
class WaitingMessage:
    message_id: int
    account_id: int
    account: str
    owner: str | None
    created_at: datetime
    score: float
    quote: str
    due_at: datetime
    #: Whose message it is (an SLA notice goes to this tenant's alert channel).
    tenant: str = DEFAULT_TENANT

    def hours_waiting(self, as_of: datetime) -> float:
        return round((as_of - self.created_at) / timedelta(hours=1), 1)

    def to_json(self, as_of: datetime) -> dict:
        return {
            "message_id": self.message_id,
            "account": self.account,
            "created_at": self.created_at.isoformat(),
            "due_at": self.due_at.isoformat(),
            "hours_waiting": self.hours_waiting(as_of),
            "score": self.score,
            "quote": self.quote,
        }


def unanswered_messages(
    tx: Transaction,
    *,
    as_of: datetime,
    created_after: datetime,
    created_before: datetime,
    max_score: float,
    above_score: float | None = None,
    sla_hours: float = 24.0,
    account_ids: list[int] | None = None,
    limit: int | None = None,
    quoted: int | None = None,
    tenant: str | None = DEFAULT_TENANT,
) -> list[WaitingMessage]:
    """Customer messages scored ≤ `max_score` (and > `above_score`) created in the range, with no reply yet.

    Oldest first. `sla_hours` only sets each message's `due_at`. Only the first `quoted` messages
    (all when None) carry their quote; a digest that lists eight of four thousand reads eight texts.
    Only the tenant's messages (every tenant's when None: the scheduler's SLA check, which routes each
    by its own tenant), answered by the same tenant's staff.
    """
    rows = unanswered(
        tx,
        as_of=as_of,
        created_after=created_after,
        created_before=created_before,
        max_score=max_score,
        above_score=above_score,
        account_ids=account_ids,
        limit=limit,
        tenant=tenant,
    )
    due = timedelta(hours=sla_hours)
    found = [
        WaitingMessage(
            message_id=row.message_id,
            account_id=row.account_id,
            account=row.account,
            owner=row.owner,
            created_at=row.created_at,
            score=row.score,
            quote="",
            due_at=row.created_at + due,
            tenant=row.tenant,
        )
        for row in rows
    ]
    shown = found if quoted is None else found[:quoted]
    texts = message_texts(tx, [w.message_id for w in shown])
    for waiting in shown:
        waiting.quote = quote(texts.get(waiting.message_id))
    return found
