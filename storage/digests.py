"""What the digest (`bot.digest.build`) reads that no other report does: the period's opportunities
and how its alerts were reviewed. Plain functions over a Session, one query each, for every account
at once (or the given ones).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, and_, case, exists, func, or_, select
from sqlmodel import col

from storage.db import Tx, orm
from storage.models import Account, Alert, Correction, CustomerMessage, table_of

_M = table_of(CustomerMessage).c


def opportunity_messages(
    tx: Tx,
    start: datetime,
    end: datetime,
    promoter_min: float,
    account_ids: Sequence[int] | None,
    limit: int,
) -> list[Row]:
    """Up to `limit` scored customer messages created in (start, end] that mention expansion or are
    a promoter's NPS answer (score at least `promoter_min`), newest first: rows of (id, created_at,
    text, expansion, source_score, name), `name` being the account's."""
    session = orm(tx)
    promoter = and_(_M.source_kind == "nps", _M.source_score >= promoter_min)
    # The ids come from the health index alone (it holds every column tested); rows are read for those.
    wanted = select(_M.id).where(
        _M.is_customer,
        _M.score.is_not(None),
        _M.created_at > start,
        _M.created_at <= end,
        or_(_M.expansion, promoter),
    )
    if account_ids is not None:
        wanted = wanted.where(_M.account_id.in_(account_ids))
    query = (
        select(_M.id, _M.created_at, _M.text, _M.expansion, _M.source_score, col(Account.name))
        .join(Account, col(Account.id) == _M.account_id)
        .where(_M.id.in_(wanted))
        .order_by(_M.created_at.desc())
    )
    return list(session.execute(query.limit(limit)))


def alert_review_counts(
    tx: Tx,
    start: datetime,
    end: datetime,
    account_ids: Sequence[int] | None,
    reviewed_statuses: Sequence[str],
) -> tuple[int, int, int, int]:
    """Of the alerts created in (start, end]: how many were posted, kept unposted, reviewed, and
    marked not accurate.

    Not accurate: a correction names the alert, or corrects its message to a neutral or positive
    label. Reviewed: not accurate, or in one of `reviewed_statuses`.
    """
    session = orm(tx)
    a, c = table_of(Alert).c, table_of(Correction).c
    flagged = exists().where(
        or_(c.alert_id == a.id, and_(c.message_id == a.message_id, c.label.in_(("neutral", "positive"))))
    )
    base = [a.created_at > start, a.created_at <= end]
    if account_ids is not None:
        base.append(a.account_id.in_(account_ids))
    posted, held, reviewed, inaccurate = session.execute(
        select(
            func.count(case((a.post_ref.is_not(None), 1))),
            func.count(case((a.post_ref.is_(None), 1))),
            func.count(case((or_(flagged, a.status.in_(reviewed_statuses)), 1))),
            func.count(case((flagged, 1))),
        ).where(*base)
    ).one()
    return posted, held, reviewed, inaccurate
