"""What the Slack listeners share, handed to them by the composition root (no globals)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from slack_sdk.web.async_client import AsyncWebClient

from bot.accounts.book import AccountBook
from bot.accounts.suppression import Suppression
from bot.alerts.service import AlertService
from bot.chat.inflight import Background, RecentKeys
from bot.config.settings import Settings
from bot.messages.pipeline import MessagePipeline
from bot.messages.places import PlaceRegistry
from bot.runtime.telemetry import Telemetry
from handlers.slack.clients import Home, SlackClients
from handlers.slack.directory import SlackDirectory
from handlers.slack.poster import SlackPoster
from storage.db import Engine
from storage.slack_installations import ChannelTeams
from storage.tenants import DEFAULT_TENANT

log = logging.getLogger(__name__)

PLATFORM = "slack"


@dataclass
class AnswerPlace:
    """Where the answer to one of our own people's question goes, already decided by the listener.

    A DM, or a thread under the mention in an internal channel: a message, and images may follow.
    A channel customers can read (`private` is set): an ephemeral message only the asker sees, and
    no image (a file cannot be shown to one person). Every post goes through `SlackPoster`'s checks.
    """

    poster: SlackPoster
    channel: str
    user: str
    thread_ts: str | None = None
    #: Set where customers can read: the client and our workspace, for the ephemeral answer.
    private: tuple[AsyncWebClient, Home] | None = None
    #: The asker's tenant: the answer reads its data only.
    tenant: str = DEFAULT_TENANT

    async def say(self, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        if self.private is not None:
            client, home = self.private
            await self.poster.whisper(client, self.channel, self.user, home, text, blocks)
        else:
            await self.poster.post_message(self.channel, text, blocks, thread_ts=self.thread_ts)

    async def __call__(self, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        await self.say(text, blocks)

    @property
    def shows_images(self) -> bool:
        return self.private is None

    async def image(self, png: bytes, filename: str, title: str) -> bool:
        """Share a PNG with the answer; False (nothing shared) where only the asker may see the answer."""
        if self.private is not None:
            return False
        await self.poster.upload_image(self.channel, png, filename, title, thread_ts=self.thread_ts)
        return True


class QuestionHandler(Protocol):
    """Answers a question one of our own people asked (a mention or a DM), through `place`."""

    async def __call__(self, question: str, user: str, place: AnswerPlace) -> None: ...


class HomeViewBuilder(Protocol):
    """The App Home tab for one of our own people, from their tenant's data."""

    async def __call__(self, user: str, tenant: str) -> dict[str, Any]: ...


@dataclass
class SlackDeps:
    settings: Settings
    engine: Engine
    pipeline: MessagePipeline
    places: PlaceRegistry
    alerts: AlertService
    telemetry: Telemetry
    clients: SlackClients
    directory: SlackDirectory
    poster: SlackPoster
    #: Event ids handled lately: a redelivery does nothing twice.
    recent: RecentKeys
    background: Background
    #: Starts queued work now (the worker's `wake`).
    wake: Callable[[], None]
    channel_teams: ChannelTeams | None = None
    #: The account book and outreach suppression (`/tonewatch account`, `/tonewatch recovered`).
    book: AccountBook | None = None
    suppression: Suppression | None = None

    def quick(self, client: AsyncWebClient) -> AsyncWebClient:
        return self.clients.quick(client)

    def tenant(self, home: Home) -> str:
        """Whose data a request in `home` reads and writes: its workspace (or org) when Tonewatch is
        installed in many over OAuth, else the default tenant (a single-token app serves one organization)."""
        return home.workspace_tenant if self.channel_teams is not None else DEFAULT_TENANT

    async def remember_channel(self, channel: str | None, home: Home) -> None:
        """With many workspaces, note the channel's workspace for posts made later by the worker."""
        if self.channel_teams is not None and channel and home.team_id:
            await asyncio.to_thread(self.channel_teams.remember, channel, home.team_id, home.enterprise_id)


def home_of(context: Any) -> Home:
    """Our workspace for this request: the installation that received it."""
    authorized = context.authorize_result
    team = context.team_id or (authorized.team_id if authorized else None)
    enterprise = context.enterprise_id or (authorized.enterprise_id if authorized else None)
    org_wide = bool(getattr(context, "is_enterprise_install", False))
    return Home(team, enterprise, org_wide)
