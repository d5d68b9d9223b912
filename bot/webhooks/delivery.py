"""Delivering outbound events: one signed POST per endpoint, retried by the work queue.

A 2xx answer completes the delivery. Anything else (an error status, a refused connection, a
timeout) raises, so the worker puts the item back with growing backoff; the body and event id stay
the same on every attempt, only the timestamp and signature are fresh. The log names the event and
the endpoint's host, never the body.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from bot.webhooks.events import DELIVER_WEBHOOK, sign, url_key
from storage.db import Engine, read_transaction
from storage.webhooks import event_body

log = logging.getLogger(__name__)

#: About a day of tries: the backoff doubles from 2 s up to 10 minutes between them.
MAX_ATTEMPTS = 150


class DeliveryFailed(Exception):
    pass


class WebhookDelivery:
    def __init__(
        self,
        engine: Engine,
        urls: Sequence[str],
        secret: str,
        timeout: float = 10.0,
        offload: Callable[..., Awaitable[Any]] = asyncio.to_thread,
    ) -> None:
        self.engine = engine
        self.by_key = {url_key(url): url for url in urls}
        self.secret = secret
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        #: Where blocking calls run (see bot/runtime/threads.py).
        self.offload = offload
        self._session: aiohttp.ClientSession | None = None

    def register(self, worker) -> None:
        worker.register(DELIVER_WEBHOOK, self.deliver, max_attempts=MAX_ATTEMPTS)

    def _load(self, row_id: int) -> tuple[str, str] | None:
        with read_transaction(self.engine) as tx:
            return event_body(tx, row_id)

    async def deliver(self, subject: str, attempts: int) -> None:
        row, _, key = subject.partition(":")
        url = self.by_key.get(key)
        if url is None:
            log.warning("webhook endpoint of %s is no longer configured; not sent", subject)
            return
        found = await self.offload(self._load, int(row))
        if found is None:
            return  # erased (forget) before it was sent
        event_id, body = found
        payload = body.encode("utf-8")
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Tonewatch-Webhooks/1",
            "X-Tonewatch-Event-Id": event_id,
            "X-Tonewatch-Timestamp": str(timestamp),
            "X-Tonewatch-Signature": sign(self.secret, timestamp, payload),
        }
        host = urlsplit(url).hostname
        try:
            async with self._client().post(url, data=payload, headers=headers) as response:
                await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryFailed(f"event {event_id} to {host}: {type(exc).__name__}") from None
        if not 200 <= status < 300:
            raise DeliveryFailed(f"event {event_id} to {host}: HTTP {status}")
        log.debug("webhook %s delivered to %s (attempt %s)", event_id, host, attempts)

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        return self._session

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
