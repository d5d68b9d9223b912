"""The reads behind account health besides the segment scan: accounts, open alerts, the messages a
report quotes and charts, and the recorded colour changes.

The rules (what counts as negative, which severities are critical) live in bot/health; they come
in here as plain values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import fields
from datetime import datetime

from sqlalchemy import Row, case, func, or_, select
from sqlmodel import col

from storage.db import Tx, orm
from storage.models import Account, Alert, CustomerMessage, HealthChange, table_of
from storage.records import HealthChangeInfo, from_row

_M = table_of(CustomerMessage).c
_A = table_of(Alert).c
#: How many account ids one `IN` list holds.
CHUNK = 500
#: id, account_id, created_at, score, text, churn_risk, competitor_mentioned, expansion, source_kind,
#: source_score.
NotableRow = Row[int, int, datetime, float, str | None, bool, bool, bool, str, float | None]
#: What a `HealthChangeInfo` writes into its row (all but the id).
_CHANGE_FIELDS = tuple(field.name for field in fields(HealthChangeInfo) if field.name != "id")


def accounts_for_health(
    tx: Tx, tenant: str, account_ids: list[int] | None = None, owner: str | None = None
) -> list[Row[int, str, str | None]]:
    """(id, name, owner) of the tenant's accounts (only the given ones, or `owner`'s, case-insensitive)."""
    session = orm(tx)
    query = select(col(Account.id), col(Account.name), col(Account.owner)).where(
        col(Account.tenant) == tenant
    )
    if account_ids is not None:
        query = query.where(col(Account.id).in_(account_ids))
    if owner is not None:
        query = query.where(func.lower(col(Account.owner)) == owner.casefold())
    return list(session.execute(query).all())


def account_names_by_id(tx: Tx, account_ids: Iterable[int]) -> dict[int, str]:
    """The names of the accounts with these ids (an id with no account is left out)."""
    session = orm(tx)
    query = select(col(Account.id), col(Account.name)).where(col(Account.id).in_(set(account_ids)))
    return {account_id: name for account_id, name in session.execute(query).all()}


def open_alert_counts(
    tx: Tx,
    as_of: datetime,
    critical_severities: Sequence[str],
    account_ids: list[int] | None = None,
) -> dict[int, tuple[int, int]]:
    """(open alerts, of which of a critical severity) per account, of the alerts raised by `as_of`.

    An alert is open while its `open_key` is set."""
    session = orm(tx)
    query = (
        select(_A.account_id, func.count(), func.count(case((_A.severity.in_(critical_severities), 1))))
        .where(_A.open_key.is_not(None), _A.account_id.is_not(None), _A.created_at <= as_of)
        .group_by(_A.account_id)
    )
    if account_ids is not None:
        query = query.where(_A.account_id.in_(account_ids))
    return {row[0]: (row[1], row[2]) for row in session.execute(query)}


def newest_open_alerts(
    tx: Tx, tenant: str, as_of: datetime, limit: int
) -> list[Row[int, str, str, int, datetime, int | None, str | None, str | None, str | None, str | None]]:
    """The tenant's open alerts raised by `as_of`, newest first: id, severity, status, message_count,
    created_at, message_id, post_channel, post_ref, the message's `text` and the account's `name`."""
    session = orm(tx)
    return list(
        session.execute(
            select(
                _A.id,
                _A.severity,
                _A.status,
                _A.message_count,
                _A.created_at,
                _A.message_id,
                _A.post_channel,
                _A.post_ref,
                _M.text,
                col(Account.name),
            )
            .join(CustomerMessage, col(CustomerMessage.id) == _A.message_id, isouter=True)
            .join(Account, col(Account.id) == _A.account_id, isouter=True)
            .where(_A.tenant == tenant, _A.open_key.is_not(None), _A.created_at <= as_of)
            .order_by(_A.created_at.desc())
            .limit(limit)
        ).all()
    )


def notable_messages(
    tx: Tx, account_ids: list[int], start: datetime, end: datetime, warning_score: float
) -> list[NotableRow]:
    """The accounts' scored customer messages in (start, end] that are negative (score at most
    `warning_score`), flag churn, a competitor or expansion, or answer an NPS survey.

    Per chunk of accounts, newest first: id, account_id, created_at, score, text, churn_risk,
    competitor_mentioned, expansion, source_kind, source_score."""
    session = orm(tx)
    notable = or_(
        _M.score <= warning_score,
        _M.churn_risk,
        _M.competitor_mentioned,
        _M.expansion,
        _M.source_kind == "nps",
    )
    found: list[NotableRow] = []
    for chunk_start in range(0, len(account_ids), CHUNK):
        chunk = account_ids[chunk_start : chunk_start + CHUNK]
        found += session.execute(
            select(
                _M.id,
                _M.account_id,
                _M.created_at,
                _M.score,
                _M.text,
                _M.churn_risk,
                _M.competitor_mentioned,
                _M.expansion,
                _M.source_kind,
                _M.source_score,
            )
            .where(
                _M.account_id.in_(chunk),
                _M.is_customer,
                _M.score.is_not(None),
                _M.created_at > start,
                _M.created_at <= end,
                notable,
            )
            .order_by(_M.created_at.desc())
        )
    return found


def scored_messages(
    tx: Tx, account_ids: list[int], start: datetime, end: datetime
) -> list[Row[int, datetime, float]]:
    """(account_id, created_at, score) of the accounts' scored customer messages in (start, end]."""
    session = orm(tx)
    return list(
        session.execute(
            select(_M.account_id, _M.created_at, _M.score).where(
                _M.account_id.in_(account_ids),
                _M.is_customer,
                _M.score.is_not(None),
                _M.created_at > start,
                _M.created_at <= end,
            )
        )
    )


