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
        self._stopping = False

    def register(self, kind: str, handler: Handler) -> None:
        self.handlers[kind] = handler

    def wake(self) -> None:
        self._wake.set()

    async def run_once(self) -> int:
        """Claim and run what is due now; returns how many items were processed."""
        items = await asyncio.to_thread(
            claim, self.engine, self.worker_id, tuple(self.handlers), self.concurrency * 2
        )
        gate = asyncio.Semaphore(self.concurrency)

        async def run(item: ClaimedItem) -> None:
            async with gate:
                await self._run_item(item)

        await asyncio.gather(*(run(item) for item in items))
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
            await asyncio.to_thread(
                fail, self.engine, item, self.worker_id, f"{type(exc).__name__}: {exc}", retry
            )
            return
        await asyncio.to_thread(complete, self.engine, item, self.worker_id)

    async def run_forever(self) -> None:
        while not self._stopping:
            try:
                processed = await self.run_once()
            except Exception:  # noqa: BLE001 - the database may be briefly unavailable
                log.exception("work queue poll failed")
                processed = 0
            if processed:
                continue
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            except TimeoutError:
                pass

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
