"""A durable work queue in the database: what must happen survives a crash.

An item is unique per (kind, subject), so enqueueing twice is harmless. A
worker claims an item with a compare-and-set UPDATE and holds it for a lease,
which it renews while the item runs (`renew`, the worker's heartbeat); if the
process dies, renewals stop, the lease runs out and another worker (or the
restarted process) claims it again. The lease can therefore be short: it
bounds how long a dead worker's items wait, not how long an item may take.
This works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, or_, update
from sqlmodel import col, func, select

from storage.db import Tx, insert_for, orm, read_scope, session_scope
from storage.models import WorkItem, table_of
from storage.types import utcnow

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"

_WORK = table_of(WorkItem)

#: How long a claim lasts without renewal (TONEWATCH_WORK_LEASE_SECONDS sets the worker's).
DEFAULT_LEASE = timedelta(seconds=30)


@dataclass(frozen=True)
class ClaimedItem:
    id: int
    kind: str
    subject: str
    attempts: int


def enqueue(tx: Tx, kind: str, subject: str, run_after: datetime | None = None) -> bool:
    """Add an item unless it is already queued; returns whether it was new.

    One statement (not a savepoint, an insert and a rollback to it when the item exists)."""
    session = orm(tx)
    row = WorkItem(kind=kind, subject=subject, run_after=run_after or utcnow()).model_dump(exclude={"id"})
    inserted = session.execute(
        insert_for(session, _WORK)
        .values(row)
        .on_conflict_do_nothing(index_elements=["kind", "subject"])
        .returning(_WORK.c.id)
    ).first()
    return inserted is not None


def requeue(tx: Tx, kind: str, subject: str) -> None:
    """Queue the item again even if it ran before (an edited message is analyzed again)."""
    session = orm(tx)
    item = session.exec(select(WorkItem).where(WorkItem.kind == kind, WorkItem.subject == subject)).first()
    if item is None:
        enqueue(session, kind, subject)
        return
    item.status, item.run_after, item.attempts, item.last_error = PENDING, utcnow(), 0, None
    item.locked_by = item.locked_until = None
    session.add(item)


def cancel(tx: Tx, kinds: Sequence[str], subject: str) -> None:
    """Items of these kinds for `subject` that have not started are not needed any more: marked done."""
    session = orm(tx)
    items = session.exec(
        select(WorkItem).where(
            col(WorkItem.kind).in_(kinds), WorkItem.subject == subject, WorkItem.status == PENDING
        )
    ).all()
    for item in items:
        item.status = DONE
        session.add(item)


def mark_done(tx: Tx, kind: str, subjects: Sequence[str]) -> None:
    """The items of `kind` for these subjects are done, in the caller's transaction: the work they
    stand for commits in it (also when no worker claimed them, as when the CLI analyzes)."""
    session = orm(tx)
    session.exec(
        update(WorkItem)
        .where(col(WorkItem.kind) == kind, col(WorkItem.subject).in_(subjects))
        .values(status=DONE)
    )


def claim(
    engine: Engine,
    worker: str,
    kinds: tuple[str, ...],
    limit: int = 20,
    lease: timedelta = DEFAULT_LEASE,
    now: datetime | None = None,
) -> list[ClaimedItem]:
    """Claim up to `limit` due items of the given kinds for `lease`."""
    now = now or utcnow()
    due = or_(
        and_(col(WorkItem.status) == PENDING, col(WorkItem.run_after) <= now),
        and_(col(WorkItem.status) == RUNNING, col(WorkItem.locked_until) < now),
    )
    until = now + lease
    with session_scope(engine) as session:
        candidates = (
            select(WorkItem.id)
            .where(col(WorkItem.kind).in_(kinds), due)
            .order_by(col(WorkItem.id))
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            # Another process claiming now takes other items instead of waiting for these. As a
            # subquery the planner may run it more than once (each run skipping the rows the last
            # one locked, so more than `limit` were claimed): a materialized CTE runs once.
            candidates = candidates.with_for_update(skip_locked=True)
        chosen = candidates.cte("chosen").prefix_with("MATERIALIZED", dialect="postgresql")
        # One compare-and-set for the lot, in one statement (a statement per item held SQLite's one
        # writer for long under load); `due` again in the WHERE keeps an item another worker just
        # took out.
        rows = session.execute(
            update(WorkItem)
            .where(col(WorkItem.id).in_(select(chosen.c.id)), due)
            .values(status=RUNNING, locked_by=worker, locked_until=until, attempts=WorkItem.attempts + 1)
            .returning(_WORK.c.id, _WORK.c.kind, _WORK.c.subject, _WORK.c.attempts)
            .execution_options(synchronize_session=False)
        ).all()
    rows = sorted(rows)
    return [ClaimedItem(item_id or 0, kind, subject, attempts) for item_id, kind, subject, attempts in rows]


def renew(
    engine: Engine,
    worker: str,
    lease: timedelta = DEFAULT_LEASE,
    now: datetime | None = None,
    ids: Collection[int] | None = None,
) -> int:
    """Extend the lease of the items `worker` is running (its heartbeat); returns how many.

    `ids`: only these — the items really in flight. An item whose completion never reached the
    database (a dropped connection) is then left to its lease and run again, instead of being kept
    `running` by the heartbeat for as long as the worker has other work. An item another worker took
    over after this one's lease ran out is not renewed: it is not ours.
    """
    now = now or utcnow()
    mine = and_(col(WorkItem.status) == RUNNING, col(WorkItem.locked_by) == worker)
    if ids is not None:
        mine = and_(mine, col(WorkItem.id).in_(sorted(ids)))
    with session_scope(engine) as session:
        result = session.exec(
            update(WorkItem)
            .where(mine)
            .values(locked_until=now + lease)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)


def complete(engine: Engine, item: ClaimedItem, worker: str) -> None:
    complete_many(engine, [item], worker)


def complete_many(engine: Engine, items: Sequence[ClaimedItem], worker: str) -> None:
    """Mark items done, in one statement; an item another worker has taken over is not ours to finish."""
    with session_scope(engine) as session:
        session.exec(
            update(WorkItem)
            .where(col(WorkItem.id).in_([item.id for item in items]), col(WorkItem.locked_by) == worker)
            .values(status=DONE, locked_by=None, locked_until=None, last_error=None)
            .execution_options(synchronize_session=False)
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
        session.exec(
            update(WorkItem)
            .where(col(WorkItem.id) == item.id, col(WorkItem.locked_by) == worker)
            .values(locked_by=None, locked_until=None, last_error=error[:2000], **values)
        )


def item_status(tx: Tx, kind: str, subject: str) -> str | None:
    """The status of one item (None when it was never queued)."""
    session = orm(tx)
    statement = select(WorkItem.status).where(WorkItem.kind == kind, WorkItem.subject == subject)
    return session.exec(statement).first()


def status_of(engine: Engine, kind: str, subject: str) -> str | None:
    with session_scope(engine) as session:
        return item_status(session, kind, subject)


def subjects_waiting(engine: Engine, kind: str, prefix: str) -> list[str]:
    """The subjects starting with `prefix` of the kind's items pending or running (a read that never
    waits for SQLite's writer)."""
    with read_scope(engine) as session:
        statement = select(WorkItem.subject).where(
            WorkItem.kind == kind,
            col(WorkItem.subject).startswith(prefix),
            col(WorkItem.status).in_((PENDING, RUNNING)),
        )
        return list(session.exec(statement).all())


def depth(engine: Engine) -> dict[str, int]:
    """Items not yet done, by status (for /metrics and health)."""
    with session_scope(engine) as session:
        rows = session.exec(
            select(WorkItem.status, func.count()).where(WorkItem.status != DONE).group_by(WorkItem.status)
        ).all()
    return {status: count for status, count in rows}


def due_count(engine: Engine, now: datetime) -> int:
    """Items running, or pending and due at `now` (a retry waiting out its backoff is not counted)."""
    with session_scope(engine) as session:
        return session.execute(
            select(func.count()).where(
                or_(
                    col(WorkItem.status) == RUNNING,
                    and_(col(WorkItem.status) == PENDING, col(WorkItem.run_after) <= now),
                )
            )
        ).scalar_one()


def failed_count(engine: Engine) -> int:
    """Items that failed for good."""
    with session_scope(engine) as session:
        return session.execute(select(func.count()).where(col(WorkItem.status) == FAILED)).scalar_one()


def backoff(attempts: int, base_seconds: float = 2.0, cap_seconds: float = 600.0) -> timedelta:
    return timedelta(seconds=min(cap_seconds, base_seconds * 2 ** max(0, attempts - 1)))
