# ruff: noqa: F811 - the stand-ins' fixtures are imported by name, and tests take them as parameters
"""No secret is ever printed: not in logs at DEBUG, not in errors, not in configuration messages.

`tonewatch run` runs as a real process with a distinctive value for every
secret setting, logging at DEBUG, and is driven down its error paths: forged
Slack, Teams and /ingest requests (some carrying the very secrets), a key
Claude rejects and a Claude outage (the Messages API stand-in), a Slack 429
followed by invalid_auth, an OAuth install (its bot token arrives at run
time), a database URL with a password, and start-ups stopped by bad settings.
Everything it printed, and every file it left that could be a log, is then
searched for each secret and for its first and last eight characters.
"""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config.settings import load_settings, secret_setting_names
from bot.runtime.scrub import FRAGMENT_CHARS
from storage.errors import ConfigError
from tests.fakes.bot_connector import APP_ID, HOME_TENANT, bot_connector  # noqa: F401  (the fixture)
from tests.fakes.bot_connector import CUSTOMER as TEAMS_CUSTOMER
from tests.fakes.bot_connector import SHARED as TEAMS_SHARED
from tests.fakes.bot_connector import populate as populate_teams
from tests.fakes.messages_api import api_error, server_error, tool_use
from tests.fakes.slack_api import api_error as slack_error
from tests.fakes.slack_api import rate_limited as slack_rate_limited
from tests.support.logged_process import LoggedProcess, files_written
from tests.support.run_process import ESCALATION_ANALYSIS, process_environment
from tests.support.slack_requests import (
    ALERTS,
    CUSTOMER,
    ESCALATION,
    SHARED,
    STAFF,
    command_form,
    event_body,
    message_event,
    populate,
    signed_headers,
    wait_for,
)

#: The `slack_api` fixture (the Slack stand-in, with its "nothing internal reached a customer" check).
pytest_plugins = ("tests.support.slack_fixtures",)



def distinctive(prefix: str = "") -> str:
    """A value that cannot occur in output by chance (and whose 8-character ends cannot either)."""
    return prefix + secrets.token_hex(16)


def leaks(output: str, values: dict[str, str]) -> dict[str, list[str]]:
    """For each secret found in `output`: the pieces of it that were (whole, leading or trailing part)."""
    found: dict[str, list[str]] = {}
    for name, value in values.items():
        pieces = {"whole": value, "start": value[:FRAGMENT_CHARS], "end": value[-FRAGMENT_CHARS:]}
        hits = [piece for piece, text in pieces.items() if text in output]
        if hits:
            found[name] = hits
    return found


def everything_printed(run: LoggedProcess, folder: Path) -> str:
    return run.output + "".join(files_written(folder).values())


async def command(http, url: str, slack_api, text: str, channel: str, signing_secret: str, name: str) -> None:
    form = command_form(text, STAFF, channel, slack_api.response_url(name, user=STAFF))
    answer = await http.post(
        f"{url}/slack/events",
        data=form,
        headers=signed_headers(form, "application/x-www-form-urlencoded", secret=signing_secret),
    )
    assert answer.status == 200
    await wait_for(lambda: slack_api.responses(name), timeout=10, what=f"the answer to /tonewatch {text}")