def customer_message_sources(
    tx: Tx, account_ids: list[int], start: datetime, end: datetime
) -> list[Row[int, datetime, str, float | None]]:
    """(account_id, created_at, source_kind, source_score) of the accounts' customer messages in
    (start, end]."""
    session = orm(tx)
    return list(
        session.execute(
            select(_M.account_id, _M.created_at, _M.source_kind, _M.source_score).where(
                _M.account_id.in_(account_ids), _M.is_customer, _M.created_at > start, _M.created_at <= end
            )
        )
    )


def alerts_raised(
    tx: Tx, account_ids: list[int], start: datetime, end: datetime
) -> list[Row[int, datetime, str]]:
    """(account_id, created_at, severity) of the accounts' alerts raised in (start, end]."""
    session = orm(tx)
    return list(
        session.execute(
            select(_A.account_id, _A.created_at, _A.severity).where(
                _A.account_id.in_(account_ids), _A.created_at > start, _A.created_at <= end
            )
        )
    )


def latest_customer_messages(
    tx: Tx, account_id: int, as_of: datetime, limit: int
) -> list[Row[int, datetime, float | None, str | None]]:
    """(id, created_at, score, text) of the account's newest customer messages up to `as_of`, newest first."""
    session = orm(tx)
    return list(
        session.execute(
            select(_M.id, _M.created_at, _M.score, _M.text)
            .where(_M.account_id == account_id, _M.is_customer, _M.created_at <= as_of)
            .order_by(_M.created_at.desc())
            .limit(limit)
        ).all()
    )


def _change_info(row: HealthChange) -> HealthChangeInfo:
    return from_row(HealthChangeInfo, row, signals=list(row.signals), message_ids=list(row.message_ids))


def latest_changes(tx: Tx, account_ids: list[int] | None = None) -> dict[int, HealthChangeInfo]:
    """The newest recorded colour change per account."""
    session = orm(tx)
    newest = select(func.max(col(HealthChange.id))).group_by(col(HealthChange.account_id))
    if account_ids is not None:
        newest = newest.where(col(HealthChange.account_id).in_(account_ids))
    rows = session.execute(select(HealthChange).where(col(HealthChange.id).in_(newest))).scalars()
    return {row.account_id: _change_info(row) for row in rows}


def recorded_changes(
    tx: Tx, account_id: int, as_of: datetime, limit: int = 5
) -> list[HealthChangeInfo]:
    """The colour changes recorded for an account up to `as_of`, newest first."""
    session = orm(tx)
    return [
        _change_info(row)
        for row in session.execute(
            select(HealthChange)
            .where(col(HealthChange.account_id) == account_id, col(HealthChange.changed_at) <= as_of)
            .order_by(col(HealthChange.changed_at).desc())
            .limit(limit)
        ).scalars()
    ]


def save_changes(
    tx: Tx, saved: Sequence[HealthChangeInfo], dropped: Sequence[HealthChangeInfo]
) -> list[HealthChangeInfo]:
    """Writes the colour changes of `saved` (in order: a new one, with no id, is added; one with an id
    updates that stored change) and deletes the dropped ones, then flushes. Returns `saved` as stored."""
    session = orm(tx)
    ids = [change.id for change in [*saved, *dropped] if change.id is not None]
    stored: dict[int | None, HealthChange] = {}
    if ids:
        query = select(HealthChange).where(col(HealthChange.id).in_(ids))
        stored = {row.id: row for row in session.execute(query).scalars()}
    for change in dropped:
        if change.id in stored:
            session.delete(stored[change.id])
    rows = []
    for change in saved:
        values = {field: getattr(change, field) for field in _CHANGE_FIELDS}
        if change.id is None:
            row = HealthChange(**values)
        else:
            row = stored[change.id]
            for field, value in values.items():
                setattr(row, field, value)
        session.add(row)
        rows.append(row)
    session.flush()
    return [_change_info(row) for row in rows]
