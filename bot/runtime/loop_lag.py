"""Back-pressure for the worker: run fewer items at once while the event loop is late.

One asyncio loop serves Slack, Teams and /ingest *and* runs the worker's items
(LLM calls, posts). Every request waits for its turn on that loop, so when the
worker keeps it busy, acknowledgements slow down — and Slack redelivers after
3 seconds. Work items are durable in the database and can wait; requests cannot.
`LoopLag` measures how late the loop runs a timer; `AdaptiveLimit` shrinks the
worker's concurrency multiplicatively while the loop is late and grows it back
one step at a time when it is on time again (AIMD, as TCP does with its window).
"""

from __future__ import annotations

import asyncio

#: Lateness above which the worker starts fewer items (what a request may wait before it is read).
TARGET_LAG_SECONDS = 0.02
TICK_SECONDS = 0.025


class AdaptiveLimit:
    def __init__(self, ceiling: int, floor: int = 2, target_lag: float = TARGET_LAG_SECONDS) -> None:
        self.ceiling = max(1, ceiling)
        self.floor = min(self.ceiling, max(1, floor))
        self.target_lag = target_lag
        self.value = self.ceiling

    def observe(self, lag: float) -> int:
        if lag > self.target_lag:
            self.value = max(self.floor, int(self.value * 0.75))
        elif lag < self.target_lag / 2 and self.value < self.ceiling:
            self.value += 1
        return self.value


class LoopLag:
    """The loop's lateness, sampled every `tick` seconds and fed to `limit`."""

    def __init__(self, limit: AdaptiveLimit, tick: float = TICK_SECONDS) -> None:
        self.limit = limit
        self.tick = tick
        self.lag = 0.0

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(self.tick)
            self.lag = max(0.0, loop.time() - started - self.tick)
            self.limit.observe(self.lag)
