"""Messages arriving together share a transaction; each caller still hears its own outcome."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime

import pytest

from bot.analysis.offline import OfflineAnalyzer
from bot.messages.pipeline import MessagePipeline
from bot.runtime.group_commit import GroupCommit
from storage.db import WriterLock
from storage.inbound import InboundMessage


def inbound(n: int, text: str = "The export failed again.") -> InboundMessage:
    return InboundMessage(
        platform="slack",
        external_id=f"1763900000.{n:06d}",
        text=text,
        created_at=datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
        account="Acme Corp",
        place_key="C0SHARED",
        author="Dana",
        is_customer=True,
    )


async def test_arrivals_during_a_flush_share_the_next_transaction() -> None:
    batches: list[list[int]] = []
    first_flush_started = threading.Event()
    release_first_flush = threading.Event()

    def write_batch(items):
        batches.append(list(items))
        if len(batches) == 1:
            first_flush_started.set()
            release_first_flush.wait(5)
        return [item * 10 for item in items]

    group = GroupCommit(write_batch)
    first = asyncio.create_task(group.submit(1))
    await asyncio.to_thread(first_flush_started.wait, 5)
    later = [asyncio.create_task(group.submit(n)) for n in (2, 3, 4)]
    await asyncio.sleep(0)  # let them queue behind the running flush
    release_first_flush.set()
    assert await first == 10
    assert await asyncio.gather(*later) == [20, 30, 40]
    assert batches == [[1], [2, 3, 4]]


async def test_an_item_that_fails_fails_alone_and_a_failed_transaction_fails_everyone() -> None:
    def write_batch(items):
        if "boom" in items:
            raise RuntimeError("database unavailable")
        return [ValueError(f"bad {item}") if item == "bad" else item.upper() for item in items]

    group = GroupCommit(write_batch)
    good, bad = await asyncio.gather(group.submit("ok"), group.submit("bad"), return_exceptions=True)
    assert good == "OK"
    assert isinstance(bad, ValueError) and "bad bad" in str(bad)
    with pytest.raises(RuntimeError, match="database unavailable"):
        await group.submit("boom")
    assert await group.submit("again") == "AGAIN"  # the next flush works


async def test_the_pipeline_stores_concurrent_arrivals_once_each(any_engine) -> None:
    pipeline = MessagePipeline(any_engine, OfflineAnalyzer())
    arrivals = [inbound(n) for n in range(40)] + [inbound(n) for n in range(0, 40, 4)]  # redeliveries
    stored = await asyncio.gather(*(pipeline.store_durably(item) for item in arrivals))
    created = [s for s in stored if s.created]
    assert len(created) == 40
    assert len({s.id for s in stored}) == 40
    assert [s.created for s in stored[40:]] == [False] * 10
    assert pipeline.pending_ids(limit=100) == sorted(s.id for s in created)


def test_an_urgent_writer_goes_before_waiting_background_writers() -> None:
    lock = WriterLock()
    order: list[str] = []
    lock.acquire()  # a background transaction is running

    def writer(name: str, urgent: bool, queued: threading.Event) -> None:
        queued.set()
        lock.acquire(urgent=urgent)
        order.append(name)
        lock.release()

    threads = []
    for name, urgent in (("background-1", False), ("background-2", False), ("ack", True)):
        queued = threading.Event()
        thread = threading.Thread(target=writer, args=(name, urgent, queued))
        thread.start()
        queued.wait(5)
        threads.append(thread)
    # Release only once all three are blocked on the lock, not merely started.
    for _ in range(1000):
        if lock.waiting == 3:
            break
        threading.Event().wait(0.005)
    assert lock.waiting == 3
    lock.release()
    for thread in threads:
        thread.join(5)
    assert order[0] == "ack"
    assert sorted(order[1:]) == ["background-1", "background-2"]


def test_the_writer_lock_is_reentrant_and_refuses_a_foreign_release() -> None:
    lock = WriterLock()
    lock.acquire()
    lock.acquire(urgent=True)
    lock.release()
    errors: list[Exception] = []

    def foreign_release() -> None:
        try:
            lock.release()
        except RuntimeError as exc:
            errors.append(exc)

    thread = threading.Thread(target=foreign_release)
    thread.start()
    thread.join(5)
    lock.release()
    assert len(errors) == 1
    lock.acquire()  # free again
    lock.release()


def test_a_batch_is_stored_in_a_few_statements_with_redeliveries_recognised(any_engine, caplog) -> None:
    """The batch path (storage/bulk_store.py) gives what storing one by one gives, in a few statements."""
    from sqlalchemy import event

    pipeline = MessagePipeline(any_engine, OfflineAnalyzer())
    [earlier] = pipeline.store_batch([inbound(1)])
    statements: list[str] = []
    event.listen(any_engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    batch = [inbound(n) for n in range(2, 42)] + [inbound(1), inbound(2)]  # one stored before, one twice here
    with caplog.at_level("INFO", logger="bot.messages.pipeline"):
        results = pipeline.store_batch(batch)
    assert "one by one" not in caplog.text
    assert [r.created for r in results] == [True] * 40 + [False, False]
    assert results[-2].id == earlier.id and results[-1].id == results[0].id
    assert len(statements) <= 12  # not ~10 per message
    assert pipeline.pending_ids(limit=100) == sorted([earlier.id] + [r.id for r in results[:40]])
