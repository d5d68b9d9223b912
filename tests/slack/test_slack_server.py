
"""The server around Slack: /healthz, /metrics, OAuth for many workspaces, Socket Mode, `tonewatch run`."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import select

from bot.runtime.server import build_web_app, mark_ready
from bot.runtime.telemetry import Telemetry
from storage.db import create_db_engine, session_scope
from storage.migrate import head_revision
from storage.models import Analysis
from storage.slack_tables import metadata as slack_tables
from tests.fakes.messages_api import overloaded, server_error, tool_use
from tests.support.run_process import ESCALATION_ANALYSIS, start_tonewatch_run
from tests.support.slack_requests import (
    ALERTS,
    CUSTOMER,
    ESCALATION,
    HOME_TEAM,
    SHARED,
    base_environment,
    event_body,
    message_event,
    populate,
    running_tonewatch,
    signed_headers,
    wait_for,
)

#: The `slack` and `slack_api` fixtures (a running Tonewatch, the Slack stand-in).
pytest_plugins = ("tests.support.slack_fixtures",)

REPO = Path(__file__).resolve().parents[2]


def metric_samples(text: str) -> dict[tuple[str, frozenset], float]:
    """/metrics parsed as Prometheus does: (sample name, labels) -> value."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def sample(samples: dict, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


async def scrape(slack) -> dict[tuple[str, frozenset], float]:
    response = await slack.http.get("/metrics")
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/plain")
    return metric_samples(await response.text())


def queue_depth(samples: dict) -> dict[str, float | None]:
    return {s: sample(samples, "tonewatch_queue_depth", status=s) for s in ("pending", "running", "failed")}


@pytest.mark.slow
async def test_healthz_answers_once_ready_and_metrics_count_what_happened(
    slack_api, slack_database_url, messages_api, monkeypatch
):
    """Every operational metric, after real traffic: what was stored, refused, analyzed, posted and queued."""
    claude = {
        "ANTHROPIC_API_KEY": "test-key",
        "ANTHROPIC_BASE_URL": messages_api.url,
        "TONEWATCH_LLM_POLICY": "all",
        "TONEWATCH_LLM_MAX_RETRIES": "0",
    }
    async with running_tonewatch(slack_api, slack_database_url, monkeypatch, **claude) as slack:
        assert (await slack.http.get("/healthz")).status == 200
        mark_ready(slack.http.app, False)
        assert (await slack.http.get("/healthz")).status == 503
        mark_ready(slack.http.app)
        slack.set_up()
        assert (await slack.http.post("/slack/events", data=b"{}")).status == 401  # unsigned

        # Two messages Claude fails on (an outage, then overload): stored, analyzed offline, no alert.
        messages_api.enqueue(server_error(), overloaded(), tool_use(ESCALATION_ANALYSIS))
        for text in ("Thanks, see you Tuesday.", "Got it, talk soon."):
            await slack.event(message_event(SHARED, CUSTOMER, text))
        await wait_for(lambda: analyses(slack) == 2, timeout=10, what="both analyses")

        # An escalation Claude reads; its alert post is held in flight by Slack, then goes out.
        slack_api.hold("chat.postMessage")
        escalation = message_event(SHARED, CUSTOMER, ESCALATION)
        await slack.event(escalation, event_id="Ev-escalation")
        await slack.event(escalation, event_id="Ev-escalation", retry=1)  # Slack's redelivery
        await wait_for(lambda: slack_api.calls_to("chat.postMessage"), timeout=10, what="the held post")
        in_flight = await wait_for_metrics(
            slack, lambda s: queue_depth(s) == {"pending": 0, "running": 1, "failed": 0}
        )
        assert (
            sample(in_flight, "tonewatch_alerts_posted_total", platform="slack", severity="critical") is None
        )
        slack_api.release("chat.postMessage")
        await slack.posted_alert()

        after = await wait_for_metrics(
            slack, lambda s: queue_depth(s) == {"pending": 0, "running": 0, "failed": 0}
        )
    [alert] = slack.alerts()
    assert alert.severity == "critical"
    assert {
        "stored": sample(after, "tonewatch_messages_stored_total", platform="slack"),
        "duplicates": sample(after, "tonewatch_duplicate_deliveries_total", platform="slack"),
        "rejected": sample(
            after, "tonewatch_requests_rejected_total", path="/slack/events", reason="signature"
        ),
        "alerts": sample(after, "tonewatch_alerts_posted_total", platform="slack", severity="critical"),
        "claude analyses": sample(after, "tonewatch_analysis_seconds_count", provider="claude"),
        "offline analyses": sample(after, "tonewatch_analysis_seconds_count", provider="offline"),
        "outage fallbacks": sample(after, "tonewatch_llm_fallbacks_total", reason="server_error"),
        "overload fallbacks": sample(after, "tonewatch_llm_fallbacks_total", reason="overloaded"),
    } == {
        "stored": 3.0,
        "duplicates": 1.0,
        "rejected": 1.0,
        "alerts": 1.0,
        "claude analyses": 1.0,
        "offline analyses": 2.0,
        "outage fallbacks": 1.0,
        "overload fallbacks": 1.0,
    }
    latency = sample(after, "tonewatch_analysis_seconds_sum", provider="claude")
    assert latency is not None and 0 < latency < 10
    assert sample(after, "tonewatch_analysis_seconds_bucket", provider="claude", le="+Inf") == 1.0


