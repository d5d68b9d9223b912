"""The worker yields the event loop to requests: fewer items at once while the loop is late."""

from __future__ import annotations

import asyncio
import time

from bot.runtime.loop_lag import AdaptiveLimit, LoopLag


def test_a_late_loop_shrinks_the_limit_multiplicatively_down_to_the_floor() -> None:
    limit = AdaptiveLimit(ceiling=256, floor=2, target_lag=0.02)
    assert limit.observe(0.1) == 192
    assert limit.observe(0.1) == 144
    for _ in range(40):
        limit.observe(0.5)
    assert limit.value == 2  # never zero: durable work still progresses


def test_an_on_time_loop_grows_the_limit_back_one_step_at_a_time_to_the_ceiling() -> None:
    limit = AdaptiveLimit(ceiling=8, floor=2, target_lag=0.02)
    for _ in range(10):
        limit.observe(1.0)
    assert limit.value == 2
    assert limit.observe(0.015) == 2  # between half the target and the target: hold
    assert [limit.observe(0.001) for _ in range(8)] == [3, 4, 5, 6, 7, 8, 8, 8]


async def test_blocking_the_loop_is_measured_and_lowers_the_limit() -> None:
    limit = AdaptiveLimit(ceiling=64, floor=2)
    monitor = LoopLag(limit, tick=0.01)
    task = asyncio.create_task(monitor.run())
    try:
        await asyncio.sleep(0.05)  # a few on-time ticks first
        time.sleep(0.2)  # a callback hogging the loop, as a burst of LLM answers would
        deadline = asyncio.get_running_loop().time() + 2
        while limit.value == 64 and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.01)
        assert monitor.lag >= 0.1 or limit.value < 64
        assert limit.value <= 48
    finally:
        task.cancel()
