"""The reads behind answers to questions: the grammar's lookups and Claude's read-only tools.

Each takes the asker's session and plain values and returns rows. A read over the portfolio names the
asker's tenant; a read by account id or message ids takes ids that a tenant-scoped read returned.
Windows are (since, until]: `until` is the answer's "now", so later rows never count.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlmodel import col

from storage.db import Tx, orm
from storage.models import Account, Alert, CustomerMessage, MessageConcern, table_of

_M = table_of(CustomerMessage).c
_C = table_of(MessageConcern).c
_A = table_of(Alert).c


def message_places(tx: Tx, message_ids: Iterable[int]) -> list[Any]:
    """(id, platform, place_key, external_id, source_kind) of these messages: where each lives."""
    session = orm(tx)
    ids = sorted(set(message_ids))
    if not ids:
        return []
    query = select(_M.id, _M.platform, _M.place_key, _M.external_id, _M.source_kind).where(_M.id.in_(ids))
    return list(session.execute(query).all())


def messages_by_id(tx: Tx, message_ids: Sequence[int]) -> dict[int, Any]:
    """Message id → (id, created_at, score, text) for those of these messages that exist."""
    session = orm(tx)
    if not message_ids:
        return {}
    query = select(_M.id, _M.created_at, _M.score, _M.text).where(_M.id.in_(list(message_ids)))
    return {row.id: row for row in session.execute(query)}


def open_alerts_of(tx: Tx, account_id: int, as_of: datetime, limit: int) -> list[Any]:
    """(severity, status, message_count, created_at, message_id) of the account's alerts open at
    `as_of`, newest first."""
    session = orm(tx)
    query = (
        select(_A.severity, _A.status, _A.message_count, _A.created_at, _A.message_id)
        .where(_A.account_id == account_id, _A.open_key.is_not(None), _A.created_at <= as_of)
        .order_by(_A.created_at.desc())
        .limit(limit)
    )
    return list(session.execute(query).all())


def negative_messages_of(
    tx: Tx, account_id: int, since: datetime, until: datetime, max_score: float, limit: int
) -> list[Any]:
    """(id, created_at, score, text) of the account's customer messages scored at most `max_score` in
    (since, until], newest first."""
    session = orm(tx)
    query = (
        select(_M.id, _M.created_at, _M.score, _M.text)
        .where(
            _M.account_id == account_id,
            _M.is_customer,
            _M.score <= max_score,
            _M.created_at > since,
            _M.created_at <= until,
        )
        .order_by(_M.created_at.desc())
        .limit(limit)
    )
    return list(session.execute(query).all())


def negative_messages(
    tx: Tx, tenant: str, since: datetime, until: datetime, max_score: float
) -> list[Any]:
    """(id, created_at, score, text, name) of the tenant's customer messages scored at most `max_score`
    in (since, until], with their account's name; the most negative first, then the newest."""
    session = orm(tx)
    query = (
        select(_M.id, _M.created_at, _M.score, _M.text, col(Account.name))
        .join(Account, col(Account.id) == _M.account_id)
        .where(
            col(Account.tenant) == tenant,
            _M.is_customer,
            _M.score <= max_score,
            _M.created_at > since,
            _M.created_at <= until,
        )
        .order_by(_M.score, _M.created_at.desc())
    )
    return list(session.execute(query).all())


def negative_concerns(
    tx: Tx,
    tenant: str,
    since: datetime,
    until: datetime,
    max_score: float,
    account: str | None = None,
) -> list[Any]:
    """(concern, message_id, score, name) of the concerns of the tenant's messages scored at most
    `max_score` in (since, until] (only the account named `account`, when given), the most negative
    first."""
    session = orm(tx)
    query = (
        select(_C.concern, _C.message_id, _C.score, col(Account.name))
        .join(Account, col(Account.id) == _C.account_id)
        .where(
            col(Account.tenant) == tenant,
            _C.created_at > since,
            _C.created_at <= until,
            _C.score <= max_score,
        )
        .order_by(_C.score)
    )
    if account is not None:
        query = query.where(col(Account.name) == account)
    return list(session.execute(query).all())


def search_messages(
    tx: Tx,
    tenant: str,
    since: datetime,
    until: datetime,
    limit: int,
    account: str | None = None,
    words: Sequence[str] = (),
    max_score: float | None = None,
    min_score: float | None = None,
    concern: str | None = None,
) -> list[Any]:
    """(id, created_at, score, text, source_kind, name) of the tenant's customer messages in
    (since, until], newest first: only the account named `account`, those containing every one of
    `words` (ignoring case), scored within [min_score, max_score], tagged with `concern`, as given."""
    session = orm(tx)
    conditions = [
        col(Account.tenant) == tenant,
        _M.is_customer,
        _M.created_at > since,
        _M.created_at <= until,
    ]
    if account:
        conditions.append(col(Account.name) == account)
    for word in words:
        conditions.append(func.lower(_M.text).contains(word.casefold()))
    if max_score is not None:
        conditions.append(_M.score <= max_score)
    if min_score is not None:
        conditions.append(_M.score >= min_score)
    query = select(_M.id, _M.created_at, _M.score, _M.text, _M.source_kind, col(Account.name)).join(
        Account, col(Account.id) == _M.account_id
    )
    if concern:
        query = query.join(MessageConcern, and_(_C.message_id == _M.id, _C.concern == concern))
    query = query.where(*conditions).order_by(_M.created_at.desc()).limit(limit)
    return list(session.execute(query).all())


def concerns_by_message(tx: Tx, message_ids: Sequence[int]) -> dict[int, list[str]]:
    """Message id → the concerns recorded for it (a message without any is left out)."""
    session = orm(tx)
    concerns: dict[int, list[str]] = {}
    if not message_ids:
        return concerns
    query = select(_C.message_id, _C.concern).where(_C.message_id.in_(list(message_ids)))
    for message_id, name in session.execute(query):
        concerns.setdefault(message_id, []).append(name)
    return concerns


def tenant_messages_by_id(tx: Tx, tenant: str, message_ids: Sequence[int]) -> dict[int, Any]:
    """Message id → (id, created_at, score, text, name) for those of these messages that are the
    tenant's; `name` is their account's (None when the message has none)."""
    session = orm(tx)
    query = (
        select(_M.id, _M.created_at, _M.score, _M.text, col(Account.name))
        .join(Account, col(Account.id) == _M.account_id, isouter=True)
        .where(_M.id.in_(list(message_ids)), _M.tenant == tenant)
    )
    return {row.id: row for row in session.execute(query)}
