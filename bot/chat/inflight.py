"""Two helpers every chat surface needs to answer fast and only once.

`Background` keeps work started after a platform got its answer (so it is not
garbage-collected and can be drained at shutdown); `RecentKeys` remembers
event or activity ids handled lately, so a redelivery does nothing twice in
this process. Storing a message is idempotent by itself (its unique key);
`RecentKeys` covers the rest: answers, commands, button presses.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable
from typing import Any

log = logging.getLogger(__name__)


class Background:
    """Work that must not hold up a platform's answer; kept until done, drained at stop."""

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.tasks: set[asyncio.Task] = set()

    def spawn(self, work: Awaitable[Any], what: str) -> None:
        async def run() -> None:
            try:
                await work
            except Exception:  # noqa: BLE001 - logged with its traceback; the platform already has its answer
                log.exception("%s background work failed: %s", self.platform, what)

        task = asyncio.ensure_future(run())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def drain(self, timeout: float = 10.0) -> None:
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=timeout)


class RecentKeys:
    """Keys seen within `ttl_seconds` (bounded to `max_entries`, oldest dropped first)."""

    def __init__(self, ttl_seconds: float = 3600.0, max_entries: int = 20_000) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._seen: OrderedDict[str, float] = OrderedDict()

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        seen_at = self._seen.get(key)
        return seen_at is not None and seen_at > time.monotonic() - self.ttl

    def add(self, key: str | None) -> None:
        if not key:
            return
        self._seen[key] = time.monotonic()
        self._seen.move_to_end(key)
        while len(self._seen) > self.max_entries:
            self._seen.popitem(last=False)

    def first_time(self, key: str | None) -> bool:
        """True the first time `key` is offered (and records it); False for a repeat within the TTL."""
        if not key:
            return True
        if key in self:
            return False
        self.add(key)
        return True

    def forget(self, key: str | None) -> None:
        """Let a failed attempt be tried again when the platform redelivers it."""
        if key:
            self._seen.pop(key, None)
