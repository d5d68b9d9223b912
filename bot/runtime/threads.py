"""Thread pools: one kept for background work, and the loop's default one sized for requests.

Blocking calls (SQL, mostly) made while Slack or Teams waits for an answer use
asyncio's default executor; the worker's many concurrent items use
`BackgroundThreads` instead. Without the split, a busy worker fills the default
executor and the "store before ack" step of an incoming event waits behind it.

One library does not take part in the split: MSAL, under the Teams adapter,
fetches Teams' access tokens in a thread of the default executor, for work
items' posts too. Python sizes that pool at cores + 4 (six here), so six posts
waiting on a slow token service would hold every acknowledgement, on every
platform. `size_default_executor` makes it larger than the worker can ever fill.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


#: Default-executor threads left for requests when every work item waits on a Teams token.
REQUEST_THREADS = 8


def size_default_executor(worker_concurrency: int) -> ThreadPoolExecutor:
    """Give the running loop a default executor that work items' Teams token fetches cannot exhaust.

    Its threads start only when needed (as Python's default pool's do), so the size costs nothing
    until the token service is slow."""
    executor = ThreadPoolExecutor(
        max_workers=worker_concurrency + REQUEST_THREADS, thread_name_prefix="tonewatch-request"
    )
    asyncio.get_running_loop().set_default_executor(executor)
    return executor


class BackgroundThreads:
    def __init__(self, size: int = 3) -> None:
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="tonewatch-work")

    async def run(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=False)
