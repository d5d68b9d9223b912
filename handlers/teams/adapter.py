"""The Agents SDK's CloudAdapter, with the Bot Connector clients Tonewatch gives it.

The SDK asks a client factory for a Bot Connector client at the start of every
turn, inbound and proactive alike, and closes it when the turn ends; its own
factory opens a new HTTP session (in production a TLS handshake) and fetches
a token for each. `BotConnectorClients` keeps one session per service URL
instead and adds the token to each request when it is sent, so a turn that
never calls the Bot Connector (an install, a message nobody watches) costs no
token, and a turn that does reuses the connection. The token comes from MSAL
(the SDK's `MsalAuth`, which caches it); without an app id (TEAMS_LOCAL_DEV)
requests carry none.

A Bot Connector answer of 400 or more becomes a `BotConnectorError` carrying
the status, Teams' error code and Retry-After, read before the SDK's client
looks at the answer (it keeps the status only).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import aiohttp
from microsoft_agents.authentication.msal import MsalAuth
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import (
    AccessTokenProviderBase,
    AgentAuthConfiguration,
    ChannelServiceClientFactoryBase,
    ClaimsIdentity,
    TurnContext,
    UserTokenClientBase,
)
from microsoft_agents.hosting.core.connector.client import ConnectorClient
from microsoft_agents.hosting.core.connector.client.connector_client import ConversationsOperations

from bot.config.settings import Settings

log = logging.getLogger(__name__)

PUBLIC_TOKEN_ISSUER = "https://api.botframework.com"
PUBLIC_OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"


@dataclass(frozen=True)
class BotEndpoints:
    """Where tokens are checked and obtained, when not the public Bot Framework cloud's.

    A sovereign cloud or a test stand-in for the key service sets them; the
    defaults are the public cloud's.
    """

    openid_metadata_url: str = PUBLIC_OPENID_METADATA_URL
    token_issuer: str = PUBLIC_TOKEN_ISSUER
    login_url: str = "https://login.microsoftonline.com/botframework.com"
    oauth_scope: str = "https://api.botframework.com"


PUBLIC_CLOUD = BotEndpoints()


class BotConnectorError(Exception):
    """The Bot Connector refused a call: its status, Teams' error code and how long it asked to wait."""

    def __init__(self, status: int, reason: str, code: str, message: str, retry_after: float | None) -> None:
        self.status = status
        self.code = code
        self.retry_after = retry_after
        detail = ": ".join(part for part in (code, message) if part)
        super().__init__(f"Bot Connector answered {status} {reason}" + (f" ({detail})" if detail else ""))


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


async def refuse_errors(response: aiohttp.ClientResponse) -> None:
    """Every answer of 400 or more raises `BotConnectorError`, with what Teams said in its body."""
    if response.status < 400:
        return
    code = message = ""
    try:
        body = json.loads(await response.read() or b"null")
    except (ValueError, aiohttp.ClientError):
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        code, message = str(error.get("code") or ""), str(error.get("message") or "")
    raise BotConnectorError(
        response.status,
        response.reason or "",
        code[:100],
        message[:200],
        _retry_after(response.headers.get("Retry-After")),
    )


#: Longest conversation id passed to the Bot Connector as it is (`activity_problem` accepts 350).
MAX_CONVERSATION_ID = 350


class KeptConnectorClient(ConnectorClient):
    """The SDK's Bot Connector client on a session that outlives the turn (the factory closes it).

    The SDK's conversation operations cut conversation ids to 150 characters by default, and
    Teams' ids for 1:1 chats and threads can be longer: these take them whole.
    """

    def __init__(self, service_url: str, session: aiohttp.ClientSession) -> None:
        super().__init__(service_url, "", session=session)
        self._whole_ids = ConversationsOperations(session, max_conversation_id_length=MAX_CONVERSATION_ID)

    @property
    def conversations(self) -> ConversationsOperations:
        return self._whole_ids

    async def close(self) -> None:
        return None


