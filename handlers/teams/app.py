"""The Teams surface: the Microsoft 365 Agents SDK's CloudAdapter and Tonewatch's bot, at POST /api/messages.

`build_teams` is called by the composition root with the core's parts; it
creates the adapter and the bot (nothing at import). Every import of the SDK
(`microsoft_agents`) lives in `handlers/teams/`, behind the core's interfaces
(`bot.outbound.port.Poster`), as Slack's SDK lives in `handlers/slack/`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.accounts.book import AccountBook
from bot.accounts.suppression import Suppression
from bot.alerts.service import AlertService
from bot.chat.inflight import Background, RecentKeys
from bot.config.settings import Settings
from bot.messages.pipeline import MessagePipeline
from bot.messages.places import PlaceRegistry
from bot.runtime.server import Surface
from bot.runtime.telemetry import Telemetry
from handlers.teams.adapter import PUBLIC_CLOUD, BotEndpoints, build_adapter
from handlers.teams.bot import TeamsBot
from handlers.teams.connector import TeamsConnector
from handlers.teams.deps import TeamsDeps
from handlers.teams.http import PATH, messages_route, quiet_model_errors
from handlers.teams.poster import TeamsPoster
from handlers.teams.questions import core_answerer
from handlers.teams.tokens import TokenCheck
from storage.db import Engine
from storage.teams_conversations import TeamsConversations

log = logging.getLogger(__name__)

LOCAL_MODE_WARNING = (
    "Teams LOCAL DEVELOPMENT MODE (TEAMS_LOCAL_DEV, no TEAMS_APP_ID): tokens are not checked, "
    "so /api/messages answers loopback requests only"
)


@dataclass
class TeamsRuntime:
    bot: TeamsBot
    deps: TeamsDeps
    #: Teams' outbound port: alerts, thread notes, digests, notices (`bot.outbound.port.Poster`).
    poster: TeamsPoster
    surface: Surface


def build_teams(
    settings: Settings,
    engine: Engine,
    pipeline: MessagePipeline,
    places: PlaceRegistry,
    alerts: AlertService,
    telemetry: Telemetry,
    wake: Callable[[], None],
    endpoints: BotEndpoints | None = None,
    offload: Callable[..., Awaitable[Any]] | None = None,
    book: AccountBook | None = None,
    suppression: Suppression | None = None,
) -> TeamsRuntime:
    """The Teams surface; `offload` is where the worker-side posting runs its blocking calls."""
    mode = settings.teams_mode
    if mode is None:
        raise ValueError("Teams is not configured")
    quiet_model_errors()
    adapter = build_adapter(settings, endpoints)
    conversations = TeamsConversations(engine)
    connector = TeamsConnector(
        adapter,
        settings.teams_app_id or "",
        conversations,
        observe=telemetry.platform_api_failed,
        offload=offload or asyncio.to_thread,
    )
    poster = TeamsPoster(connector, places, settings.teams_tenant_id)
    deps = TeamsDeps(
        settings=settings,
        engine=engine,
        pipeline=pipeline,
        places=places,
        alerts=alerts,
        telemetry=telemetry,
        conversations=conversations,
        connector=connector,
        poster=poster,
        background=Background("Teams"),
        recent=RecentKeys(),
        wake=wake,
        book=book or AccountBook(engine),
        suppression=suppression or Suppression(engine),
        questions=core_answerer(engine, settings),
    )
    bot = TeamsBot(deps)
    tokens: TokenCheck | None = None
    if mode == "local":
        log.warning(LOCAL_MODE_WARNING)
        describe = f"Teams at {PATH} — LOCAL DEVELOPMENT MODE: no token checks, loopback requests only"
    else:
        tokens = TokenCheck(settings.teams_app_id or "", endpoints or PUBLIC_CLOUD)
        tenancy = f"single-tenant {settings.teams_tenant_id}" if settings.teams_tenant_id else "multi-tenant"
        describe = f"Teams at {PATH} (app {settings.teams_app_id}, {tenancy}, tokens verified)"

    async def stop() -> None:
        await deps.background.drain()
        await adapter.clients.close()  # after the background posts that use them

    surface = Surface(
        name="teams",
        routes=[messages_route(adapter, bot.on_turn, settings, telemetry, tokens)],
        stop=stop,
        describe=describe,
    )
    return TeamsRuntime(bot, deps, poster, surface)
