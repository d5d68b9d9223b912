"""The durable work queue: nothing lost when a worker dies, nothing run twice at once."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from bot.runtime.worker import Worker
from storage.db import create_db_engine, session_scope
from storage.models import WorkItem
from storage.queue import DONE, FAILED, PENDING, claim, complete, depth, enqueue, fail
from storage.types import utcnow
from tests.conftest import postgres_url
from tests.support.slack_requests import wait_for


def test_enqueueing_twice_keeps_one_item(any_engine):
    with session_scope(any_engine) as session:
        assert enqueue(session, "analyze", "42") is True
        assert enqueue(session, "analyze", "42") is False
    assert depth(any_engine) == {PENDING: 1}


def test_two_workers_never_claim_the_same_item(any_engine):
    with session_scope(any_engine) as session:
        for n in range(5):
            enqueue(session, "analyze", str(n))
    first = claim(any_engine, "worker-a", ("analyze",), limit=3)
    second = claim(any_engine, "worker-b", ("analyze",), limit=10)
    assert len(first) == 3 and len(second) == 2
    assert not {i.id for i in first} & {i.id for i in second}


def test_a_dead_workers_item_is_claimed_again_when_its_lease_runs_out(any_engine):
    with session_scope(any_engine) as session:
        enqueue(session, "post_alert", "7")
    now = utcnow()
    [item] = claim(any_engine, "crashed", ("post_alert",), lease=timedelta(seconds=30), now=now)
    assert claim(any_engine, "other", ("post_alert",), now=now + timedelta(seconds=10)) == []
    [again] = claim(any_engine, "other", ("post_alert",), now=now + timedelta(seconds=31))
    assert again.id == item.id and again.attempts == 2


def test_a_failed_item_waits_for_its_retry_and_can_be_given_up(any_engine):
    with session_scope(any_engine) as session:
        enqueue(session, "post_alert", "8")
    now = utcnow()
    [item] = claim(any_engine, "w", ("post_alert",), now=now)
    fail(any_engine, item, "w", "slack 503", timedelta(minutes=1), now=now)
    assert claim(any_engine, "w", ("post_alert",), now=now + timedelta(seconds=59)) == []
    [retry] = claim(any_engine, "w", ("post_alert",), now=now + timedelta(seconds=61))
    fail(any_engine, retry, "w", "slack 503 again", None)
    assert depth(any_engine) == {FAILED: 1}


async def test_the_worker_retries_a_failing_handler_and_completes_a_good_one(sqlite_engine):
    calls: list[tuple[str, int]] = []

    async def flaky(subject: str, attempts: int) -> None:
        calls.append((subject, attempts))
        if subject == "bad":
            raise RuntimeError("connector down")

    worker = Worker(sqlite_engine)
    worker.register("post_alert", flaky)
    with session_scope(sqlite_engine) as session:
        enqueue(session, "post_alert", "good")
        enqueue(session, "post_alert", "bad")
    assert await worker.run_once() == 2
    with session_scope(sqlite_engine) as session:
        statuses = {w.subject: (w.status, w.last_error) for w in session.exec(select(WorkItem)).all()}
    assert statuses["good"] == (DONE, None)
    assert statuses["bad"][0] == PENDING and "connector down" in statuses["bad"][1]
    assert sorted(calls) == [("bad", 1), ("good", 1)]


async def test_an_outcome_the_database_refuses_once_is_recorded_on_the_next_try(sqlite_engine):
    """A connection dropped as an item finishes (a database restart or failover) fails the statement
    that records its outcome once; the worker tries again at once, so the item is done or set for its
    retry now, not one lease later."""
    refused: list[str] = []

    async def refuse_each_recording_once(function, *args, **kwargs):
        name = getattr(function, "__name__", "")
        if name in ("fail", "_complete_batch") and name not in refused:
            refused.append(name)
            raise OperationalError("UPDATE work_items", {}, Exception("terminating connection"))
        return await asyncio.to_thread(function, *args, **kwargs)

    async def handler(subject: str, attempts: int) -> None:
        if subject == "bad":
            raise RuntimeError("connector down")

    worker = Worker(sqlite_engine, lease_seconds=3600, offload=refuse_each_recording_once)
    worker.register("post_alert", handler)
    with session_scope(sqlite_engine) as session:
        enqueue(session, "post_alert", "good")
        enqueue(session, "post_alert", "bad")
    assert await worker.run_once() == 2
    with session_scope(sqlite_engine) as session:
        statuses = {w.subject: (w.status, w.locked_by) for w in session.exec(select(WorkItem)).all()}
    assert sorted(refused) == ["_complete_batch", "fail"]
    assert statuses == {"good": (DONE, None), "bad": (PENDING, None)}


def test_completing_needs_the_claim(any_engine):
    with session_scope(any_engine) as session:
        enqueue(session, "analyze", "1")
    [item] = claim(any_engine, "owner", ("analyze",))
    complete(any_engine, item, "someone-else")
    assert depth(any_engine) == {"running": 1}
    complete(any_engine, item, "owner")
    assert depth(any_engine) == {}


def test_workers_claiming_at_the_same_moment_share_the_items_out_once(any_engine):
    """Eight claims at once (threads; on PostgreSQL each its own connection): every item is
    claimed by exactly one of them, and none takes more than its limit."""
    with session_scope(any_engine) as session:
        for n in range(60):
            enqueue(session, "analyze", str(n))
    start = threading.Barrier(8)

    def claim_at_once(worker: int) -> list:
        start.wait()
        return claim(any_engine, f"worker-{worker}", ("analyze",), limit=10)

    with ThreadPoolExecutor(8) as pool:
        claims = list(pool.map(claim_at_once, range(8)))
    claimed = [item.id for items in claims for item in items]
    assert all(len(items) <= 10 for items in claims)
    assert len(claimed) == len(set(claimed)) == 60


@pytest.mark.postgres
async def test_an_item_finishing_as_the_server_drops_its_connections_is_done_once(postgres_engine):
    """The server drops the worker's connections right as an item finishes (a restart, an idle timeout,
    a pooler): the pool's pre-ping replaces the dead connection, so its completion is recorded and it
    is not run again; the item still running keeps its lease. Were a completion lost anyway (the
    connection dying mid-statement), the lease would run out and the item run again — never left
    `running` for good."""
    url = postgres_engine.url.update_query_dict({"application_name": "tw_dropped_completion"})
    engine = create_db_engine(url.render_as_string(hide_password=False))
    with session_scope(engine) as session:
        enqueue(session, "job", "quick")
        enqueue(session, "job", "held")
    worker = Worker(engine, poll_seconds=0.05, concurrency=2, lease_seconds=1.5)
    runs: list[str] = []
    release = asyncio.Event()

    async def handler(subject: str, attempts: int) -> None:
        runs.append(subject)
        if subject == "held":
            await release.wait()  # keeps the heartbeat busy renewing for the whole test
        elif runs.count("quick") == 1:
            with create_db_engine(postgres_url()).begin() as admin:
                admin.execute(
                    text(
                        "select pg_terminate_backend(pid) from pg_stat_activity"
                        " where application_name = 'tw_dropped_completion'"
                    )
                )

    def status(subject: str) -> str:  # asked on the test's own engine, not the worker's
        with session_scope(postgres_engine) as session:
            return session.exec(select(WorkItem.status).where(WorkItem.subject == subject)).one()

    worker.register("job", handler)
    running = asyncio.create_task(worker.run_forever())
    try:
        await wait_for(lambda: status("quick") == DONE, timeout=15, what="the quick item to be done")
        assert runs.count("quick") == 1 and status("held") == "running"
    finally:
        release.set()
        worker.stop()
        await asyncio.wait_for(running, 10)
        engine.dispose()