@pytest.mark.slow
async def test_tonewatch_run_prints_no_secret_down_its_error_paths(
    slack_api, messages_api, bot_connector, tmp_path
):
    """One workspace over HTTP, Teams, /ingest and Claude, at DEBUG, through every failure it logs."""
    values = {
        "SLACK_BOT_TOKEN": distinctive("xoxb-"),
        "SLACK_SIGNING_SECRET": distinctive(),
        "ANTHROPIC_API_KEY": distinctive("sk-ant-"),
        "TEAMS_APP_PASSWORD": distinctive(),
        "TONEWATCH_INGEST_TOKEN": distinctive(),
    }
    populate(slack_api)
    environment = process_environment(
        **values,
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.db'}",
        SLACK_API_URL=slack_api.url,
        SLACK_RATE_LIMIT_RETRIES="1",
        ANTHROPIC_BASE_URL=messages_api.url,
        TONEWATCH_LLM_POLICY="all",
        TONEWATCH_LLM_MAX_RETRIES="0",
        TEAMS_APP_ID=APP_ID,
        TEAMS_TENANT_ID=HOME_TENANT,
        TONEWATCH_DIGEST_NARRATIVE="false",
        TONEWATCH_CHART_DIR=str(tmp_path / "charts"),
        TONEWATCH_LOG_LEVEL="DEBUG",
    )
    run = await LoggedProcess.start(["run", "--port", "0"], environment, tmp_path)
    try:
        url = await run.listening()
        async with aiohttp.ClientSession() as http:
            await send_forgeries(http, url, values, bot_connector)
            await let_claude_reject_the_key_then_fail(http, url, values, messages_api, run)
            await let_slack_refuse_the_alert(http, url, values, slack_api, run)
        assert await run.terminate() == 0
    finally:
        await run.kill()
    sent = messages_api.message_requests[0].headers
    assert values["ANTHROPIC_API_KEY"] in (
        sent.get("x-api-key"),
        sent.get("authorization", "").removeprefix("Bearer "),
    )
    assert {c.token for c in slack_api.calls_to("chat.postMessage")} == {values["SLACK_BOT_TOKEN"]}
    assert "Claude rejected the API key" in run.output  # the paths were really taken
    assert leaks(everything_printed(run, tmp_path), values) == {}


async def send_forgeries(http, url: str, values: dict[str, str], connector) -> None:
    """Refused requests to every route, some carrying a secret where it does not belong."""
    signing, ingest_token = values["SLACK_SIGNING_SECRET"], values["TONEWATCH_INGEST_TOKEN"]
    body = json.dumps(event_body(message_event(SHARED, CUSTOMER, "forged")))
    for headers in (
        {"Content-Type": "application/json"},
        signed_headers(body, "application/json", secret="not-" + signing),
        signed_headers(body, "application/json", secret=signing, timestamp=int(time.time()) - 600),
        {**signed_headers(body, "application/json", secret=signing), "X-Slack-Signature": signing},
    ):
        assert (await http.post(f"{url}/slack/events", data=body, headers=headers)).status == 401
    item = json.dumps({"source": "ticket", "account": "Acme Corp", "text": "forged", "external_id": "F"})
    for authorization in ("Bearer wrong-token-0123456789", f"Token {ingest_token}", ingest_token[:-1]):
        headers = {"Content-Type": "application/json", "Authorization": authorization}
        assert (await http.post(f"{url}/ingest", data=item, headers=headers)).status == 401
    populate_teams(connector)
    activity = json.dumps(connector.activity(TEAMS_SHARED, TEAMS_CUSTOMER, "It broke again"))
    for token in (None, connector.token(iss="https://attacker.example"), values["TEAMS_APP_PASSWORD"]):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        assert (await http.post(f"{url}/api/messages", data=activity, headers=headers)).status == 401


async def let_claude_reject_the_key_then_fail(http, url: str, values, messages_api, run) -> None:
    """Two tickets: Claude answers 401 (the key), then 500; the third call (the escalation) is answered."""
    messages_api.enqueue(
        api_error(401, "authentication_error", "invalid x-api-key"),
        server_error(),
        tool_use(ESCALATION_ANALYSIS),
    )
    bearer = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {values['TONEWATCH_INGEST_TOKEN']}",
    }
    for n in (1, 2):
        ticket = {"source": "ticket", "account": "Initech", "text": f"Question {n}?", "external_id": f"T{n}"}
        assert (await http.post(f"{url}/ingest", data=json.dumps(ticket), headers=bearer)).status == 201
        await wait_for(lambda n=n: len(messages_api.message_requests) >= n, timeout=10, what="Claude's call")
    await run.wait_for_line(lambda line: "server_error" in line, what="the outage's fallback")


