"""What the Teams handlers share, handed to them by `build_teams` (no globals).

The generic helpers for answering fast and once (`Background`, `RecentKeys`)
live in `bot/chat/inflight.py`, shared with Slack.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.accounts.book import AccountBook
from bot.accounts.suppression import Suppression
from bot.alerts.service import AlertService
from bot.chat.inflight import Background, RecentKeys
from bot.config.settings import Settings
from bot.messages.pipeline import MessagePipeline
from bot.messages.places import PlaceRegistry
from bot.runtime.telemetry import Telemetry
from handlers.teams.activity import Turn
from handlers.teams.connector import TeamsConnector
from handlers.teams.poster import TeamsPoster
from storage.db import Engine
from storage.teams_conversations import TeamsConversations
from storage.tenants import DEFAULT_TENANT

if TYPE_CHECKING:
    from bot.questions.answer import Answer

log = logging.getLogger(__name__)

PLATFORM = "teams"


#: Answers a question one of our own people asked (question, asker's Teams id) with an
#: `bot.questions.answer.Answer`.
#: (question, asker, the asker's tenant) -> the answer, from that tenant's data.
QuestionHook = Callable[[str, str, str], Awaitable["Answer"]]


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
    recent: RecentKeys
    #: Starts queued work now (the worker's `wake`).
    wake: Callable[[], None]
    #: Answers "how is Acme doing?" (`bot.questions.service` through
    #: `handlers.teams.questions.core_answerer`); None answers with the help.
    questions: QuestionHook | None = None
    #: The account book and outreach suppression (`@Tonewatch account`, `@Tonewatch recovered`).
    book: AccountBook | None = None
    suppression: Suppression | None = None

    def tenant(self, turn: Turn) -> str:
        """Whose data an activity reads and writes: its Teams tenant (`teams:<tenant id>`) when the app
        is multi-tenant, else the default tenant (a single-tenant app serves one organization)."""
        if self.settings.teams_tenant_id or not turn.tenant_id:
            return DEFAULT_TENANT
        return f"teams:{turn.tenant_id.lower()}"