def analyses(slack) -> int:
    with session_scope(slack.core.engine) as session:
        return len(session.exec(select(Analysis)).all())


async def wait_for_metrics(slack, condition, timeout: float = 10.0) -> dict:
    """Scrape /metrics until `condition(samples)` holds (the worker finishes on its own schedule)."""
    deadline = time.monotonic() + timeout
    while True:
        samples = await scrape(slack)
        if condition(samples):
            return samples
        if time.monotonic() > deadline:
            raise AssertionError(f"metrics never matched; queue depth {queue_depth(samples)}")
        await asyncio.sleep(0.05)


async def test_healthz_fails_when_the_database_is_unreachable(tmp_path):
    """A database the probe cannot open (its SQLite folder gone; a PostgreSQL port closed) is a 503."""
    folder = tmp_path / "gone"
    folder.mkdir()
    sqlite = create_db_engine(f"sqlite:///{folder / 'tonewatch.db'}")
    folder.rmdir()
    postgres = create_db_engine("postgresql+psycopg://tonewatch:db-password-0123@127.0.0.1:1/tonewatch")
    for engine in (sqlite, postgres):
        app = build_web_app(engine, Telemetry())
        mark_ready(app)
        async with TestClient(TestServer(app, host="127.0.0.1", port=0)) as http:
            for probe in ("/healthz", "/readyz"):
                response = await http.get(probe)
                answer = await response.json()
                assert response.status == 503 and answer["reason"].startswith("database unreachable"), answer
                assert "db-password" not in json.dumps(answer)
            live = await http.get("/livez")  # the process itself is fine: liveness asks no database
            assert live.status == 200 and (await live.json()) == {"status": "alive"}
            assert (await http.get("/metrics")).status == 200  # metrics still answer without the database
        engine.dispose()


async def test_healthz_fails_when_the_schema_is_behind(slack):
    with slack.core.engine.begin() as connection:
        connection.execute(sa.text("update alembic_version set version_num = '0001'"))
    response = await slack.http.get("/healthz")
    assert response.status == 503 and "tonewatch db upgrade" in (await response.json())["reason"]


@pytest.mark.slow
def test_the_oauth_tables_match_the_migration_and_there_is_one_head(sqlite_engine):
    inspector = sa.inspect(sqlite_engine)
    for table in slack_tables.tables.values():
        migrated = {column["name"] for column in inspector.get_columns(table.name)}
        assert migrated == set(table.c.keys()), table.name
    assert head_revision() is not None  # get_current_head raises when there are several heads


