"""Group commit: messages that arrive together are stored in one transaction.

Every inbound message must be durable before the platform hears "got it"
(Slack gives up after 3 seconds and redelivers). One transaction per message
makes each request queue for the database's writer — on SQLite there is one —
and pay its own commit. Here the first arrival starts a flush in a thread;
whatever arrives while it runs waits for the next flush, which takes it all
at once. Under light load a flush holds one message (no added delay); under
heavy load the batch grows and the cost per message falls.

The worker batches the same way what its many concurrent items do one by one:
reading a message to analyze, saving an analysis with its alert decision, and
marking an item done (bot/messages/pipeline.py, bot/runtime/worker.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

#: Stores a batch in one transaction; returns, per item, its result or the exception it alone raised.
BatchWriter = Callable[[Sequence[Item]], Sequence["Result | BaseException"]]


class GroupCommit(Generic[Item, Result]):
    def __init__(
        self,
        write_batch: BatchWriter[Item, Result],
        max_batch: int = 500,
        offload: Callable[..., Awaitable[Any]] | None = None,
    ) -> None:
        self._write_batch = write_batch
        self._max_batch = max_batch
        #: Runs the blocking batch write: a thread of the default pool unless the owner says otherwise.
        self._offload = offload or asyncio.to_thread
        self._waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self._flushing = False

    async def submit(self, item: Item) -> Result:
        """Returns once `item` is committed (or raises what storing it raised)."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if not self._flushing:
            self._flushing = True
            asyncio.create_task(self._flush())
        # Shielded: a caller that goes away (a client disconnect) must not cancel others' commit.
        return await asyncio.shield(future)

    async def _flush(self) -> None:
        try:
            while self._waiting:
                batch = self._waiting[: self._max_batch]
                del self._waiting[: self._max_batch]
                try:
                    results = await self._offload(self._write_batch, [item for item, _ in batch])
                except BaseException as exc:  # the whole transaction failed: every waiter hears why
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    if not isinstance(exc, Exception):
                        raise
                    continue
                for (_, future), result in zip(batch, results, strict=True):
                    if future.done():
                        continue
                    if isinstance(result, BaseException):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
        finally:
            self._flushing = False
            # Anything submitted between the last check and here still needs a flush.
            if self._waiting:
                self._flushing = True
                asyncio.get_running_loop().create_task(self._flush())
