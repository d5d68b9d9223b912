"""Secrets at rest and exposure: workspace tokens encrypted (Fernet) and rotated, every secret setting
read from a file, /metrics behind a bearer token, misspelled TONEWATCH_* variables named at start-up."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from bot.config.settings import load_settings, secret_setting_names, unknown_settings
from storage.db import create_db_engine
from storage.errors import ConfigError
from storage.migrate import alembic_config, current_revision, head_revision, upgrade
from tests.support.cli import assert_clean_failure, err, out, tonewatch
from tests.support.slack_requests import HOME_TEAM, running_tonewatch

pytest_plugins = ("tests.support.slack_fixtures",)

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def stored_tokens(database_url: str) -> list[str]:
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("select bot_token from slack_bots")).scalars().all()
            rows += connection.execute(sa.text("select bot_token from slack_installations")).scalars().all()
        return list(rows)
    finally:
        engine.dispose()


async def install(slack, slack_api, token: str) -> None:
    """One OAuth install through /slack/install and /slack/oauth_redirect, as a browser does it."""
    answer = await slack.http.get("/slack/install", allow_redirects=False)
    link = next(part for part in (await answer.text()).split('"') if "oauth/v2/authorize" in part)
    state = parse_qs(urlparse(link.replace("&amp;", "&")).query)["state"][0]
    cookie = answer.headers["Set-Cookie"].split(";")[0]
    slack_api.add_oauth_install("code-1", HOME_TEAM, "Home Co", token)
    done = await slack.http.get(
        "/slack/oauth_redirect", params={"code": "code-1", "state": state}, headers={"Cookie": cookie}
    )
    assert done.status == 200, await done.text()


OAUTH = {"SLACK_BOT_TOKEN": "", "SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "client-secret"}


async def test_workspace_tokens_are_encrypted_at_rest_and_rotate_to_a_new_key(
    slack_api, slack_database_url, monkeypatch, tmp_path
) -> None:
    token = "xoxb-installed-" + "7" * 40
    async with running_tonewatch(
        slack_api, slack_database_url, monkeypatch, TONEWATCH_SECRET_KEY=OLD_KEY, **OAUTH
    ) as slack:
        await install(slack, slack_api, token)
        bot = await slack.deps.clients.installations.async_find_bot(enterprise_id=None, team_id=HOME_TEAM)
        assert bot.bot_token == token
    stored = stored_tokens(slack_database_url)
    assert stored and all(value.startswith("fernet:") and token not in value for value in stored)
    assert token.encode() not in Path(slack_database_url.removeprefix("sqlite:///")).read_bytes()
    assert {
        Fernet(OLD_KEY.encode()).decrypt(v.removeprefix("fernet:").encode()).decode() for v in stored
    } == {token}

    # Rotation: the new key first, the old one after it; then the old one can go.
    monkeypatch.setenv("DATABASE_URL", slack_database_url)
    monkeypatch.setenv("TONEWATCH_SECRET_KEY", f"{NEW_KEY},{OLD_KEY}")
    rotated = tonewatch("secrets", "rotate", "--json")
    assert rotated.returncode == 0 and json.loads(out(rotated)) == {"rows_reencrypted": 2}, err(rotated)
    for value in stored_tokens(slack_database_url):
        assert Fernet(NEW_KEY.encode()).decrypt(value.removeprefix("fernet:").encode()).decode() == token
    monkeypatch.setenv("TONEWATCH_SECRET_KEY", OLD_KEY)  # the old key alone no longer opens them
    assert_clean_failure(tonewatch("secrets", "rotate"), "opens with none of the keys")

    async with running_tonewatch(
        slack_api, slack_database_url, monkeypatch, TONEWATCH_SECRET_KEY=NEW_KEY, **OAUTH
    ) as slack:
        bot = await slack.deps.clients.installations.async_find_bot(enterprise_id=None, team_id=HOME_TEAM)
        assert bot.bot_token == token


def test_tokens_stored_before_a_key_was_set_are_read_and_encrypted_by_rotate(tmp_path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'plain.db'}"
    engine = create_db_engine(url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "insert into slack_bots (client_id, app_id, team_id, bot_token, is_enterprise_install,"
                " installed_at) values ('1', 'A', 'T1', 'xoxb-plain-token', false, '2026-12-01')"
            )
        )
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TONEWATCH_SECRET_KEY", NEW_KEY)
    assert json.loads(out(tonewatch("secrets", "rotate", "--json"))) == {"rows_reencrypted": 1}
    [value] = stored_tokens(url)
    assert value.startswith("fernet:") and "xoxb-plain-token" not in value
    monkeypatch.setenv("TONEWATCH_SECRET_KEY", "not-a-fernet-key")
    assert_clean_failure(tonewatch("secrets", "rotate"), "TONEWATCH_SECRET_KEY", "Fernet keys")
    assert "not-a-fernet-key" not in err(tonewatch("secrets", "rotate"))


def test_the_token_columns_migrate_both_ways(any_engine) -> None:
    from alembic import command

    config = alembic_config()
    with any_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0011")
    assert current_revision(any_engine) == "0011"
    upgrade(any_engine)
    assert current_revision(any_engine) == head_revision()


@pytest.mark.postgres
def test_the_token_columns_widen_on_postgresql(postgres_engine) -> None:
    columns = {c["name"]: c["type"] for c in sa.inspect(postgres_engine).get_columns("slack_installations")}
    assert columns["bot_token"].length == 2000 and columns["user_refresh_token"].length == 2000
    long = "fernet:" + "x" * 1500
    with postgres_engine.begin() as connection:
        connection.execute(
            sa.text(
                "insert into slack_bots (client_id, app_id, team_id, bot_token, is_enterprise_install,"
                " installed_at) values ('1', 'A', 'T1', :token, false, now())"
            ),
            {"token": long},
        )


def test_every_secret_setting_accepts_a_file(tmp_path, monkeypatch) -> None:
    names = [*secret_setting_names(), "DATABASE_URL"]
    assert {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_CLIENT_SECRET", "SLACK_APP_TOKEN"} <= set(names)
    assert {
        "ANTHROPIC_API_KEY",
        "TEAMS_APP_PASSWORD",
        "TONEWATCH_INGEST_TOKEN",
        "TONEWATCH_METRICS_TOKEN",
    } <= set(names)
    assert "TONEWATCH_SECRET_KEY" in names
    values = {
        "SLACK_BOT_TOKEN": "xoxb-from-a-file",
        "SLACK_SIGNING_SECRET": "signing-secret-from-a-file",
        "ANTHROPIC_API_KEY": "sk-ant-from-a-file",
        "TONEWATCH_INGEST_TOKEN": "ingest-token-from-a-file-0123456789",
        "TONEWATCH_METRICS_TOKEN": "metrics-token-from-a-file",
        "TONEWATCH_SECRET_KEY": NEW_KEY,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'from-file.db'}",
    }
    for name, value in values.items():
        path = tmp_path / f"{name}.secret"
        path.write_text(value + "\n")  # as `echo` or a mounted secret leaves it
        monkeypatch.setenv(f"{name}_FILE", str(path))
    settings = load_settings(env_file=None)
    assert settings.slack_bot_token.get_secret_value() == "xoxb-from-a-file"
    assert settings.slack_signing_secret.get_secret_value() == "signing-secret-from-a-file"
    assert settings.anthropic_api_key.get_secret_value() == "sk-ant-from-a-file"
    assert settings.ingest_token.get_secret_value() == values["TONEWATCH_INGEST_TOKEN"]
    assert settings.metrics_token.get_secret_value() == "metrics-token-from-a-file"
    assert settings.secret_key.get_secret_value() == NEW_KEY
    assert settings.database_url == values["DATABASE_URL"]

    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-also-set")
    with pytest.raises(ConfigError, match="set SLACK_BOT_TOKEN or SLACK_BOT_TOKEN_FILE, not both"):
        load_settings(env_file=None)
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    monkeypatch.setenv("TEAMS_APP_PASSWORD_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="TEAMS_APP_PASSWORD_FILE: cannot read .*missing"):
        load_settings(env_file=None)
    # A .env file may name the file too.
    monkeypatch.delenv("TEAMS_APP_PASSWORD_FILE")
    monkeypatch.delenv("SLACK_BOT_TOKEN_FILE")
    env = tmp_path / ".env"
    env.write_text(f"SLACK_BOT_TOKEN_FILE={tmp_path / 'SLACK_BOT_TOKEN.secret'}\n")
    assert load_settings(env_file=env).slack_bot_token.get_secret_value() == "xoxb-from-a-file"


def test_misspelled_settings_are_named_with_the_closest_known_one(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TONEWATCH_INGEST_TOKNE", "x")
    monkeypatch.setenv("TONEWATCH_RETENTON_DAYS", "30")
    monkeypatch.setenv("TONEWATCH_SOMETHING_ELSE_ENTIRELY", "1")
    env = tmp_path / ".env"
    env.write_text("TONEWATCH_LOG_LEVL=DEBUG\n")
    ignored = "is not a Tonewatch setting and is ignored"
    assert unknown_settings(env) == [
        f"TONEWATCH_INGEST_TOKNE {ignored}; did you mean TONEWATCH_INGEST_TOKEN?",
        f"TONEWATCH_LOG_LEVL {ignored}; did you mean TONEWATCH_LOG_LEVEL?",
        f"TONEWATCH_RETENTON_DAYS {ignored}; did you mean TONEWATCH_RETENTION_DAYS?",
        f"TONEWATCH_SOMETHING_ELSE_ENTIRELY {ignored}",
    ]


async def test_run_guards_metrics_with_a_token_and_warns_about_unknown_settings(tmp_path) -> None:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_", "ANTHROPIC_"))},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'metrics.db'}",
        "TONEWATCH_INGEST_TOKEN": "ingest-token-for-tests-0123456789",
        "TONEWATCH_METRICS_TOKEN": "metrics-token-0123456789",
        "TONEWATCH_INGEST_TOKNE": "typo",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--port", "0",
        cwd=tmp_path, env=environment, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    said: list[str] = []
    try:
        while not said or "listening on" not in said[-1]:
            line = await asyncio.wait_for(process.stderr.readline(), 60)
            assert line, f"tonewatch run exited: {said}"
            said.append(line.decode())
        url = said[-1].split("listening on ", 1)[1].strip()
        warning = [line for line in said if "TONEWATCH_INGEST_TOKNE" in line]
        assert warning and "WARNING" in warning[0] and "did you mean TONEWATCH_INGEST_TOKEN?" in warning[0]
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic x"}):
                async with http.get(f"{url}/metrics", headers=headers) as refused:
                    assert refused.status == 401 and "bearer" in (await refused.json())["error"]
            good = {"Authorization": "Bearer metrics-token-0123456789"}
            async with http.get(f"{url}/metrics", headers=good) as metrics:
                assert metrics.status == 200 and "tonewatch_requests_rejected" in await metrics.text()
            async with http.get(f"{url}/readyz") as ready:  # the probes stay open
                assert ready.status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)
