"""Exactly-once scheduled runs: a `digest_runs` row keyed by (target, period), taken before the work.

Every process schedules every job in memory (APScheduler 3 cannot share a job
store); the database decides who runs it. Inserting the row is the claim: the
UNIQUE(target_key, period_key) constraint lets exactly one process through, on
SQLite and PostgreSQL alike. A claim not finished within its lease (the
claimer crashed mid-run) can be taken over with a compare-and-set UPDATE, so a
crash never drops a run; two live processes never both hold it.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from storage.db import session_scope
from storage.models import DigestRun

CLAIMED, DONE, FAILED = "claimed", "done", "failed"


def worker_id() -> str:
    """Who holds a claim: host, process and a random part (two schedulers in one process differ)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class RunClaim:
    id: int
    target_key: str
    period_key: str
    owner: str
    payload: dict
    taken_over: bool = False


@dataclass(frozen=True)
class StaleRun:
    """A run whose claimer died or failed before finishing it."""

    target_key: str
    period_key: str
    payload: dict


def claim_run(
    engine: Engine,
    target_key: str,
    period_key: str,
    *,
    owner: str,
    now: datetime,
    lease: timedelta,
    payload: dict | None = None,
) -> RunClaim | None:
    """Take the run (target, period), or None when another process has it or it is already done."""
    try:
        with session_scope(engine) as session:
            run = DigestRun(
                target_key=target_key,
                period_key=period_key,
                status=CLAIMED,
                claimed_by=owner,
                claimed_at=now,
                payload=dict(payload or {}),
            )
            session.add(run)
            session.flush()
            assert run.id is not None
            return RunClaim(run.id, target_key, period_key, owner, dict(run.payload or {}))
    except IntegrityError:
        pass
    with session_scope(engine) as session:
        taken = session.exec(  # type: ignore[call-overload]
            update(DigestRun)
            .where(
                DigestRun.target_key == target_key,
                DigestRun.period_key == period_key,
                DigestRun.status != DONE,
                col(DigestRun.claimed_at) < now - lease,
            )
            .values(status=CLAIMED, claimed_by=owner, claimed_at=now)
        )
        if taken.rowcount != 1:
            return None
        run = session.exec(
            select(DigestRun).where(DigestRun.target_key == target_key, DigestRun.period_key == period_key)
        ).one()
        assert run.id is not None
        return RunClaim(run.id, target_key, period_key, owner, dict(run.payload or {}), taken_over=True)


def _finish(engine: Engine, claim: RunClaim, status: str, now: datetime, payload: dict | None) -> None:
    with session_scope(engine) as session:
        run = session.get(DigestRun, claim.id)
        if run is None:
            return
        run.status = status
        run.completed_at = now if status == DONE else None
        run.payload = {**(run.payload or {}), **(payload or {})}
        session.add(run)


def complete_run(engine: Engine, claim: RunClaim, now: datetime, payload: dict | None = None) -> None:
    """Mark the run done (it is never run again); `payload` is kept as the record of what was sent."""
    _finish(engine, claim, DONE, now, payload)


def fail_run(engine: Engine, claim: RunClaim, now: datetime, error: str) -> None:
    """Mark the run failed; it is retried once its lease has run out."""
    _finish(engine, claim, FAILED, now, {"error": error[:500]})


def stale_runs(engine: Engine, now: datetime, lease: timedelta, since: datetime) -> list[StaleRun]:
    """Runs claimed after `since`, not done and not renewed within the lease: the claimer died or failed."""
    with session_scope(engine) as session:
        rows = session.exec(
            select(DigestRun).where(
                DigestRun.status != DONE,
                col(DigestRun.claimed_at) < now - lease,
                col(DigestRun.claimed_at) > since,
            )
        ).all()
        return [StaleRun(run.target_key, run.period_key, dict(run.payload or {})) for run in rows]


def run_status(engine: Engine, target_key: str, period_key: str) -> str | None:
    with session_scope(engine) as session:
        run = session.exec(
            select(DigestRun).where(DigestRun.target_key == target_key, DigestRun.period_key == period_key)
        ).first()
        return run.status if run else None


def recent_claim_exists(engine: Engine, target_key: str, prefix: str, since: datetime) -> bool:
    """Whether a run of `target_key` whose period starts with `prefix` was claimed after `since`."""
    with session_scope(engine) as session:
        return (
            session.exec(
                select(DigestRun.id).where(
                    DigestRun.target_key == target_key,
                    col(DigestRun.period_key).startswith(prefix, autoescape=True),
                    col(DigestRun.claimed_at) > since,
                )
            ).first()
            is not None
        )
