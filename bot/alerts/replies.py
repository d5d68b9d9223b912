"""Which negative customer messages still wait for a reply from our side.

A customer message is answered when a later message from our staff
(`is_customer` false) exists in the same place (channel, inbox) of the same
platform before `as_of`; when both messages are in threads, the reply must be
in the same thread. Messages without a place (imports) are matched by account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, or_, select
from sqlmodel import Session, col

from bot.health.report import quote
from storage.models import Account, CustomerMessage, table_of
from storage.tenants import DEFAULT_TENANT


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
    session: Session,
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
    message = table_of(CustomerMessage).alias("m")
    reply = table_of(CustomerMessage).alias("r")
    m, r = message.c, reply.c
    answered = exists().where(
        ~r.is_customer,
        r.tenant == m.tenant,
        r.platform == m.platform,
        r.place_key == m.place_key,
        r.created_at > m.created_at,
        r.created_at <= as_of,
        or_(m.place_key != "", r.account_id == m.account_id),
        or_(m.thread_key.is_(None), r.thread_key.is_(None), r.thread_key == m.thread_key),
    )
    # Candidates first, by id, from columns the health index holds (no row reads); the reply
    # probe then runs for those alone. SQLite would otherwise read every row of the range.
    c = table_of(CustomerMessage).c
    candidates = [
        c.is_customer,
        c.account_id.is_not(None),
        c.score.is_not(None),
        c.score <= max_score,
        c.created_at > created_after,
        c.created_at <= min(created_before, as_of),
    ]
    if above_score is not None:
        candidates.append(c.score > above_score)
    if account_ids is not None:
        candidates.append(c.account_id.in_(account_ids))
    if tenant is not None:
        candidates.append(c.tenant == tenant)
    query = (
        select(m.id, m.account_id, col(Account.name), col(Account.owner), m.created_at, m.score, m.tenant)
        .join(Account, and_(col(Account.id) == m.account_id))
        .where(m.id.in_(select(c.id).where(*candidates)), ~answered)
        .order_by(m.created_at)
    )
    if limit is not None:
        query = query.limit(limit)
    due = timedelta(hours=sla_hours)
    found = [
        WaitingMessage(
            message_id=row.id,
            account_id=row.account_id,
            account=row.name,
            owner=row.owner,
            created_at=row.created_at,
            score=row.score,
            quote="",
            due_at=row.created_at + due,
            tenant=row.tenant,
        )
        for row in session.execute(query)
    ]
    shown = found if quoted is None else found[:quoted]
    texts = (
        dict(
            session.execute(
                select(col(CustomerMessage.id), col(CustomerMessage.text)).where(
                    col(CustomerMessage.id).in_([w.message_id for w in shown])
                )
            ).all()
        )
        if shown
        else {}
    )
    for waiting in shown:
        waiting.quote = quote(texts.get(waiting.message_id))
    return found
