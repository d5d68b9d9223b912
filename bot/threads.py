"""A thread pool kept for background work, so it never queues in front of a request.

Blocking calls (SQL, mostly) made while Slack or Teams waits for an answer use
asyncio's default executor; the worker's many concurrent items use this pool
instead. Without the split, a busy worker fills the default executor and the
"store before ack" step of an incoming event waits behind it.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class BackgroundThreads:
    def __init__(self, size: int = 3) -> None:
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="tonewatch-work")

    async def run(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=False)
