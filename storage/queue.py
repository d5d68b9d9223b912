"""A durable work queue in the database: what must happen survives a crash.

An item is unique per (kind, subject), so enqueueing twice is harmless. A
worker claims an item with a compare-and-set UPDATE and holds it for a lease;
if the process dies, the lease runs out and another worker (or the restarted
process) claims it again. This works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from storage.db import session_scope
from storage.models import WorkItem
from storage.types import utcnow

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"


@dataclass(frozen=True)
class ClaimedItem:
    id: int
    kind: str
    subject: str
    attempts: int


def enqueue(session: Session, kind: str, subject: str, run_after: datetime | None = None) -> bool:
    """Add an item unless it is already queued; returns whether it was new."""
    try:
        with session.begin_nested():
            session.add(WorkItem(kind=kind, subject=subject, run_after=run_after or utcnow()))
        return True
    except IntegrityError:
        return False


def requeue(session: Session, kind: str, subject: str) -> None:
    """Queue the item again even if it ran before (an edited message is analyzed again)."""
    item = session.exec(select(WorkItem).where(WorkItem.kind == kind, WorkItem.subject == subject)).first()
    if item is None:
        enqueue(session, kind, subject)
        return
    item.status, item.run_after, item.attempts, item.last_error = PENDING, utcnow(), 0, None
    item.locked_by = item.locked_until = None
    session.add(item)


def claim(
    engine: Engine,
    worker: str,
    kinds: tuple[str, ...],
    limit: int = 20,
    lease: timedelta = timedelta(minutes=2),
    now: datetime | None = None,
) -> list[ClaimedItem]:
    """Claim up to `limit` due items of the given kinds for `lease`."""
    now = now or utcnow()
    due = or_(
        and_(WorkItem.status == PENDING, col(WorkItem.run_after) <= now),
        and_(WorkItem.status == RUNNING, col(WorkItem.locked_until) < now),
    )
    claimed: list[ClaimedItem] = []
    with session_scope(engine) as session:
        candidates = session.exec(
            select(WorkItem.id)
            .where(col(WorkItem.kind).in_(kinds), due)
            .order_by(col(WorkItem.id))
            .limit(limit)
        ).all()
        for item_id in candidates:
            result = session.exec(  # type: ignore[call-overload]
                update(WorkItem)
                .where(col(WorkItem.id) == item_id, due)
                .values(
                    status=RUNNING, locked_by=worker, locked_until=now + lease, attempts=WorkItem.attempts + 1
                )
            )
            if result.rowcount == 1:
                item = session.get(WorkItem, item_id)
                assert item is not None
                session.refresh(item)
                claimed.append(ClaimedItem(item.id or 0, item.kind, item.subject, item.attempts))
    return claimed


def complete(engine: Engine, item: ClaimedItem, worker: str) -> None:
    with session_scope(engine) as session:
        session.exec(  # type: ignore[call-overload]
            update(WorkItem)
            .where(col(WorkItem.id) == item.id, WorkItem.locked_by == worker)
            .values(status=DONE, locked_by=None, locked_until=None, last_error=None)
        )


def fail(
    engine: Engine,
    item: ClaimedItem,
    worker: str,
    error: str,
    retry_in: timedelta | None,
    now: datetime | None = None,
) -> None:
    """Put the item back for a later try, or mark it failed when `retry_in` is None."""
    now = now or utcnow()
    values = {"status": PENDING, "run_after": now + retry_in} if retry_in is not None else {"status": FAILED}
    with session_scope(engine) as session:
        session.exec(  # type: ignore[call-overload]
            update(WorkItem)
            .where(col(WorkItem.id) == item.id, WorkItem.locked_by == worker)
            .values(locked_by=None, locked_until=None, last_error=error[:2000], **values)
        )


def depth(engine: Engine) -> dict[str, int]:
    """Items not yet done, by status (for /metrics and health)."""
    with session_scope(engine) as session:
        rows = session.exec(
            select(WorkItem.status, func.count()).where(WorkItem.status != DONE).group_by(WorkItem.status)
        ).all()
    return {status: count for status, count in rows}


def backoff(attempts: int, base_seconds: float = 2.0, cap_seconds: float = 600.0) -> timedelta:
    return timedelta(seconds=min(cap_seconds, base_seconds * 2 ** max(0, attempts - 1)))
