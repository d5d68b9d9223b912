"""Reads of the concerns messages raised (`MessageConcern`): counts for reports and digests, and the
rows the cross-account incident search reads.

Only concerns of messages scoring at most `max_score` are read: the caller's rules say which
messages are negative enough to count.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, Row, cast, func, select

from storage.db import Tx, orm
from storage.health_scan import epoch_days
from storage.models import MessageConcern, table_of
from storage.tenants import tenant_account_ids

_C = table_of(MessageConcern).c


def concern_counts_by_account(
    tx: Tx, start: datetime, end: datetime, max_score: float, account_ids: list[int] | None = None
) -> list[Row[int, str, int]]:
    """(account_id, concern, count) of the concerns raised in (start, end], per account (only the
    given ones' when given)."""
    session = orm(tx)
    query = (
        select(_C.account_id, _C.concern, func.count())
        .where(
            _C.created_at > start,
            _C.created_at <= end,
            _C.score <= max_score,
            _C.account_id.is_not(None),
        )
        .group_by(_C.account_id, _C.concern)
    )
    if account_ids is not None:
        query = query.where(_C.account_id.in_(account_ids))
    return list(session.execute(query))


def concern_counts(
    tx: Tx, start: datetime, end: datetime, max_score: float, account_ids: list[int] | None = None
) -> dict[str, int]:
    """How often each concern was raised in (start, end] (by the given accounts' messages when given)."""
    session = orm(tx)
    query = (
        select(_C.concern, func.count())
        .where(_C.created_at > start, _C.created_at <= end, _C.score <= max_score)
        .group_by(_C.concern)
    )
    if account_ids is not None:
        query = query.where(_C.account_id.in_(account_ids))
    return {concern: count for concern, count in session.execute(query).all()}


def concern_windows(
    tx: Tx, start: datetime, end: datetime, max_score: float, window_hours: float, tenant: str
) -> list[Row[str, int, int]]:
    """Distinct (concern, account_id, window) of the tenant's concerns raised in (start, end], where
    `window` numbers the `window_hours`-long stretch of time the concern fell in."""
    session = orm(tx)
    dialect = session.get_bind().dialect.name
    # The window each row falls in, as a whole number (SQLite has no floor() without its math
    # extension; a cast is enough to tell windows apart).
    bucket = cast(epoch_days(_C.created_at, dialect) * (24.0 / window_hours), Integer)
    return list(
        session.execute(
            select(_C.concern, _C.account_id, bucket)
            .where(
                _C.created_at > start,
                _C.created_at <= end,
                _C.score <= max_score,
                _C.account_id.in_(tenant_account_ids(tenant)),
            )
            .distinct()
        )
    )


def concern_events(
    tx: Tx, start: datetime, end: datetime, max_score: float, tenant: str
) -> list[Row[str, datetime, int, int]]:
    """The tenant's concerns raised in (start, end], oldest first: concern, created_at, account_id,
    message_id (one row per message and concern)."""
    session = orm(tx)
    return list(
        session.execute(
            select(_C.concern, _C.created_at, _C.account_id, _C.message_id)
            .where(
                _C.created_at > start,
                _C.created_at <= end,
                _C.score <= max_score,
                _C.account_id.in_(tenant_account_ids(tenant)),
            )
            .order_by(_C.created_at, _C.message_id, _C.concern)
        ).all()
    )
