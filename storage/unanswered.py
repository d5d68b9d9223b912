"""Customer messages nobody on our side has answered yet (the rule: bot/alerts/replies.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, or_, select
from sqlmodel import col

from storage.db import Tx, orm
from storage.models import Account, CustomerMessage, table_of
from storage.tenants import DEFAULT_TENANT


@dataclass(frozen=True)
class UnansweredMessage:
    message_id: int
    account_id: int
    account: str
    owner: str | None
    created_at: datetime
    score: float
    tenant: str


def unanswered(
    tx: Tx,
    *,
    as_of: datetime,
    created_after: datetime,
    created_before: datetime,
    max_score: float,
    above_score: float | None = None,
    account_ids: list[int] | None = None,
    limit: int | None = None,
    tenant: str | None = DEFAULT_TENANT,
) -> list[UnansweredMessage]:
    """Customer messages with an account, scored ≤ `max_score` (and > `above_score`), created in the
    range, that no later staff message in the same place (and thread) answered by `as_of`; oldest first.

    Only the tenant's messages (every tenant's when None), answered by the same tenant's staff.
    """
    session = orm(tx)
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
    return [
        UnansweredMessage(
            message_id=row.id,
            account_id=row.account_id,
            account=row.name,
            owner=row.owner,
            created_at=row.created_at,
            score=row.score,
            tenant=row.tenant,
        )
        for row in session.execute(query)
    ]


def message_texts(tx: Tx, message_ids: Sequence[int]) -> dict[int, str | None]:
    """The text of each of these messages (None once erased); a message not stored is left out."""
    session = orm(tx)
    if not message_ids:
        return {}
    query = select(col(CustomerMessage.id), col(CustomerMessage.text)).where(
        col(CustomerMessage.id).in_(list(message_ids))
    )
    return {message_id: text for message_id, text in session.execute(query).all()}
