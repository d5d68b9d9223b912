"""Slack settings: which mode the environment asks for, and a clear stop when it is half done."""

from __future__ import annotations

import pytest

from bot.config.settings import load_settings
from storage.errors import ConfigError


def settings_with(monkeypatch: pytest.MonkeyPatch, **environment: str):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return load_settings(env_file=None)


def test_the_mode_follows_the_settings(monkeypatch):
    assert load_settings(env_file=None).slack_mode is None
    single = settings_with(monkeypatch, SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s3cr3t")
    assert single.slack_mode == "http" and single.slack_api_url == "https://slack.com/api/"
    socket = settings_with(monkeypatch, SLACK_APP_TOKEN="xapp-1")
    assert socket.slack_mode == "socket"
    oauth = settings_with(monkeypatch, SLACK_CLIENT_ID="111.222", SLACK_CLIENT_SECRET="client-secret-value")
    assert oauth.slack_mode == "oauth"
    for secret in ("xoxb-1", "s3cr3t", "xapp-1", "client-secret-value"):
        assert secret not in repr(oauth)  # secrets never print


def test_slack_api_url_is_for_govslack_and_tests(monkeypatch):
    settings = settings_with(
        monkeypatch,
        SLACK_BOT_TOKEN="xoxb-1",
        SLACK_SIGNING_SECRET="s",
        SLACK_API_URL="http://127.0.0.1:9/api",
    )
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"


@pytest.mark.parametrize(
    ("environment", "named"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_CLIENT_ID": "111.222", "SLACK_SIGNING_SECRET": "s"}, "SLACK_CLIENT_SECRET"),
        ({"SLACK_CLIENT_ID": "1", "SLACK_CLIENT_SECRET": "client-secret-value"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_APP_TOKEN": "xapp-1"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}, "SLACK_APP_TOKEN"),
        ({"SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": "slack.com"}, "API_URL"),
    ],
)
def test_a_half_configured_slack_stops_start_up_naming_the_setting(monkeypatch, environment, named):
    with pytest.raises(ConfigError) as error:
        settings_with(monkeypatch, **environment)
    assert named in str(error.value)
    for value in environment.values():
        if value.startswith(("xox", "xapp")) or value == "client-secret-value":
            assert value not in str(error.value)


def test_blank_values_from_a_copied_env_file_mean_unset(monkeypatch):
    settings = settings_with(monkeypatch, SLACK_BOT_TOKEN="", SLACK_SIGNING_SECRET=" ", SLACK_CLIENT_ID="")
    assert settings.slack_mode is None
