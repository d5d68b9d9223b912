"""Runs the durable work queue inside the server's event loop.

Handlers are registered per kind; a handler that raises is retried with
backoff and, after `max_attempts`, left as failed (visible in /metrics) —
never dropped silently. Enqueuers call `wake()` so work starts at once
instead of at the next poll. While items run, a heartbeat renews their lease
every third of it, so a live worker keeps its items however long they take and
a dead worker's items are taken over one lease after its last heartbeat.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

from bot.runtime.group_commit import GroupCommit
from bot.runtime.loop_lag import AdaptiveLimit, LoopLag
from storage.db import Engine
from storage.queue import DEFAULT_LEASE, ClaimedItem, backoff, claim, complete_many, fail, renew

log = logging.getLogger(__name__)

Handler = Callable[[str, int], Awaitable[None]]

#: Pauses before recording an item's outcome again after the database refused it (seconds).
RECORD_RETRY_PAUSES = (0.05, 0.5)


class Worker:
    def __init__(
        self,
        engine: Engine,
        poll_seconds: float = 2.0,
        concurrency: int = 8,
        max_attempts: int = 8,
        lease_seconds: float = DEFAULT_LEASE.total_seconds(),
        offload: Callable[..., Awaitable[Any]] = asyncio.to_thread,
    ) -> None:
        self.engine = engine
        self.poll_seconds = poll_seconds
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.lease = timedelta(seconds=lease_seconds)
        #: Ids of the items between claim and complete/fail: what the heartbeat renews.
        self._running: set[int] = set()
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.handlers: dict[str, Handler] = {}
        #: Kinds that get more attempts than `max_attempts` (see `register`).
        self.attempts_of: dict[str, int] = {}
        self._wake = asyncio.Event()
        #: Where blocking queue calls run; `BackgroundThreads.run` keeps them off the request path.
        self.offload = offload
        self._stopping = False
        #: How many items may run right now: `concurrency`, less while the loop is late
        #: (bot/runtime/loop_lag.py).
        self.limit = AdaptiveLimit(concurrency)
        self.loop_lag = LoopLag(self.limit)
        #: Items finishing together are marked done in one statement (bot/runtime/group_commit.py).
        self._completions: GroupCommit[ClaimedItem, None] = GroupCommit(
            self._complete_batch, offload=lambda function, *args: self.offload(function, *args)
        )

    def _complete_batch(self, items: Sequence[ClaimedItem]) -> list[None]:
        complete_many(self.engine, items, self.worker_id)
        return [None] * len(items)

    def register(self, kind: str, handler: Handler, max_attempts: int | None = None) -> None:
        """`handler(subject, attempts)` runs the items of `kind`; `max_attempts` overrides the worker's."""
        self.handlers[kind] = handler
        if max_attempts is not None:
            self.attempts_of[kind] = max_attempts

    def wake(self) -> None:
        self._wake.set()

    async def run_once(self) -> int:
        """Claim and run what is due now, waiting for it; returns how many items were processed."""
        items = await self._claim(self.concurrency)
        await asyncio.gather(*(self._run_item(item) for item in items))
        return len(items)

    async def _claim(self, limit: int) -> list[ClaimedItem]:
        return await self.offload(
            claim, self.engine, self.worker_id, tuple(self.handlers), limit, lease=self.lease
        )

    async def _run_item(self, item: ClaimedItem) -> None:
        self._running.add(item.id)
        try:
            await self._run_claimed(item)
        finally:
            self._running.discard(item.id)

    async def _run_claimed(self, item: ClaimedItem) -> None:
        try:
            await self.handlers[item.kind](item.subject, item.attempts)
        except Exception as exc:  # noqa: BLE001 - a failed item is retried, never lost
            allowed = self.attempts_of.get(item.kind, self.max_attempts)
            retry = backoff(item.attempts) if item.attempts < allowed else None
            log.warning(
                "work item %s %s failed (attempt %s): %s",
                item.kind,
                item.subject,
                item.attempts,
                exc,
                exc_info=log.isEnabledFor(logging.DEBUG),
                extra={"work_item_kind": item.kind, "work_item": item.subject, "attempt": item.attempts},
            )
            error = f"{type(exc).__name__}: {exc}"
            await self._record_outcome(
                item, lambda: self.offload(fail, self.engine, item, self.worker_id, error, retry)
            )
            return
        await self._record_outcome(item, lambda: self._completions.submit(item))

    async def _record_outcome(self, item: ClaimedItem, record: Callable[[], Awaitable[object]]) -> None:
        """Mark the item done or failed. A dropped connection (a database restart or failover) fails the
        statement once and the pool hands out a fresh one, so the outcome is tried again at once: both
        statements only touch an item this worker still holds, so a second try never doubles anything.
        If the database still cannot be told, the item is no longer renewed and runs again once its
        lease is over — never stuck `running`."""
        for pause in (*RECORD_RETRY_PAUSES, None):
            try:
                await record()
                return
            except Exception as exc:  # noqa: BLE001 - tried again, then the lease is the retry
                if pause is None:
                    self._running.discard(item.id)
                    log.warning(
                        "could not record the end of work item %s %s; it runs again after its lease",
                        item.kind,
                        item.subject,
                        exc_info=exc,
                    )
                    return
            await asyncio.sleep(pause)

    async def run_forever(self) -> None:
        """Keep up to `concurrency` items in flight; claim more as soon as one finishes or work arrives."""
        in_flight: set[asyncio.Task] = set()
        heartbeat = asyncio.create_task(self._heartbeat(), name="tonewatch-work-lease")
        lag_monitor = asyncio.create_task(self.loop_lag.run(), name="tonewatch-loop-lag")

        def finished(task: asyncio.Task) -> None:
            in_flight.discard(task)
            self._wake.set()  # a slot is free

        try:
            while not self._stopping:
                # Cleared before counting: a slot freed or work enqueued from here on wakes the wait below.
                # (Waiting on the wake event alone, not on every running task: with hundreds in flight,
                # asyncio.wait over all of them on each wake-up cost a sixth of the event loop.)
                self._wake.clear()
                free = self.limit.value - len(in_flight)
                claimed = 0
                if free > 0:
                    try:
                        items = await self._claim(free)
                    except Exception:  # noqa: BLE001 - the database may be briefly unavailable
                        log.exception("work queue poll failed")
                        items = []
                    claimed = len(items)
                    for item in items:
                        task = asyncio.create_task(self._run_item(item))
                        in_flight.add(task)
                        task.add_done_callback(finished)
                if claimed and claimed == free:
                    continue  # there may be more due right now; claim again when a slot frees
                try:
                    await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
                except TimeoutError:
                    pass
        finally:
            if in_flight:
                await asyncio.gather(*in_flight, return_exceptions=True)
            heartbeat.cancel()
            lag_monitor.cancel()
            await asyncio.gather(heartbeat, lag_monitor, return_exceptions=True)

    async def _heartbeat(self) -> None:
        """Renew the lease of the items running here, every third of the lease."""
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            if not self._running:
                continue
            try:
                # Not `offload`: behind a queue of busy items in that small pool, a renewal could come late.
                running = frozenset(self._running)
                await asyncio.to_thread(renew, self.engine, self.worker_id, self.lease, ids=running)
            except Exception:  # noqa: BLE001 - the next beat (a third of a lease later) tries again
                log.warning("could not renew the work-item leases", exc_info=True)

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