class NoUserTokens:
    """The SDK's user-token client, for signing users in: Tonewatch never does, yet the SDK asks for one
    every turn (and closes it after). One stand-in that refuses every use serves all turns."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"Tonewatch does not sign Teams users in (asked for {name})")

    async def close(self) -> None:
        return None


class BotConnectorClients(ChannelServiceClientFactoryBase):
    """One HTTP session per service URL, a token added to each request; see the module docstring."""

    #: Service URLs are a handful per cloud region; the bound only guards against a flood of new ones.
    LIMIT = 64

    def __init__(self, tokens: AccessTokenProviderBase | None, scope: str) -> None:
        self._tokens = tokens
        #: What the tokens are for: the Bot Connector of the cloud (`BotEndpoints.oauth_scope`).
        self._resource = scope
        self._scopes = [f"{scope.rstrip('/')}/.default"]
        self._sessions: dict[str, aiohttp.ClientSession] = {}
        self._no_user_tokens = NoUserTokens()

    def _session(self, service_url: str) -> aiohttp.ClientSession:
        session = self._sessions.get(service_url)
        if session is None or session.closed:
            if len(self._sessions) >= self.LIMIT:
                # The oldest is forgotten, not closed: a turn still using it finishes with it.
                self._sessions.pop(next(iter(self._sessions)))
            session = aiohttp.ClientSession(
                base_url=service_url if service_url.endswith("/") else service_url + "/",
                raise_for_status=refuse_errors,
                middlewares=(self._add_token,) if self._tokens is not None else (),
            )
            self._sessions[service_url] = session
        return session

    async def _add_token(self, request: aiohttp.ClientRequest, handler: Any) -> aiohttp.ClientResponse:
        assert self._tokens is not None
        token = await self._tokens.get_access_token(self._resource, self._scopes)
        request.headers["Authorization"] = f"Bearer {token}"
        return await handler(request)

    async def create_connector_client(
        self,
        context: TurnContext | None,
        claims_identity: ClaimsIdentity,
        service_url: str,
        audience: str,
        scopes: list[str] | None = None,
        use_anonymous: bool = False,
    ) -> ConnectorClient:
        if not service_url:
            raise ValueError("the activity names no service URL")
        # The SDK's audience is the public cloud's whatever the endpoints; the session's token is ours.
        return KeptConnectorClient(service_url, self._session(service_url))

    async def create_user_token_client(
        self, context: TurnContext, claims_identity: ClaimsIdentity, use_anonymous: bool = False
    ) -> UserTokenClientBase:
        return self._no_user_tokens  # type: ignore[return-value]  # never used: see NoUserTokens

    async def close(self) -> None:
        sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            await session.close()


def token_provider(settings: Settings, endpoints: BotEndpoints) -> AccessTokenProviderBase | None:
    """MSAL with the app's credentials (single-tenant when a tenant is set); None without an app id."""
    if not settings.teams_app_id:
        return None
    password = settings.teams_app_password.get_secret_value() if settings.teams_app_password else ""
    # New Azure Bot registrations are single-tenant; a multi-tenant one gets its tokens from botframework.com.
    tenant = settings.teams_tenant_id or "botframework.com"
    return MsalAuth(
        AgentAuthConfiguration(
            client_id=settings.teams_app_id,
            client_secret=password,
            tenant_id=tenant,
            authority=endpoints.login_url.replace("botframework.com", tenant),
        )
    )


class TeamsAdapter(CloudAdapter):
    """The SDK's CloudAdapter on Tonewatch's Bot Connector clients.

    A turn's error propagates to the caller (the route answers 400 or 500, a
    proactive turn's caller sees it): the SDK's default error handler would
    post the exception's text into the conversation, which a customer may read.
    """

    def __init__(self, clients: BotConnectorClients) -> None:
        super().__init__(channel_service_client_factory=clients)
        self.clients = clients
        self.on_turn_error = None


def build_adapter(settings: Settings, endpoints: BotEndpoints | None = None) -> TeamsAdapter:
    endpoints = endpoints or PUBLIC_CLOUD
    return TeamsAdapter(BotConnectorClients(token_provider(settings, endpoints), endpoints.oauth_scope))
