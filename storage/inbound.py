"""The one message type the core knows, as it is stored. Handlers translate platform events into it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum


class SourceKind(StrEnum):
    chat = "chat"
    email = "email"
    ticket = "ticket"
    nps = "nps"
    csat = "csat"
    call = "call"
    other = "other"


@dataclass(frozen=True)
class InboundMessage:
    """A message as the core sees it, whatever platform it came from.

    `external_id` is the platform's own id (Slack ts, Teams activity id,
    Message-ID); together with `platform` and `place_key` it identifies the
    message, so a redelivery finds the stored copy instead of adding one.
    """

    platform: str
    external_id: str
    text: str
    created_at: datetime
    account: str | None = None
    place_key: str = ""
    source_kind: SourceKind = SourceKind.chat
    author: str = ""
    author_email: str | None = None
    is_customer: bool = True
    thread_key: str | None = None
    source_score: float | None = None
    context: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.created_at.tzinfo is None:
            object.__setattr__(self, "created_at", self.created_at.replace(tzinfo=UTC))
