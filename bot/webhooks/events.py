"""Recording outbound events.

`WebhookEvents.emit(tx, type, data)` runs inside the transaction that makes the change it
reports: the event's body (with its id and time, fixed now) and one `deliver_webhook` work item per
endpoint commit with the change or not at all. Retries send the same bytes, so a receiver can
de-duplicate on `id`. Customer text is never put in an event; ids, scores and labels are.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from storage.db import Transaction
from storage.queue import enqueue
from storage.types import utcnow
from storage.webhooks import add_event

DELIVER_WEBHOOK = "deliver_webhook"


def url_key(url: str) -> str:
    """A short stable key of an endpoint, for the work item's subject (URLs may be long)."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The X-Tonewatch-Signature header value: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">."""
    message = str(timestamp).encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


class WebhookEvents:
    """What is emitted, and to which endpoints (TONEWATCH_WEBHOOK_URLS / _EVENTS)."""

    def __init__(self, urls: Sequence[str] = (), enabled: Collection[str] = ()) -> None:
        self.urls = tuple(urls)
        self.enabled = frozenset(enabled)
        self.clock = utcnow

    def wants(self, kind: str) -> bool:
        return bool(self.urls) and kind in self.enabled

    def emit(
        self, tx: Transaction, kind: str, data: dict[str, Any], occurred_at: datetime | None = None
    ) -> str | None:
        """Record the event in `tx`'s transaction; returns its id (None when not sent)."""
        if not self.wants(kind):
            return None
        event_id = f"evt_{uuid.uuid4().hex}"
        moment = occurred_at or self.clock()
        body = json.dumps(
            {"type": kind, "id": event_id, "occurred_at": moment.isoformat(), "data": data},
            ensure_ascii=False,
            separators=(",", ":"),
            default=str,
        )
        row_id = add_event(tx, event_id, kind, moment, body)
        for url in self.urls:
            enqueue(tx, DELIVER_WEBHOOK, f"{row_id}:{url_key(url)}")
        return event_id


#: Emits nothing (no endpoints configured).
NO_EVENTS = WebhookEvents()
