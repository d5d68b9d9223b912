"""Stored polling state per inbox: position (UIDVALIDITY + last UID), lease, failures and backoff.

A poll first claims the inbox with a compare-and-set UPDATE (due, and not
leased by another process), so two processes never read the same inbox at
once; progress is saved after every chunk, so a crash re-reads at most one
chunk (and Message-ID de-duplication keeps that harmless).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from storage.db import session_scope
from storage.models import InboxState
from storage.queue import backoff

#: How long a claimed poll may run before another process may take the inbox over.
POLL_LEASE = timedelta(minutes=10)
#: The longest wait between attempts at an inbox that keeps failing.
MAX_BACKOFF_SECONDS = 3600.0


@dataclass(frozen=True)
class InboxCursor:
    """Where to resume: UIDs above `last_uid` are new, if the mailbox still has `uidvalidity`."""

    inbox_key: str
    uidvalidity: int | None
    last_uid: int


@dataclass(frozen=True)
class InboxStatus:
    inbox_key: str
    ok: bool
    failures: int
    last_error: str | None
    last_success_at: datetime | None
    next_attempt_at: datetime | None
    messages_stored: int


def _ensure_row(engine: Engine, inbox_key: str) -> None:
    with session_scope(engine) as session:
        existing = session.exec(select(InboxState.id).where(col(InboxState.inbox_key) == inbox_key)).first()
        if existing is not None:
            return
        try:
            with session.begin_nested():
                session.add(InboxState(inbox_key=inbox_key))
        except IntegrityError:
            pass  # another process created it first


def claim_inbox(
    engine: Engine, inbox_key: str, worker: str, now: datetime, lease: timedelta = POLL_LEASE
) -> InboxCursor | None:
    """The cursor if this worker may poll the inbox now; None while it backs off or another holds it."""
    _ensure_row(engine, inbox_key)
    with session_scope(engine) as session:
        result = session.exec(  # type: ignore[call-overload]
            update(InboxState)
            .where(
                col(InboxState.inbox_key) == inbox_key,
                or_(col(InboxState.locked_until).is_(None), col(InboxState.locked_until) < now),
                or_(col(InboxState.next_attempt_at).is_(None), col(InboxState.next_attempt_at) <= now),
            )
            .values(locked_by=worker, locked_until=now + lease, last_attempt_at=now)
        )
        if result.rowcount != 1:
            return None
        state = session.exec(select(InboxState).where(col(InboxState.inbox_key) == inbox_key)).one()
        return InboxCursor(inbox_key, state.uidvalidity, state.last_uid)


def save_progress(
    engine: Engine, inbox_key: str, worker: str, uidvalidity: int, last_uid: int, stored: int
) -> None:
    """Record how far this poll got (only while it still holds the lease)."""
    with session_scope(engine) as session:
        session.exec(  # type: ignore[call-overload]
            update(InboxState)
            .where(col(InboxState.inbox_key) == inbox_key, col(InboxState.locked_by) == worker)
            .values(
                uidvalidity=uidvalidity,
                last_uid=last_uid,
                messages_stored=InboxState.messages_stored + stored,
            )
        )


def record_success(engine: Engine, inbox_key: str, worker: str, now: datetime) -> None:
    with session_scope(engine) as session:
        session.exec(  # type: ignore[call-overload]
            update(InboxState)
            .where(col(InboxState.inbox_key) == inbox_key, col(InboxState.locked_by) == worker)
            .values(
                failures=0,
                last_error=None,
                last_success_at=now,
                next_attempt_at=None,
                locked_by=None,
                locked_until=None,
            )
        )


def record_failure(
    engine: Engine, inbox_key: str, worker: str, error: str, now: datetime, base_seconds: float
) -> InboxStatus | None:
    """Count a failed poll and set when to try again (doubling from `base_seconds`, at most an hour)."""
    with session_scope(engine) as session:
        state = session.exec(
            select(InboxState).where(
                col(InboxState.inbox_key) == inbox_key, col(InboxState.locked_by) == worker
            )
        ).first()
        if state is None:
            return None
        state.failures += 1
        state.last_error = error[:2000]
        state.next_attempt_at = now + backoff(state.failures, base_seconds, MAX_BACKOFF_SECONDS)
        state.locked_by = state.locked_until = None
        session.add(state)
        return _status(state)


def _status(state: InboxState) -> InboxStatus:
    return InboxStatus(
        inbox_key=state.inbox_key,
        ok=state.failures == 0,
        failures=state.failures,
        last_error=state.last_error,
        last_success_at=state.last_success_at,
        next_attempt_at=state.next_attempt_at,
        messages_stored=state.messages_stored,
    )


def inbox_statuses(engine: Engine, inbox_keys: list[str] | None = None) -> list[InboxStatus]:
    """Every inbox's health, for status pages and /health."""
    with session_scope(engine) as session:
        query = select(InboxState).order_by(col(InboxState.inbox_key))
        if inbox_keys is not None:
            query = query.where(col(InboxState.inbox_key).in_(inbox_keys))
        return [_status(state) for state in session.exec(query).all()]
