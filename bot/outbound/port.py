"""The posting port: the core hands digests and alerts to a `Poster`; each platform implements one.

This module ships the console poster (terminal text or JSON lines). The Slack
and Teams posters implement the same three methods; the scheduler and the
alerting code only ever see `Poster`.
"""

from __future__ import annotations

import abc
import json
import sys
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from storage.tenants import DEFAULT_TENANT

if TYPE_CHECKING:
    from bot.digest.build import AttentionList, Digest
    from storage.models import DigestTarget


@dataclass(frozen=True)
class Destination:
    """Where a digest or list goes, as a poster needs it (built from a stored `DigestTarget`)."""

    key: str
    platform: str
    address: str = ""
    kind: str = "channel"
    owner: str | None = None
    timezone: str = "UTC"

    @classmethod
    def from_target(cls, target: DigestTarget) -> Destination:
        return cls(
            key=target.key,
            platform=target.platform,
            address=target.destination,
            kind=target.kind,
            owner=target.owner,
            timezone=target.timezone,
        )


@dataclass
class AlertNotice:
    """Something that needs a person now (an SLA breach, a systemic incident, a daily attention list).

    `key` is stable for the event, so a poster can make posting idempotent
    (the scheduler already posts each key once). `owner` and `account` are for
    routing: a poster may DM the account's owner or use the alert channel.
    """

    kind: str
    key: str
    title: str
    lines: list[str] = field(default_factory=list)
    severity: str = "warning"
    account: str | None = None
    owner: str | None = None
    message_ids: list[int] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    #: Whose notice it is: without a target it goes to this tenant's alert channel.
    tenant: str = DEFAULT_TENANT

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "key": self.key,
            "title": self.title,
            "lines": list(self.lines),
            "severity": self.severity,
            "account": self.account,
            "owner": self.owner,
            "message_ids": list(self.message_ids),
            "data": self.data,
        }

    def render_text(self) -> str:
        return "\n".join([self.title, *(f" • {line}" for line in self.lines)])


@dataclass(frozen=True)
class PostReceipt:
    """What a poster did: its name and the platform's reference to the post (a Slack ts), if any."""

    poster: str
    ref: str | None = None


class Poster(abc.ABC):
    """Delivers core objects to people. Implementations must not mutate what they are given."""

    name: str = "poster"

    @abc.abstractmethod
    async def post_digest(self, target: Destination, digest: Digest) -> PostReceipt:
        """Post a weekly digest to `target`. Raise on failure; the scheduler retries after its lease."""

    @abc.abstractmethod
    async def post_alert(self, alert: AlertNotice, target: Destination | None = None) -> PostReceipt:
        """Post an alert. `target` None means the poster's own alert route (alert channel, owner DM)."""

    async def post_attention(self, target: Destination, attention: AttentionList) -> PostReceipt:
        """Post the daily attention list; by default as an alert to `target`."""
        return await self.post_alert(attention.to_notice(), target)


class ConsolePoster(Poster):
    """Writes to a terminal (readable text) or as JSON lines (one object per post)."""

    name = "console"

    def __init__(self, stream: TextIO | None = None, as_json: bool = False) -> None:
        self.stream = stream
        self.as_json = as_json
        self._lock = threading.Lock()

    def _write(self, text: str) -> None:
        stream = self.stream or sys.stdout
        stream.write(text + "\n")
        stream.flush()

    async def post_digest(self, target: Destination, digest: Digest) -> PostReceipt:
        from bot.digest.render import render_digest_text

        with self._lock:
            if self.as_json:
                self._write(
                    json.dumps(
                        {"type": "digest", "target": target.key, **digest.to_json()}, ensure_ascii=False
                    )
                )
            else:
                self._write(f"— digest for {target.key} —\n{render_digest_text(digest)}\n")
        return PostReceipt(self.name, f"{target.key}:{digest.period.key}")

    async def post_alert(self, alert: AlertNotice, target: Destination | None = None) -> PostReceipt:
        with self._lock:
            if self.as_json:
                self._write(
                    json.dumps(
                        {"type": "alert", "target": target.key if target else None, **alert.to_json()},
                        ensure_ascii=False,
                    )
                )
            else:
                where = f" → {target.key}" if target else ""
                self._write(f"— {alert.kind}{where} —\n{alert.render_text()}\n")
        return PostReceipt(self.name, alert.key)
