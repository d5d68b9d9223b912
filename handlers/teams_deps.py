"""What the Teams handlers share, handed to them by `build_teams` (no globals).

`Background` and `RecentActivities` are the two generic helpers the Teams
surface needs off the request path; Slack has equivalents in
`handlers/slack_deps.py` (`Background`, `SeenEvents`) — both belong in a
platform-free module once the lead moves them (see the Teams report).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from bot.alerts import AlertService
from bot.config import Settings
from bot.pipeline import MessagePipeline
from bot.places import PlaceRegistry
from bot.telemetry import Telemetry
from handlers.teams_connector import TeamsConnector
from handlers.teams_conversations import TeamsConversations
from handlers.teams_poster import TeamsPoster

if TYPE_CHECKING:
    from bot.answers import Answer

log = logging.getLogger(__name__)

PLATFORM = "teams"


class Background:
    """Work started from a turn that must not hold up Teams' answer (kept until done, drained at stop)."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task] = set()

    def spawn(self, work: Awaitable[Any], what: str) -> None:
        async def run() -> None:
            try:
                await work
            except Exception:  # noqa: BLE001 - logged with its traceback; Teams already has its answer
                log.exception("Teams background work failed: %s", what)

        task = asyncio.ensure_future(run())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def drain(self, timeout: float = 10.0) -> None:
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=timeout)


class RecentActivities:
    """Activity ids handled lately, so a redelivered activity does nothing twice in this process.

    Storing a message is idempotent by itself (its unique key); this covers the
    rest: answers, commands and button presses.
    """

    def __init__(self, ttl_seconds: float = 3600.0, max_entries: int = 20_000) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_time(self, key: str | None) -> bool:
        """True the first time `key` is offered (and records it); False for a repeat within the TTL."""
        if not key:
            return True
        now = time.monotonic()
        seen_at = self._seen.get(key)
        if seen_at is not None and seen_at > now - self.ttl:
            return False
        self._seen[key] = now
        self._seen.move_to_end(key)
        while len(self._seen) > self.max_entries:
            self._seen.popitem(last=False)
        return True

    def forget(self, key: str | None) -> None:
        """Let a failed attempt be tried again when Teams redelivers it."""
        if key:
            self._seen.pop(key, None)


#: Answers a question one of our own people asked (question, asker's Teams id) with a `bot.answers.Answer`.
QuestionHook = Callable[[str, str], Awaitable["Answer"]]


@dataclass
class TeamsDeps:
    settings: Settings
    engine: Engine
    pipeline: MessagePipeline
    places: PlaceRegistry
    alerts: AlertService
    telemetry: Telemetry
    conversations: TeamsConversations
    connector: TeamsConnector
    poster: TeamsPoster
    background: Background
    recent: RecentActivities
    #: Starts queued work now (the worker's `wake`).
    wake: Callable[[], None]
    #: Answers "how is Acme doing?" (`bot.questions` through `teams_questions.core_answerer`);
    #: None answers with the help.
    questions: QuestionHook | None = None