async def let_slack_refuse_the_alert(http, url: str, values, slack_api, run) -> None:
    """Set Slack up, then the escalation's alert meets a 429 and then invalid_auth."""
    signing = values["SLACK_SIGNING_SECRET"]
    await command(http, url, slack_api, f"alerts <#{ALERTS}|cs-alerts>", ALERTS, signing, "alerts")
    await command(http, url, slack_api, "watch", SHARED, signing, "watch")
    slack_api.enqueue("chat.postMessage", slack_rate_limited(0), slack_error("invalid_auth"))
    event = json.dumps(event_body(message_event(SHARED, CUSTOMER, ESCALATION)))
    headers = signed_headers(event, "application/json", secret=signing)
    assert (await http.post(f"{url}/slack/events", data=event, headers=headers)).status == 200
    await run.wait_for_line(lambda line: "work item post_alert" in line, what="the refused post")


async def test_an_oauth_install_prints_neither_the_client_secret_nor_the_installed_token(slack_api, tmp_path):
    values = {
        "SLACK_CLIENT_SECRET": distinctive(),
        "SLACK_SIGNING_SECRET": distinctive(),
        "installed bot token": distinctive("xoxb-"),  # arrives at run time, from oauth.v2.access
    }
    populate(slack_api)
    slack_api.add_oauth_install("code-1", "T_NEW", "New Co", values["installed bot token"])
    environment = process_environment(
        SLACK_CLIENT_ID="111.222",
        SLACK_CLIENT_SECRET=values["SLACK_CLIENT_SECRET"],
        SLACK_SIGNING_SECRET=values["SLACK_SIGNING_SECRET"],
        SLACK_API_URL=slack_api.url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.db'}",
        TONEWATCH_LLM_POLICY="off",
        TONEWATCH_LOG_LEVEL="DEBUG",
    )
    run = await LoggedProcess.start(["run", "--port", "0"], environment, tmp_path)
    try:
        url = await run.listening()
        async with aiohttp.ClientSession() as http:
            for code in ("no-such-code", "code-1"):
                install = await http.get(f"{url}/slack/install", allow_redirects=False)
                link = next(
                    part for part in (await install.text()).split('"') if "oauth/v2/authorize" in part
                )
                state = parse_qs(urlparse(link.replace("&amp;", "&")).query)["state"][0]
                cookie = install.headers["Set-Cookie"].split(";")[0]
                await http.get(
                    f"{url}/slack/oauth_redirect",
                    params={"code": code, "state": state},
                    headers={"Cookie": cookie},
                )
        assert await run.terminate() == 0
    finally:
        await run.kill()
    assert [c.args.get("code") for c in slack_api.calls_to("oauth.v2.access")] == ["no-such-code", "code-1"]
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'run.db'}")
    with engine.connect() as connection:
        installed = connection.execute(sa.text("select bot_token from slack_bots")).scalars().all()
    engine.dispose()
    assert installed == [
        values["installed bot token"]
    ]  # the exchange happened; its answer was logged at DEBUG
    assert leaks(everything_printed(run, tmp_path), values) == {}


@pytest.mark.postgres
async def test_a_database_password_is_never_printed(postgres_engine, tmp_path):
    """Served from PostgreSQL with a password in DATABASE_URL, and failing to reach it: neither prints it."""
    password = distinctive()
    served_url = postgres_engine.url.set(password=password).render_as_string(hide_password=False)
    unreachable = f"postgresql://tonewatch:{password}@127.0.0.1:1/tonewatch"
    token = distinctive()
    base = process_environment(TONEWATCH_INGEST_TOKEN=token, TONEWATCH_LOG_LEVEL="DEBUG", TONEWATCH_DEBUG="1")

    run = await LoggedProcess.start(["run", "--port", "0"], {**base, "DATABASE_URL": served_url}, tmp_path)
    failed = await LoggedProcess.start(
        ["run", "--port", "0"], {**base, "DATABASE_URL": unreachable}, tmp_path
    )
    try:
        url = await run.listening()
        ticket = {
            "source": "ticket",
            "account": "Acme Corp",
            "text": "Where is my invoice?",
            "external_id": "P1",
        }
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        async with aiohttp.ClientSession() as http:
            assert (await http.post(f"{url}/ingest", data=json.dumps(ticket), headers=headers)).status == 201
            assert (await http.get(f"{url}/healthz")).status == 200
        assert await run.terminate() == 0
        assert await failed.finish() == 1
    finally:
        await run.kill()
        await failed.kill()
    assert "OperationalError" in failed.output  # it did try, and said why it stopped
    assert (
        leaks(everything_printed(run, tmp_path) + failed.output, {"password": password, "token": token}) == {}
    )


