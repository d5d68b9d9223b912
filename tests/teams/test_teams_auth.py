# ruff: noqa: F811 - the Teams fixtures are imported by name, and tests take them as parameters
"""Who may talk to /api/messages: real token verification with an app id, loopback only without one.

With TEAMS_APP_ID set, tokens are verified (the Agents SDK's validator and
Tonewatch's checks) against OpenID metadata and signing keys served by the
stand-in (`BotEndpoints` points there; the key signs tokens like the Bot
Framework's).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from microsoft_agents.hosting.core import ClaimsIdentity
from sqlmodel import select

from bot.composition import build_core, configured_surfaces
from bot.config.settings import load_settings
from bot.runtime.server import build_web_app
from handlers.teams.adapter import build_adapter
from handlers.teams.app import build_teams
from handlers.teams.http import BotEndpoints
from storage.db import session_scope
from storage.errors import ConfigError
from storage.models import TeamsConversation
from tests.fakes.bot_connector import (  # noqa: F401  (fixtures)
    ALERTS,
    APP_ID,
    CUSTOMER,
    HOME_TENANT,
    SHARED,
    STAFF,
    FakeBotConnector,
    TeamsHarness,
    bot_connector,
    populate,
    teams,
    teams_database_url,
)


@pytest.fixture
async def verified(
    bot_connector: FakeBotConnector, teams_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[TeamsHarness]:
    """Tonewatch's Teams surface with an app id: every request's token is checked."""
    populate(bot_connector)
    monkeypatch.setenv("DATABASE_URL", teams_database_url)
    monkeypatch.setenv("TEAMS_APP_ID", APP_ID)
    monkeypatch.setenv("TEAMS_APP_PASSWORD", "not-used-inbound")
    monkeypatch.setenv("TEAMS_TENANT_ID", HOME_TENANT)
    monkeypatch.setenv("TONEWATCH_LLM_POLICY", "off")
    core = build_core(load_settings(env_file=None))
    runtime = build_teams(
        core.settings,
        core.engine,
        core.pipeline,
        core.places,
        core.alerts,
        core.telemetry,
        lambda: None,
        endpoints=BotEndpoints(openid_metadata_url=bot_connector.openid_metadata_url),
    )
    app = build_web_app(core.engine, core.telemetry, [runtime.surface])
    http = TestClient(TestServer(app, host="127.0.0.1", port=0))
    await http.start_server()
    try:
        yield TeamsHarness(bot_connector, http, core, SimpleNamespace(platforms={"teams": runtime}))
    finally:
        await runtime.surface.stop()
        await http.close()
        await core.aclose()


def install(connector: FakeBotConnector, conversation: str = ALERTS) -> dict:
    return connector.activity(conversation, STAFF, None, type="installationUpdate", action="add")


def remembered(harness: TeamsHarness) -> list[str]:
    with session_scope(harness.core.engine) as session:
        return [row.conversation_id for row in session.exec(select(TeamsConversation)).all()]


async def test_a_valid_token_is_accepted(verified):
    response = await verified.send(install(verified.connector), token=verified.connector.token())
    assert response.status == 201
    assert remembered(verified) == [ALERTS]


def other_key_token(connector: FakeBotConnector) -> str:
    import jwt

    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    claims = {
        "iss": "https://api.botframework.com",
        "aud": APP_ID,
        "serviceurl": connector.url,
        "exp": now + 600,
    }
    return jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": "tonewatch-test-key"})


FORGERIES = {
    "signed by another key": other_key_token,
    "for another app": lambda c: c.token(aud="11111111-2222-3333-4444-555555555555"),
    "for another service URL": lambda c: c.token(serviceurl="https://attacker.example/"),
    "expired": lambda c: c.token(exp=int(time.time()) - 3600, nbf=int(time.time()) - 7200),
    "from another issuer": lambda c: c.token(iss="https://attacker.example"),
    "not a token": lambda c: "not.a.token",
}


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
async def test_a_forged_token_is_refused_and_nothing_is_stored(verified, forgery):
    verified.core.places.watch("teams", SHARED, "acme-shared", "Acme Corp", is_external=True)
    token = FORGERIES[forgery](verified.connector)
    for activity in (install(verified.connector), verified.connector.activity(SHARED, CUSTOMER, "Hello")):
        response = await verified.send(activity, token=token)
        assert response.status == 401
    assert remembered(verified) == [] and verified.messages() == []
    assert verified.connector.requests == []  # not even a member lookup


async def test_a_request_without_a_token_is_refused(verified):
    response = await verified.send(verified.connector.activity(SHARED, CUSTOMER, "Hello"))
    assert response.status == 401
    assert remembered(verified) == [] and verified.messages() == []
    metrics = await (await verified.http.get("/metrics")).text()
    assert 'tonewatch_requests_rejected_total{path="/api/messages",reason="no_token"} 1.0' in metrics


async def test_local_development_mode_serves_loopback_only(teams):
    forwarded = await teams.http.post(
        "/api/messages",
        json=install(teams.connector),
        headers={"X-Forwarded-For": "203.0.113.7"},
    )
    assert forwarded.status == 403
    assert remembered(teams) == []
    assert (await teams.send(install(teams.connector))).status == 201
    assert remembered(teams) == [ALERTS]
    [surface] = [s for s in teams.runtime.surfaces if s.name == "teams"]
    assert "LOCAL DEVELOPMENT MODE" in surface.describe and "loopback requests only" in surface.describe


async def test_not_an_activity_is_a_bad_request(teams):
    assert (
        await teams.http.post("/api/messages", data=b"{}", headers={"Content-Type": "text/plain"})
    ).status == 415
    assert (await teams.http.post("/api/messages", json={"text": "no type"})).status == 400
    assert (
        await teams.http.post(
            "/api/messages", data=b"{not json", headers={"Content-Type": "application/json"}
        )
    ).status == 400
    half = await teams.http.post("/api/messages", json={"type": "message", "text": "hi"})
    assert half.status == 400 and "conversation" in (await half.text())
    assert (await teams.http.get("/healthz")).status == 200  # and the process keeps serving


async def test_a_field_the_sdk_cannot_read_is_named_in_a_400_and_its_value_is_not_logged(teams, caplog):
    caplog.set_level(logging.DEBUG)
    activity = {**install(teams.connector), "timestamp": "the day before yesterday"}
    response = await teams.send(activity)
    assert response.status == 400
    error = (await response.json())["error"]
    assert error == "expected a Bot Framework activity: timestamp has the wrong format"
    assert "the day before yesterday" not in caplog.text and "Traceback" not in caplog.text
    assert remembered(teams) == []


@pytest.mark.parametrize(
    ("environment", "problem"),
    [
        ({"TEAMS_APP_ID": APP_ID}, "TEAMS_APP_PASSWORD is required"),
        ({"TEAMS_APP_ID": "my-bot", "TEAMS_APP_PASSWORD": "x"}, "TEAMS_APP_ID: Value error, must be a GUID"),
        ({"TEAMS_APP_PASSWORD": "x"}, "TEAMS_APP_ID is not"),
        ({"TEAMS_TENANT_ID": "contoso"}, "TEAMS_TENANT_ID"),
        ({"TEAMS_APP_ID": APP_ID, "TEAMS_APP_PASSWORD": "x", "TEAMS_LOCAL_DEV": "1"}, "TEAMS_LOCAL_DEV"),
    ],
)
def test_a_half_configured_teams_stops_start_up(monkeypatch, environment, problem):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as error:
        load_settings(env_file=None)
    assert problem in str(error.value)


def test_teams_settings_and_surfaces(monkeypatch):
    assert "teams" not in configured_surfaces(load_settings(env_file=None))
    monkeypatch.setenv("TEAMS_LOCAL_DEV", "1")
    assert load_settings(env_file=None).teams_mode == "local"
    monkeypatch.delenv("TEAMS_LOCAL_DEV")
    monkeypatch.setenv("TEAMS_APP_ID", APP_ID.upper())
    monkeypatch.setenv("TEAMS_APP_PASSWORD", "client-secret")
    settings = load_settings(env_file=None)
    assert settings.teams_mode == "verified" and settings.teams_app_id == APP_ID
    assert "client-secret" not in repr(settings)
    assert configured_surfaces(settings) == ["teams"]


async def test_the_user_token_client_is_one_refusing_stand_in_not_built_per_turn(monkeypatch):
    """The SDK asks for a user-token client on every turn; Tonewatch never signs Teams users in."""
    monkeypatch.setenv("TEAMS_APP_ID", APP_ID)
    monkeypatch.setenv("TEAMS_APP_PASSWORD", "client-secret")
    clients = build_adapter(load_settings(env_file=None)).clients
    anonymous, another_app = ClaimsIdentity(), ClaimsIdentity({"aud": "another-app-id"})

    first = await clients.create_user_token_client(SimpleNamespace(), anonymous)
    assert await clients.create_user_token_client(SimpleNamespace(), another_app) is first
    with pytest.raises(RuntimeError, match="does not sign Teams users in"):
        await first.get_user_token("29:sam", "connection", "msteams")
    await first.close()  # the SDK closes it after each turn: nothing to close
    with pytest.raises(RuntimeError, match="does not sign Teams users in"):
        first.user_token  # noqa: B018 - the attribute access is what refuses
