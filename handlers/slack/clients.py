"""Web API clients: one per bot token, with the SDK's retry handlers, pointed at SLACK_API_URL.

Two flavours. The normal client retries a 429 after `Retry-After`, a 500/503
and a dropped connection; it is for work off the ack path (the worker). The
quick client gives up fast (short timeout, no rate-limit sleep) for calls made
while Slack waits for our HTTP answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.runtime.telemetry import Telemetry
from handlers.slack.oauth import DbInstallationStore
from storage.slack_installations import ChannelTeams
from storage.tenants import DEFAULT_TENANT

QUICK_TIMEOUT_SECONDS = 2
CLIENT_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Home:
    """Our side of Slack: the workspace (and Enterprise org) the bot is installed in."""

    team_id: str | None
    enterprise_id: str | None = None
    #: Installed for the whole Enterprise Grid organization (one tenant for all its workspaces).
    org_wide: bool = False

    @property
    def workspace_tenant(self) -> str:
        """The tenant this workspace is when Tonewatch serves many (OAuth): `slack:<team id>`, or
        `slack:<enterprise id>` for an org-wide install (storage/tenants.py)."""
        owner = self.enterprise_id if self.org_wide and self.enterprise_id else self.team_id
        return f"slack:{owner}" if owner else DEFAULT_TENANT


class ApiObserver(AsyncRetryHandler):
    """Counts failed Web API calls in /metrics, by method: a 429 as a rate limit, an HTTP error, an answer
    with `ok: false` (its error code) or a dropped connection as an error. First among a client's retry
    handlers, it sees every attempt and never asks for a retry itself (Bolt copies it into the client of
    each request)."""

    def __init__(self, telemetry: Telemetry) -> None:
        super().__init__(max_retry_count=0)
        self.telemetry = telemetry

    def __deepcopy__(self, memo: dict) -> ApiObserver:
        return self  # Bolt deep-copies handlers; the counters (and their locks) are shared, not copied

    async def can_retry_async(self, *, state, request, response=None, error=None) -> bool:
        method = request.url.rstrip("/").rsplit("/", 1)[-1] or "unknown"
        if error is not None:
            self.telemetry.platform_api_failed("slack", method, "connection")
        elif response is not None and response.status_code != 200:
            self.telemetry.platform_api_failed("slack", method, response.status_code)
        elif response is not None and isinstance(response.body, dict) and response.body.get("ok") is False:
            code = response.body.get("error")
            self.telemetry.platform_api_failed("slack", method, code if isinstance(code, str) else "error")
        return False


class NoInstallation(Exception):
    """No bot token is known for the workspace of a channel."""


class SlackClients:
    """Hands out the client (and our workspace) for a channel, in single-workspace or OAuth mode."""

    def __init__(
        self,
        base_url: str,
        rate_limit_retries: int = 3,
        token: str | None = None,
        installations: DbInstallationStore | None = None,
        channel_teams: ChannelTeams | None = None,
        telemetry: Telemetry | None = None,
    ) -> None:
        self.base_url = base_url
        self.observers: list[AsyncRetryHandler] = [ApiObserver(telemetry)] if telemetry is not None else []
        self.rate_limit_retries = rate_limit_retries
        self.token = token
        self.installations = installations
        self.channel_teams = channel_teams
        self._by_token: dict[str, AsyncWebClient] = {}
        self._home: Home | None = None
        self.app_client = self.build(token)

    def build(self, token: str | None) -> AsyncWebClient:
        return AsyncWebClient(
            token=token,
            base_url=self.base_url,
            timeout=CLIENT_TIMEOUT_SECONDS,
            retry_handlers=[
                *self.observers,
                AsyncConnectionErrorRetryHandler(max_retry_count=2),
                AsyncRateLimitErrorRetryHandler(max_retry_count=self.rate_limit_retries),
                AsyncServerErrorRetryHandler(max_retry_count=2),
            ],
        )

    def quick(self, client: AsyncWebClient) -> AsyncWebClient:
        """The same token, failing fast: for the few seconds Slack waits for our answer."""
        return AsyncWebClient(
            token=client.token,
            base_url=self.base_url,
            timeout=QUICK_TIMEOUT_SECONDS,
            retry_handlers=[*self.observers, AsyncConnectionErrorRetryHandler(max_retry_count=1)],
        )

    def _client_for(self, token: str) -> AsyncWebClient:
        if token not in self._by_token:
            self._by_token[token] = self.build(token)
        return self._by_token[token]

    async def for_channel(self, channel: str) -> tuple[AsyncWebClient, Home]:
        """The client that can post in `channel`, and our workspace there."""
        if self.installations is None:
            return self.app_client, await self.home()
        known = self.channel_teams.team_of(channel) if self.channel_teams else None
        if known is None:
            raise NoInstallation(f"no workspace known for channel {channel}")
        bot = await self.installations.async_find_bot(
            enterprise_id=known.enterprise_id, team_id=known.team_id
        )
        if bot is None or not bot.bot_token:
            raise NoInstallation(f"Tonewatch is not installed in workspace {known.team_id}")
        return self._client_for(bot.bot_token), Home(known.team_id, known.enterprise_id)

    def same_team(self, channel: str, known_channel: str) -> None:
        """`channel` (e.g. a DM just opened) belongs to the workspace of `known_channel`."""
        if self.channel_teams is not None:
            known = self.channel_teams.team_of(known_channel)
            if known is not None:
                self.channel_teams.remember(channel, known.team_id, known.enterprise_id)

    async def home(self) -> Home:
        """Single-workspace mode: who we are, from auth.test (asked once)."""
        if self._home is None:
            answer = await self.app_client.auth_test()
            self._home = Home(answer.get("team_id"), answer.get("enterprise_id"))
        return self._home
