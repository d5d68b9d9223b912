"""POST /api/messages: Teams' way in, and who may use it.

With TEAMS_APP_ID set, every request must carry a Bot Framework token for our
app id: botbuilder checks its signature against the Bot Framework's published
keys, its issuer, audience, expiry, endorsement for the channel, and that it
was issued for the activity's service URL. Anything wrong is a 401 and the
activity is not looked at. Without an app id (TEAMS_LOCAL_DEV) no token is
checked, so only loopback callers are served (the Bot Framework Emulator, a
tunnel on the same machine) and a proxied request (X-Forwarded-For) is
refused, since its real caller is unknown.

botbuilder fetches the signing keys with a blocking HTTP call (about once a
day); verification therefore runs in a thread so it never stalls the loop.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import ipaddress
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from aiohttp import web
from botbuilder.core import serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)

from bot.config.settings import Settings
from bot.runtime.telemetry import Telemetry
from handlers.json_text import UNPAIRED_SURROGATE, has_unpaired_surrogate
from handlers.teams.activity import MalformedActivity, activity_problem

log = logging.getLogger(__name__)

PATH = "/api/messages"
PUBLIC_TOKEN_ISSUER = "https://api.botframework.com"
NOT_AN_ACTIVITY = "expected a Bot Framework activity"


@dataclass(frozen=True)
class BotEndpoints:
    """Where tokens are checked and obtained, when not the public Bot Framework cloud's.

    botbuilder takes these from its configuration object; a sovereign cloud or
    a test stand-in for the key service sets them. None (the default) is the
    public cloud.
    """

    openid_metadata_url: str
    token_issuer: str = PUBLIC_TOKEN_ISSUER
    emulator_openid_metadata_url: str | None = None
    login_url: str = "https://login.microsoftonline.com/botframework.com"
    oauth_scope: str = "https://api.botframework.com"
    oauth_url: str = "https://api.botframework.com"


class BotConfig:
    """The configuration object botbuilder reads (its attribute names), built from our settings."""

    def __init__(self, settings: Settings, endpoints: BotEndpoints | None = None) -> None:
        password = settings.teams_app_password.get_secret_value() if settings.teams_app_password else ""
        self.APP_ID = settings.teams_app_id or ""
        self.APP_PASSWORD = password
        self.APP_TENANTID = settings.teams_tenant_id or ""
        # New Azure Bot registrations are single-tenant and come with a tenant id; without one, multi-tenant.
        self.APP_TYPE = "SingleTenant" if self.APP_ID and self.APP_TENANTID else "MultiTenant"
        if endpoints is not None:
            self.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL = endpoints.openid_metadata_url
            self.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER = endpoints.token_issuer
            self.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL = (
                endpoints.emulator_openid_metadata_url or endpoints.openid_metadata_url
            )
            tenant = self.APP_TENANTID if self.APP_TYPE == "SingleTenant" else "botframework.com"
            self.TO_CHANNEL_FROM_BOT_LOGIN_URL = endpoints.login_url.replace("botframework.com", tenant)
            self.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE = endpoints.oauth_scope
            self.OAUTH_URL = endpoints.oauth_url
            self.CALLER_ID = "urn:botframework:azure"


class ReusedConnectorClients(ConnectorFactory):
    """botbuilder builds a connector client for every turn, and with it a new HTTP session, so each
    Bot Connector call opened a new connection (in production a TLS handshake per post). A client
    depends only on the app id, the service URL and the audience; one per pair is kept here."""

    #: Service URLs are a handful per cloud region; the bound only guards against a flood of new ones.
    LIMIT = 64

    def __init__(self, inner: ConnectorFactory) -> None:
        self._inner = inner
        self._clients: dict[tuple[str, str | None], ConnectorClient] = {}

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (service_url, audience)
        if key not in self._clients:
            if len(self._clients) >= self.LIMIT:
                # The oldest goes; a turn still holding it keeps using it until it ends.
                del self._clients[next(iter(self._clients))]
            self._clients[key] = await self._inner.create(service_url, audience)
        return self._clients[key]


def app_id_of(claims_identity: ClaimsIdentity) -> str | None:
    """The app id as botbuilder reads it: the audience claim from a channel, the appid claim otherwise."""
    return claims_identity.get_claim_value(
        AuthenticationConstants.AUDIENCE_CLAIM
    ) or claims_identity.get_claim_value(AuthenticationConstants.APP_ID_CLAIM)


class ClientsPerApp(ConfigurationBotFrameworkAuthentication):
    """Keeps the clients botbuilder would build on every turn, per app id.

    The user-token client (credentials, an msrest client and its configuration) was a fortieth of the
    process at 50 activities/s, and Tonewatch never signs Teams users in. Connector clients are kept
    per service URL (`ReusedConnectorClients`), for inbound turns and proactive ones alike."""

    def __init__(self, configuration: BotConfig) -> None:
        super().__init__(configuration)
        self._user_token_clients: dict[str | None, UserTokenClient] = {}
        self._connector_factories: dict[str | None, ReusedConnectorClients] = {}

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        app_id = app_id_of(claims_identity)
        if app_id not in self._user_token_clients:
            self._user_token_clients[app_id] = await super().create_user_token_client(claims_identity)
        return self._user_token_clients[app_id]

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        # botbuilder's factory is cheap to make; the clients it makes are what is kept.
        return self._reused(claims_identity, super().create_connector_factory(claims_identity))

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        result = await super().authenticate_request(activity, auth_header)
        # botbuilder's result carries a new factory; the token checks above are untouched.
        result.connector_factory = self._reused(result.claims_identity, result.connector_factory)
        return result

    def _reused(self, claims_identity: ClaimsIdentity, inner: ConnectorFactory) -> ReusedConnectorClients:
        app_id = app_id_of(claims_identity)
        if app_id not in self._connector_factories:
            self._connector_factories[app_id] = ReusedConnectorClients(inner)
        return self._connector_factories[app_id]


def build_adapter(settings: Settings, endpoints: BotEndpoints | None = None) -> CloudAdapter:
    return CloudAdapter(ClientsPerApp(BotConfig(settings, endpoints)))


def has_expiry(authorization: str) -> bool:
    """Whether the bearer token's claims name an expiry time.

    botbuilder (PyJWT underneath) checks `exp` only when a token has one, so a
    correctly signed token without it would be good forever; such a token is
    refused before botbuilder looks at it. The signature is botbuilder's to check.
    """
    parts = authorization.removeprefix("Bearer ").strip().split(".")
    if len(parts) != 3:
        return False
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error):
        return False
    expiry = claims.get("exp") if isinstance(claims, dict) else None
    return isinstance(expiry, int | float) and not isinstance(expiry, bool)


def is_loopback(request: web.Request) -> bool:
    if request.headers.get("X-Forwarded-For") or request.headers.get("Forwarded"):
        return False
    try:
        return ipaddress.ip_address((request.remote or "").split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def messages_route(
    adapter: CloudAdapter,
    on_turn: Callable[[Any], Awaitable[None]],
    settings: Settings,
    telemetry: Telemetry,
) -> web.RouteDef:
    verified = settings.teams_mode == "verified"

    def refuse(status: int, reason: str, text: str) -> web.Response:
        telemetry.refused(PATH, reason, status)
        return web.json_response({"error": text}, status=status)

    async def authenticate(activity: Activity, header: str) -> Any:
        # botbuilder's key refresh is a blocking `requests.get`: keep it off the event loop.
        return await asyncio.to_thread(
            lambda: asyncio.run(adapter.bot_framework_authentication.authenticate_request(activity, header))
        )

    async def handle(request: web.Request) -> web.StreamResponse:
        if not verified and not is_loopback(request):
            return refuse(403, "not_loopback", "Teams local development mode serves loopback requests only")
        if request.content_type != "application/json":  # the media type itself; a charset may follow
            return refuse(415, "content_type", "expected Content-Type: application/json")
        header = request.headers.get("Authorization", "")
        if verified and not (header.startswith("Bearer ") and header.isascii()):
            return refuse(401, "no_token", "unauthorized")
        try:
            document = json.loads(await request.text())
        except web.HTTPRequestEntityTooLarge:
            size = f"{request.client_max_size:,}"
            return refuse(413, "too_large", f"the body is over {size} bytes; Teams sends far smaller ones")
        except (UnicodeDecodeError, LookupError):  # LookupError: a charset Python does not know
            return refuse(400, "bad_body", f"{NOT_AN_ACTIVITY}: the body is not UTF-8")
        except json.JSONDecodeError as exc:
            return refuse(400, "bad_body", f"{NOT_AN_ACTIVITY}: the body is not JSON ({exc.msg})")
        except RecursionError:
            return refuse(400, "bad_body", f"{NOT_AN_ACTIVITY}: the JSON nests too deeply")
        except ValueError:  # an integer of more than 4,300 digits
            return refuse(400, "bad_body", f"{NOT_AN_ACTIVITY}: a number has too many digits")
        problem = UNPAIRED_SURROGATE if has_unpaired_surrogate(document) else activity_problem(document)
        if problem:
            return refuse(400, "bad_body", f"{NOT_AN_ACTIVITY}: {problem}")
        try:
            activity = Activity().deserialize(document)
        except Exception as exc:  # noqa: BLE001 - msrest says what it could not read
            log.debug("Teams activity not readable: %s", exc)  # it may quote the body; refusal logged below
            return refuse(400, "bad_body", f"{NOT_AN_ACTIVITY}: a field has the wrong format")
        required = ("conversation", "from_property", "service_url")
        missing = [name for name in required if not getattr(activity, name)]
        if missing:
            # Every activity Teams sends names its conversation, sender and service URL.
            fields = ", ".join("from" if m == "from_property" else m for m in missing)
            return refuse(400, "bad_body", f"activity is missing {fields}")
        authenticated: Any = ""
        if verified and not has_expiry(header):
            return refuse(401, "bad_token", "unauthorized")
        if verified:
            try:
                authenticated = await authenticate(activity, header)
            except Exception as exc:  # noqa: BLE001 - every way a token can be wrong is a 401
                log.debug("Teams request refused: %s: %s", type(exc).__name__, exc)
                return refuse(401, "bad_token", "unauthorized")
        try:
            invoke = await adapter.process_activity(authenticated, activity, on_turn)
        except MalformedActivity as exc:
            return refuse(400, "bad_body", f"{NOT_AN_ACTIVITY}: {exc}")
        except Exception:  # noqa: BLE001 - logged with an id; Teams may redeliver
            error_id = uuid.uuid4().hex[:8]
            log.exception("Teams activity %s (%s) failed, error id %s", activity.id, activity.type, error_id)
            return web.json_response({"error": f"internal error {error_id}"}, status=500)
        if invoke is not None and invoke.status == HTTPStatus.NOT_IMPLEMENTED:
            # botbuilder's answer to an invoke no handler takes; Tonewatch's cards use Action.Submit.
            name = activity.name or "a card action"
            return refuse(400, "unsupported", f"Tonewatch does not handle invoke activities ({name})")
        if invoke is not None:
            return web.json_response(
                serializer_helper(invoke.body), status=int(invoke.status or HTTPStatus.OK)
            )
        return web.Response(status=201)

    return web.post(PATH, handle)
