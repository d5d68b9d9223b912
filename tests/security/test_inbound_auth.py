# ruff: noqa: F811 - the stand-ins' fixtures are imported by name, and tests take them as parameters
"""Every way into the running app is authenticated, and the list of ways in is closed.

The whole aiohttp application is built by the composition root with every
surface configured (Slack over HTTP — one workspace, or OAuth — Teams with an
app id, and /ingest). Its routes are enumerated from the router and compared
with ROUTES: a route added without being listed here, with the reason it is
safe, fails `test_the_served_routes_are_exactly_the_listed_ones`.

Every POST route must have a table of forgeries in FORGERIES; each forgery is
refused with 401/403 and changes no row of any table. The same requests,
correctly authenticated, get through (so each refusal is the check's doing).
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import jwt
import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives.asymmetric import rsa

import handlers.teams.app
from bot.composition import build_core, build_runtime, configured_surfaces
from bot.config.settings import load_settings
from bot.runtime.server import build_web_app, mark_ready
from handlers.slack.oauth import DbStateStore
from handlers.teams.http import BotEndpoints
from tests.fakes.bot_connector import ALERTS as TEAMS_ALERTS
from tests.fakes.bot_connector import APP_ID, HOME_TENANT, FakeBotConnector, bot_connector  # noqa: F401
from tests.fakes.bot_connector import CUSTOMER as TEAMS_CUSTOMER
from tests.fakes.bot_connector import SHARED as TEAMS_SHARED
from tests.fakes.bot_connector import STAFF as TEAMS_STAFF
from tests.fakes.bot_connector import populate as populate_teams
from tests.support.slack_requests import (
    CUSTOMER,
    SHARED,
    SIGNING_SECRET,
    STAFF,
    action_payload,
    command_form,
    event_body,
    message_event,
    populate,
    signed_headers,
)

#: Settings, or the test's stand-ins: the `slack_api`, `bot_connector` and `slack_database_url` fixtures.
pytest_plugins = ("tests.support.slack_fixtures",)

INGEST_TOKEN = "ingest-token-for-the-auth-test-0123456789"

SLACK_SIGNATURE = "Slack request signature (HMAC-SHA256 of timestamp and body with the signing secret)"
TEAMS_TOKEN = "Bot Framework JWT: signature, issuer, audience (our app id), expiry, service URL"
INGEST_BEARER = "Authorization: Bearer TONEWATCH_INGEST_TOKEN (constant-time compare)"
PUBLIC_PROBE = "public: the load balancer's health probe; answers ok / starting / unhealthy and nothing else"
PUBLIC_METRICS = "public: Prometheus counts only, no names, texts or ids (restrict at the proxy if needed)"
PUBLIC_INSTALL = (
    "public by design: the 'Add to Slack' page a person opens in a browser; it only issues a one-time "
    "OAuth state (cookie + stored row) and a link to Slack"
)
PUBLIC_REDIRECT = (
    "public by design: Slack sends the person's browser here, unsigned; the one-time state (cookie and "
    "stored row) and Slack's own code exchange with the client secret are the check"
)

#: Every route the app serves, in any configuration, and what protects it.
ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): PUBLIC_PROBE,
    ("HEAD", "/healthz"): PUBLIC_PROBE,
    ("GET", "/readyz"): PUBLIC_PROBE,
    ("HEAD", "/readyz"): PUBLIC_PROBE,
    ("GET", "/livez"): PUBLIC_PROBE,
    ("HEAD", "/livez"): PUBLIC_PROBE,
    ("GET", "/metrics"): PUBLIC_METRICS,
    ("HEAD", "/metrics"): PUBLIC_METRICS,
    ("POST", "/slack/events"): SLACK_SIGNATURE,
    ("POST", "/api/messages"): TEAMS_TOKEN,
    ("POST", "/ingest"): INGEST_BEARER,
    ("GET", "/slack/install"): PUBLIC_INSTALL,
    ("HEAD", "/slack/install"): PUBLIC_INSTALL,
    ("GET", "/slack/oauth_redirect"): PUBLIC_REDIRECT,
    ("HEAD", "/slack/oauth_redirect"): PUBLIC_REDIRECT,
}
OAUTH_ONLY = {route for route in ROUTES if route[1].startswith(("/slack/install", "/slack/oauth_redirect"))}

#: The two Slack set-ups over HTTP (Socket Mode serves no route); both with Teams and /ingest.
CONFIGURATIONS = {
    "one workspace": {"SLACK_CLIENT_ID": "", "SLACK_CLIENT_SECRET": ""},
    "oauth": {
        "SLACK_BOT_TOKEN": "",
        "SLACK_CLIENT_ID": "111.222",
        "SLACK_CLIENT_SECRET": "oauth-client-secret",
    },
}


@dataclass
class FullApp:
    http: TestClient
    engine: sa.Engine
    slack_api: Any
    connector: FakeBotConnector
    mode: str

    def routes(self) -> set[tuple[str, str]]:
        return {(route.method, route.resource.canonical) for route in self.http.app.router.routes()}

    def rows(self) -> dict[str, int]:
        """Row count of every table: what "stores nothing" is checked against."""
        with self.engine.connect() as connection:
            return {
                table: connection.execute(sa.text(f'select count(*) from "{table}"')).scalar_one()
                for table in sa.inspect(connection).get_table_names()
            }


@asynccontextmanager
async def full_app(mode: str, slack_api, connector, database_url: str, monkeypatch) -> AsyncIterator[FullApp]:
    """The app `tonewatch run` would serve with every surface configured (no worker: nothing runs later)."""
    populate(slack_api)
    populate_teams(connector)
    environment = {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-auth-test-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack_api.url,
        "TEAMS_APP_ID": APP_ID,
        "TEAMS_APP_PASSWORD": "teams-app-password-not-used-inbound",
        "TEAMS_TENANT_ID": HOME_TENANT,
        "TONEWATCH_INGEST_TOKEN": INGEST_TOKEN,
        "TONEWATCH_LLM_POLICY": "off",
        **CONFIGURATIONS[mode],
    }
    for name, value in environment.items():
        if value:
            monkeypatch.setenv(name, value)
        else:
            monkeypatch.delenv(name, raising=False)
    # The one stand-in for the far side: Teams tokens are checked against the stand-in's signing keys.
    endpoints = BotEndpoints(openid_metadata_url=connector.openid_metadata_url)
    monkeypatch.setattr(
        handlers.teams.app,
        "build_teams",
        functools.partial(handlers.teams.app.build_teams, endpoints=endpoints),
    )
    settings = load_settings(env_file=None)
    assert configured_surfaces(settings) == ["slack", "teams", "ingest"]
    core = build_core(settings)
    runtime = build_runtime(core)
    app = build_web_app(core.engine, core.telemetry, runtime.surfaces)
    http = TestClient(TestServer(app, host="127.0.0.1", port=0))
    await http.start_server()
    mark_ready(app)
    try:
        yield FullApp(http, core.engine, slack_api, connector, mode)
    finally:
        for surface in runtime.surfaces:
            if surface.stop is not None:
                await surface.stop()
        await http.close()
        await core.aclose()


@pytest.fixture(params=sorted(CONFIGURATIONS))
async def app(request, slack_api, bot_connector, slack_database_url, monkeypatch) -> AsyncIterator[FullApp]:
    async with full_app(request.param, slack_api, bot_connector, slack_database_url, monkeypatch) as served:
        yield served


# --- the requests, genuine and forged ---------------------------------------------------------------


@dataclass
class Request:
    body: bytes
    headers: dict[str, str]


SlackBody = tuple[str, str]  # (body, content type)


def slack_bodies() -> dict[str, SlackBody]:
    """One of each kind of request Slack sends to /slack/events."""
    return {
        "event": (
            json.dumps(event_body(message_event(SHARED, CUSTOMER, "Where is my invoice?"))),
            "application/json",
        ),
        "command": (
            command_form("watch Acme", STAFF, SHARED, "http://127.0.0.1:9/respond"),
            "application/x-www-form-urlencoded",
        ),
        "interaction": (
            urlencode({"payload": json.dumps(action_payload("tonewatch_ack", STAFF, value="1"))}),
            "application/x-www-form-urlencoded",
        ),
        "url verification": (
            json.dumps({"type": "url_verification", "challenge": "forged-challenge", "token": "x"}),
            "application/json",
        ),
    }


def slack_request(body: str, content_type: str, **signing: Any) -> Request:
    return Request(body.encode(), signed_headers(body, content_type, **signing))


def _unsigned(body: str, content_type: str) -> Request:
    return Request(body.encode(), {"Content-Type": content_type})


def _tampered(body: str, content_type: str) -> Request:
    signed = slack_request(body, content_type)
    return Request(body.replace("S", "s", 1).encode() + b" ", signed.headers)


def _garbled_signature(body: str, content_type: str) -> Request:
    signed = slack_request(body, content_type)
    return Request(
        signed.body, {**signed.headers, "X-Slack-Signature": signed.headers["X-Slack-Signature"][3:]}
    )


SLACK_FORGERIES: dict[str, Callable[[str, str], Request]] = {
    "unsigned": _unsigned,
    "signed with another secret": lambda b, c: slack_request(b, c, secret="not-the-signing-secret"),
    "a 6-minute-old timestamp": lambda b, c: slack_request(b, c, timestamp=int(time.time()) - 6 * 60),
    "a timestamp 6 minutes ahead": lambda b, c: slack_request(b, c, timestamp=int(time.time()) + 6 * 60),
    "a body changed after signing": _tampered,
    "a garbled signature": _garbled_signature,
}


def teams_request(connector: FakeBotConnector, token: str | None) -> Request:
    activity = connector.activity(TEAMS_SHARED, TEAMS_CUSTOMER, "It broke again")
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return Request(json.dumps(activity).encode(), headers)


def teams_install(connector: FakeBotConnector, token: str) -> Request:
    activity = connector.activity(TEAMS_ALERTS, TEAMS_STAFF, None, type="installationUpdate", action="add")
    return Request(
        json.dumps(activity).encode(),
        {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )


@functools.cache
def _stranger_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _signed_by_a_stranger(connector: FakeBotConnector) -> str:
    stranger = _stranger_key()
    claims = {
        "iss": "https://api.botframework.com",
        "aud": APP_ID,
        "serviceurl": connector.url,
        "exp": int(time.time()) + 600,
    }
    return jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": "tonewatch-test-key"})


def _unsigned_token(connector: FakeBotConnector) -> str:
    claims = {
        "iss": "https://api.botframework.com",
        "aud": APP_ID,
        "serviceurl": connector.url,
        "exp": int(time.time()) + 600,
    }
    return jwt.encode(claims, None, algorithm="none", headers={"kid": "tonewatch-test-key"})


TEAMS_FORGERIES: dict[str, Callable[[FakeBotConnector], str | None]] = {
    "no token": lambda c: None,
    "unsigned (alg none)": _unsigned_token,
    "signed by another key": _signed_by_a_stranger,
    "for another app id": lambda c: c.token(aud="11111111-2222-3333-4444-555555555555"),
    "expired": lambda c: c.token(exp=int(time.time()) - 3600, nbf=int(time.time()) - 7200),
    "not valid yet": lambda c: c.token(nbf=int(time.time()) + 3600, exp=int(time.time()) + 7200),
    "from another issuer": lambda c: c.token(iss="https://attacker.example"),
    "for another service URL": lambda c: c.token(serviceurl="https://attacker.example/"),
    "not a token": lambda c: "not.a.token",
}


def ingest_request(authorization: str | None) -> Request:
    item = {
        "source": "ticket",
        "account": "Acme Corp",
        "text": "The export is broken again.",
        "external_id": "T-1",
    }
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    return Request(json.dumps(item).encode(), headers)


INGEST_FORGERIES: dict[str, str | None] = {
    "no Authorization header": None,
    "a wrong token": "Bearer " + "x" * len(INGEST_TOKEN),
    "the token's first half": "Bearer " + INGEST_TOKEN[: len(INGEST_TOKEN) // 2],
    "the token and one more character": f"Bearer {INGEST_TOKEN}x",
    "the token as Basic credentials": f"Basic {INGEST_TOKEN}",
    "the token without a scheme": INGEST_TOKEN,
    "an empty bearer": "Bearer ",
}


def forgeries(app: FullApp) -> dict[str, dict[str, Request]]:
    """Per POST route, every forged request (by name)."""
    slack = {
        f"{kind}, {forgery}": forge(body, content_type)
        for kind, (body, content_type) in slack_bodies().items()
        for forgery, forge in SLACK_FORGERIES.items()
    }
    teams = {
        name: teams_request(app.connector, make(app.connector)) for name, make in TEAMS_FORGERIES.items()
    }
    ingest = {name: ingest_request(authorization) for name, authorization in INGEST_FORGERIES.items()}
    return {"/slack/events": slack, "/api/messages": teams, "/ingest": ingest}


# --- the tests -----------------------------------------------------------------------------------


async def test_the_served_routes_are_exactly_the_listed_ones(app):
    """A new route fails here until ROUTES says what protects it (or why it may be public)."""
    expected = set(ROUTES) if app.mode == "oauth" else set(ROUTES) - OAUTH_ONLY
    assert app.routes() == expected


async def test_every_post_route_has_forgeries_to_refuse(app):
    """A new POST route fails here until `forgeries` has requests it must refuse."""
    posts = {path for method, path in app.routes() if method == "POST"}
    assert posts == set(forgeries(app))
    assert all(forgeries(app)[path] for path in posts)


async def test_every_forged_request_is_refused_and_stores_nothing(app):
    before = app.rows()
    refused: dict[str, int] = {}
    for path, requests in forgeries(app).items():
        for name, request in requests.items():
            response = await app.http.post(path, data=request.body, headers=request.headers)
            refused[f"{path}: {name}"] = response.status
            assert "forged-challenge" not in await response.text()
    assert {name: status for name, status in refused.items() if status not in (401, 403)} == {}
    assert app.rows() == before
    assert app.connector.requests == []  # not even a member lookup for a forged Teams activity
    assert app.slack_api.calls == []


async def test_the_same_requests_authenticated_get_through(app):
    """The forgeries above fail for their forgery: the genuine request is accepted on every POST route."""
    challenge = json.dumps({"type": "url_verification", "challenge": "genuine-challenge", "token": "x"})
    slack = await app.http.post(
        "/slack/events", data=challenge.encode(), headers=signed_headers(challenge, "application/json")
    )
    assert slack.status == 200 and "genuine-challenge" in await slack.text()

    before = app.rows()
    teams = teams_install(app.connector, app.connector.token())
    assert (await app.http.post("/api/messages", data=teams.body, headers=teams.headers)).status == 201
    assert app.rows()["teams_conversations"] == before["teams_conversations"] + 1

    ingest = ingest_request(f"Bearer {INGEST_TOKEN}")
    assert (await app.http.post("/ingest", data=ingest.body, headers=ingest.headers)).status == 201
    assert app.rows()["messages"] == before["messages"] + 1


async def test_the_oauth_redirect_with_a_forged_state_installs_nothing(
    slack_api, bot_connector, slack_database_url, monkeypatch
):
    """The redirect is public by design; without the state issued to this browser it changes nothing."""
    async with full_app("oauth", slack_api, bot_connector, slack_database_url, monkeypatch) as app:
        await _forged_redirects(app)


async def _forged_redirects(app: FullApp) -> None:
    app.slack_api.add_oauth_install("code-1", "T_OTHER", "Other Co", "xoxb-would-be-installed")
    before = app.rows()
    for params in ({"code": "code-1", "state": "forged"}, {"code": "code-1"}):
        response = await app.http.get("/slack/oauth_redirect", params=params)
        assert response.status >= 400, params
    await app.http.get("/slack/oauth_redirect", params={"error": "access_denied", "state": "forged"})
    assert app.rows() == before
    assert not app.slack_api.calls_to("oauth.v2.access")  # the code was never even exchanged


async def test_states_the_public_install_page_issues_do_not_pile_up(sqlite_engine):
    """Anyone may open /slack/install; each visit stores a state, and expired states are cleared."""
    expired_at_once = DbStateStore(sqlite_engine, expiration_seconds=0)
    for _ in range(5):
        last = await expired_at_once.async_issue()
    with sqlite_engine.connect() as connection:
        kept = connection.execute(sa.text("select state from slack_oauth_states")).scalars().all()
    assert kept == [last]
    assert not await expired_at_once.async_consume(last)  # and an expired state is never accepted
