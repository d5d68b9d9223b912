"""manifest.yml and the code agree: every event, command and scope used is declared, and nothing more."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml
from slack_sdk.web.async_client import AsyncWebClient

from bot.alerts.policy import PolicyThresholds
from bot.alerts.service import AlertService
from bot.config.settings import load_settings
from bot.messages.pipeline import MessagePipeline
from bot.messages.places import PlaceRegistry
from bot.runtime.telemetry import Telemetry
from handlers.slack.app import build_slack
from handlers.slack.oauth import BOT_SCOPES
from tests.fakes import ScriptedAnalyzer, baseline_result

REPO = Path(__file__).resolve().parents[2]

#: What each Web API method needs (docs.slack.dev/reference/methods/<method>, "Required scopes").
METHOD_SCOPES: dict[str, set[str]] = {
    "auth_test": set(),
    "chat_delete": {"chat:write"},  # our own posts only (`tonewatch forget`)
    "chat_getPermalink": set(),
    "chat_postEphemeral": {"chat:write"},
    "chat_postMessage": {"chat:write"},
    "chat_update": {"chat:write"},
    "conversations_history": {"channels:history", "groups:history"},
    "conversations_info": {"channels:read", "groups:read", "im:read"},
    "conversations_members": {"channels:read", "groups:read"},
    "conversations_open": {"im:write"},
    "conversations_replies": {"channels:history", "groups:history"},
    "files_upload_v2": {"files:write"},
    "team_info": {"team:read"},
    "users_info": {"users:read", "users:read.email"},
    "views_open": set(),
    "views_publish": set(),
    "views_update": set(),
}
#: What each event subscription needs (docs.slack.dev/reference/events/<event>).
EVENT_SCOPES: dict[str, set[str]] = {
    "app_home_opened": set(),
    "app_mention": {"app_mentions:read"},
    "app_uninstalled": set(),
    "channel_shared": {"channels:read", "groups:read"},
    "channel_unshared": {"channels:read", "groups:read"},
    "member_joined_channel": {"channels:read", "groups:read"},
    "message.channels": {"channels:history"},
    "message.groups": {"groups:history"},
    "message.im": {"im:history"},
    "tokens_revoked": set(),
}


@pytest.fixture
def manifest() -> dict:
    return yaml.safe_load((REPO / "manifest.yml").read_text())


@pytest.fixture
def registrar(sqlite_engine, monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-manifest-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    settings = load_settings(env_file=None)
    runtime = build_slack(
        settings,
        sqlite_engine,
        MessagePipeline(sqlite_engine, ScriptedAnalyzer(lambda text: baseline_result())),
        PlaceRegistry(sqlite_engine),
        AlertService(sqlite_engine, PolicyThresholds(), reply_sla=None),
        Telemetry(),
        wake=lambda: None,
    )
    # Every listener on the app went through the registrar, so what it recorded is complete.
    assert runtime.registrar.listeners == len(runtime.app._async_listeners)
    return runtime.registrar


def web_api_methods_called() -> set[str]:
    """Every Web API method the Slack handlers call (`client.chat_postMessage(...)` and the like)."""
    methods = {name for name in vars(AsyncWebClient) if not name.startswith("_")}
    called: set[str] = set()
    for path in sorted((REPO / "handlers" / "slack").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr == "api_call":
                    pytest.fail(
                        f"{path.name}: use the typed client method, not api_call (its scope is unknown)"
                    )
                if node.func.attr in methods:
                    called.add(node.func.attr)
    return called


def test_the_events_registered_are_exactly_the_events_subscribed(manifest, registrar):
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == registrar.events


def test_the_commands_registered_are_exactly_the_commands_declared(manifest, registrar):
    declared = {command["command"] for command in manifest["features"]["slash_commands"]}
    assert declared == registrar.commands
    # `alerts #channel` reads the channel id Slack writes when it escapes the command text.
    assert all(command["should_escape"] for command in manifest["features"]["slash_commands"])


def test_the_scopes_are_exactly_what_the_methods_events_and_commands_need(manifest, registrar):
    called = web_api_methods_called()
    unknown = called - METHOD_SCOPES.keys()
    assert not unknown, f"add the scopes of {sorted(unknown)} to METHOD_SCOPES"
    assert {"chat_postMessage", "users_info", "conversations_info"} <= called  # the scan sees the calls
    needed = set().union(*(METHOD_SCOPES[m] for m in called), *(EVENT_SCOPES[e] for e in registrar.events))
    if registrar.commands:
        needed.add("commands")
    declared = set(manifest["oauth_config"]["scopes"]["bot"])
    assert declared == needed, f"missing {sorted(needed - declared)}, unused {sorted(declared - needed)}"
    assert set(BOT_SCOPES) == declared  # the OAuth install asks for the same scopes


def test_every_url_points_at_the_routes_bolt_serves(manifest):
    settings = manifest["settings"]
    assert settings["interactivity"]["is_enabled"]
    urls = [
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        *(command["url"] for command in manifest["features"]["slash_commands"]),
    ]
    assert all(url.endswith("/slack/events") for url in urls)
    assert all(url.endswith("/slack/oauth_redirect") for url in manifest["oauth_config"]["redirect_urls"])
    assert "socket_mode_enabled" in settings and manifest["features"]["bot_user"]["display_name"]
    assert "chat:write.public" not in manifest["oauth_config"]["scopes"]["bot"]  # only where invited