async def test_oauth_installs_a_workspace_and_uses_its_token_for_events_and_alerts(
    slack_api, slack_database_url, monkeypatch
):
    oauth = {"SLACK_BOT_TOKEN": "", "SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "client-secret"}
    async with running_tonewatch(slack_api, slack_database_url, monkeypatch, **oauth) as slack:
        install = await slack.http.get("/slack/install", allow_redirects=False)
        assert install.status == 200
        link = next(part for part in (await install.text()).split('"') if "oauth/v2/authorize" in part)
        state = parse_qs(urlparse(link.replace("&amp;", "&")).query)["state"][0]
        cookie = install.headers["Set-Cookie"].split(";")[0]

        slack_api.add_oauth_install("code-1", HOME_TEAM, "Home Co", "xoxb-installed")
        forged = await slack.http.get("/slack/oauth_redirect", params={"code": "code-1", "state": "forged"})
        assert forged.status >= 400
        done = await slack.http.get(
            "/slack/oauth_redirect", params={"code": "code-1", "state": state}, headers={"Cookie": cookie}
        )
        assert done.status == 200, await done.text()
        bot = await slack.deps.clients.installations.async_find_bot(enterprise_id=None, team_id=HOME_TEAM)
        assert bot.bot_token == "xoxb-installed"

        await slack.command(f"alerts <#{ALERTS}|cs-alerts>", channel=ALERTS)
        await slack.command("watch", channel=SHARED)
        await slack.alert_posted()
        tokens = {c.token for c in slack_api.calls if c.method not in ("oauth.v2.access", "response_url")}
        assert tokens == {"xoxb-installed"}  # every request and the worker's posts used the installation

        await slack.event({"type": "app_uninstalled"})
        assert (
            await slack.deps.clients.installations.async_find_bot(enterprise_id=None, team_id=HOME_TEAM)
            is None
        )


async def test_socket_mode_receives_events_over_the_websocket_and_acknowledges_them(
    slack_api, slack_database_url, monkeypatch
):
    socket = {"SLACK_APP_TOKEN": "xapp-1-test", "SLACK_SIGNING_SECRET": ""}
    async with running_tonewatch(slack_api, slack_database_url, monkeypatch, **socket) as slack:
        assert not [r for r in slack.http.app.router.routes() if r.resource.canonical == "/slack/events"]
        await wait_for(lambda: slack_api.socket_connections == 1, what="the socket connection")
        assert slack_api.calls_to("apps.connections.open")[0].token == "xapp-1-test"
        slack.set_up()
        envelope = {
            "envelope_id": "env-1",
            "type": "events_api",
            "accepts_response_payload": False,
            "retry_attempt": 0,
            "retry_reason": "",
            "payload": event_body(message_event(SHARED, CUSTOMER, ESCALATION)),
        }
        slack_api.push_envelope(envelope)
        await wait_for(
            lambda: [a for a in slack_api.socket_acks if a.get("envelope_id") == "env-1"], what="ack"
        )
        assert [m.text for m in slack.messages()] == [ESCALATION]  # stored before the ack
        await slack.posted_alert()
    assert slack_api.socket_connections == 0


@pytest.mark.slow
async def test_tonewatch_run_serves_slack_until_sigterm(slack_api, tmp_path):
    populate(slack_api)
    database = tmp_path / "run.db"
    environment = {**os.environ, **base_environment(slack_api, f"sqlite:///{database}")}
    process, url = await start_tonewatch_run(environment, tmp_path)
    try:
        async with aiohttp.ClientSession() as http:
            assert (await http.get(f"{url}/healthz")).status == 200
            form = "&".join(
                f"{k}={v}"
                for k, v in {
                    "command": "/tonewatch",
                    "text": "watch",
                    "user_id": "U_SAM",
                    "channel_id": SHARED,
                    "team_id": HOME_TEAM,
                    "response_url": slack_api.response_url("run"),
                }.items()
            )
            headers = signed_headers(form, "application/x-www-form-urlencoded")
            assert (await http.post(f"{url}/slack/events", data=form, headers=headers)).status == 200
            await wait_for(lambda: slack_api.responses("run"), timeout=10, what="the command's answer")
            body = json.dumps(event_body(message_event(SHARED, CUSTOMER, ESCALATION)))
            answer = await http.post(
                f"{url}/slack/events", data=body, headers=signed_headers(body, "application/json")
            )
            assert answer.status == 200
        engine = sa.create_engine(f"sqlite:///{database}")
        with engine.connect() as connection:
            texts = connection.execute(sa.text("select text from messages")).scalars().all()
        engine.dispose()
        assert texts == [ESCALATION]
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 20) == 0
        assert b"stopping" in await process.stderr.read()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