async def test_start_up_stopped_by_bad_settings_names_them_and_echoes_no_secret(tmp_path):
    values = {
        "SLACK_BOT_TOKEN": distinctive("xoxp-"),  # a user token where a bot token belongs
        "TEAMS_APP_PASSWORD": distinctive(),
        "ANTHROPIC_API_KEY": distinctive("sk-ant-"),
        "TONEWATCH_INGEST_TOKEN": secrets.token_hex(6),  # too short
        "database password": distinctive(),
    }
    field_errors = process_environment(
        **{name: value for name, value in values.items() if name.isupper()},
        SLACK_SIGNING_SECRET=distinctive(),
        TEAMS_APP_ID="not-a-guid",
        DATABASE_URL=f"mysql://tonewatch:{values['database password']}@db.example/tonewatch",
        TONEWATCH_LLM_TIMEOUT="soon",
        TONEWATCH_LOG_LEVEL="DEBUG",
    )
    lone_secret = process_environment(
        SLACK_SIGNING_SECRET=(signing := distinctive()), TONEWATCH_LOG_LEVEL="DEBUG"
    )
    first = await LoggedProcess.start(["run"], field_errors, tmp_path)
    second = await LoggedProcess.start(["run"], lone_secret, tmp_path)
    assert await first.finish() == 1 and await second.finish() == 1
    for setting in (
        "SLACK_BOT_TOKEN",
        "TEAMS_APP_ID",
        "TONEWATCH_INGEST_TOKEN",
        "DATABASE_URL",
        "TONEWATCH_LLM_TIMEOUT",
    ):
        assert setting in first.output
    assert "SLACK_SIGNING_SECRET is set but" in second.output
    assert leaks(first.output, values) == {}
    assert leaks(second.output, {"SLACK_SIGNING_SECRET": signing}) == {}


# --- configuration errors, in-process ------------------------------------------------------------

secret_values = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=20, max_size=48)


@settings(max_examples=60, deadline=None)
@given(secret=secret_values, name=st.sampled_from(secret_setting_names()))
def test_a_secret_pasted_into_another_setting_is_not_echoed_back(secret, name):
    """A validator that quotes its input (here the time zone's) does not reprint a known secret."""
    environment = {name: secret, "TONEWATCH_DIGEST_TIMEZONE": secret}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in environment.items():
            patch.setenv(key, value)
        with pytest.raises(ConfigError) as error:
            load_settings(env_file=None)
    message = str(error.value)
    assert "TONEWATCH_DIGEST_TIMEZONE" in message
    assert leaks(message, {name: secret}) == {}


@settings(max_examples=60, deadline=None)
@given(secret=secret_values)
def test_a_secret_in_the_env_file_is_not_echoed_back(secret, tmp_path_factory):
    """Secrets read from .env (not the environment) are known to the message's scrubbing too."""
    env_file = tmp_path_factory.mktemp("env") / ".env"
    env_file.write_text(f"SLACK_SIGNING_SECRET={secret}\nTONEWATCH_DIGEST_TIMEZONE={secret}\n")
    with pytest.raises(ConfigError) as error:
        load_settings(env_file=env_file)
    assert "TONEWATCH_DIGEST_TIMEZONE" in str(error.value)
    assert leaks(str(error.value), {"SLACK_SIGNING_SECRET": secret}) == {}


def test_a_broken_inbox_file_is_reported_by_position_not_by_quoting_its_password(tmp_path, monkeypatch):
    """PyYAML's own message quotes the offending line, here the one holding the inline password."""
    password = distinctive()
    inboxes = tmp_path / "inboxes.yaml"
    inboxes.write_text(
        f'inboxes:\n  - host: imap.example.com\n    user: cs@example.com\n    password: "{password}\n'
    )
    monkeypatch.setenv("TONEWATCH_INBOXES", str(inboxes))
    with pytest.raises(ConfigError) as error:
        load_settings(env_file=None)
    assert "TONEWATCH_INBOXES" in str(error.value) and "line 4" in str(error.value)
    assert leaks(str(error.value), {"inbox password": password}) == {}
