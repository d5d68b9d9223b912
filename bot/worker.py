"""Runs the durable work queue inside the server's event loop.

Handlers are registered per kind; a handler that raises is retried with
backoff and, after `max_attempts`, left as failed (visible in /metrics) —
never dropped silently. Enqueuers call `wake()` so work starts at once
instead of at the next poll.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable

from sqlalchemy import Engine

from storage.queue import ClaimedItem, backoff, claim, complete, fail

log = logging.getLogger(__name__)

Handler = Callable[[str, int], Awaitable[None]]


class Worker:
    def __init__(
        self, engine: Engine, poll_seconds: float = 2.0, concurrency: int = 8, max_attempts: int = 8
    ) -> None:
        self.engine = engine
        self.poll_seconds = poll_seconds
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.handlers: dict[str, Handler] = {}
        self._wake = asyncio.Event()
        #: Where blocking queue calls run; `BackgroundThreads.run` keeps them off the request path.
        self.offload = asyncio.to_thread
        self._stopping = False

    def register(self, kind: str, handler: Handler) -> None:
        self.handlers[kind] = handler

    def wake(self) -> None:
        self._wake.set()

    async def run_once(self) -> int:
        """Claim and run what is due now, waiting for it; returns how many items were processed."""
        items = await self.offload(claim, self.engine, self.worker_id, tuple(self.handlers), self.concurrency)
        await asyncio.gather(*(self._run_item(item) for item in items))
        return len(items)

    async def _run_item(self, item: ClaimedItem) -> None:
        try:
            await self.handlers[item.kind](item.subject, item.attempts)
        except Exception as exc:  # noqa: BLE001 - a failed item is retried, never lost
            retry = backoff(item.attempts) if item.attempts < self.max_attempts else None
            log.warning(
                "work item %s %s failed (attempt %s): %s",
                item.kind,
                item.subject,
                item.attempts,
                exc,
                exc_info=log.isEnabledFor(logging.DEBUG),
            )
            await self.offload(fail, self.engine, item, self.worker_id, f"{type(exc).__name__}: {exc}", retry)
            return
        await self.offload(complete, self.engine, item, self.worker_id)

    async def run_forever(self) -> None:
        """Keep up to `concurrency` items in flight; claim more as soon as one finishes or work arrives."""
        in_flight: set[asyncio.Task] = set()
        try:
            while not self._stopping:
                free = self.concurrency - len(in_flight)
                claimed = 0
                if free > 0:
                    self._wake.clear()
                    try:
                        items = await self.offload(
                            claim, self.engine, self.worker_id, tuple(self.handlers), free
                        )
                    except Exception:  # noqa: BLE001 - the database may be briefly unavailable
                        log.exception("work queue poll failed")
                        items = []
                    claimed = len(items)
                    for item in items:
                        in_flight.add(asyncio.create_task(self._run_item(item)))
                if claimed and claimed == free:
                    continue  # there may be more due right now; claim again when a slot frees
                waiters: set[asyncio.Future] = {asyncio.ensure_future(self._wake.wait()), *in_flight}
                done, _ = await asyncio.wait(
                    waiters, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED
                )
                in_flight -= {task for task in done if task in in_flight}
                for waiter in waiters - in_flight:
                    if waiter not in done:
                        waiter.cancel()
        finally:
            if in_flight:
                await asyncio.gather(*in_flight, return_exceptions=True)

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
