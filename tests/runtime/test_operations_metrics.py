
# ruff: noqa: F811 - the Teams fixtures are imported by name, and tests take them as parameters
"""/metrics for operators: the process's own collectors, the build, platform API errors and rate limits by
method (Slack Web API, Teams Bot Connector), and when each target's digest was last posted."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from importlib.metadata import version
from types import SimpleNamespace

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from bot.outbound.console import ConsolePoster
from bot.runtime.telemetry import Telemetry
from scheduler.jobs import Outcome, ScheduledJobs
from scheduler.setup import seed_digest_times
from scheduler.targets import add_target
from tests.fakes.bot_connector import CUSTOMER as TEAMS_CUSTOMER
from tests.fakes.bot_connector import (  # noqa: F401  (fixtures)
    ESCALATION,
    bot_connector,
    failure,
    teams,
    teams_database_url,
    throttled,
    wait_for,
)
from tests.fakes.bot_connector import SHARED as TEAMS_SHARED
from tests.fakes.slack_api import api_error, rate_limited
from tests.support.slack_requests import CUSTOMER, message_event
from tests.support.slack_requests import SHARED as SLACK_SHARED

pytest_plugins = ("tests.support.slack_fixtures",)


def parse(text: str) -> dict[tuple[str, frozenset], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


async def scrape(http) -> dict:
    response = await http.get("/metrics")
    assert response.status == 200
    return parse(await response.text())


async def test_metrics_carry_the_process_collectors_and_the_build(slack) -> None:
    samples = await scrape(slack.http)
    names = {name for name, _ in samples}
    assert {
        "process_cpu_seconds_total",
        "process_resident_memory_bytes",
        "process_start_time_seconds",
    } <= names
    assert "python_info" in names and "python_gc_collections_total" in names
    assert value(samples, "tonewatch_build_info", version=version("tonewatch")) == 1.0


async def test_slack_rate_limits_and_errors_are_counted_by_method(slack, slack_api) -> None:
    slack.set_up()
    slack_api.enqueue("chat.postMessage", rate_limited(retry_after=0))
    await slack.event(
        message_event(SLACK_SHARED, CUSTOMER, "Production is down again and nobody answers. Fix it!")
    )
    await slack.posted_alert()  # retried after the 429, then posted
    samples = await scrape(slack.http)
    assert (
        value(
            samples, "tonewatch_platform_api_rate_limits_total", platform="slack", method="chat.postMessage"
        )
        == 1
    )
    before = (
        value(
            samples,
            "tonewatch_platform_api_errors_total",
            platform="slack",
            method="conversations.info",
            status="channel_not_found",
        )
        or 0
    )
    slack_api.enqueue("conversations.info", api_error("channel_not_found"))
    client = slack.runtime.platforms["slack"].deps.clients.app_client
    try:
        await client.conversations_info(channel="C_GONE")
    except Exception:  # noqa: BLE001 - the SDK raises on ok: false; the counter is what matters
        pass
    samples = await scrape(slack.http)
    assert (
        value(
            samples,
            "tonewatch_platform_api_errors_total",
            platform="slack",
            method="conversations.info",
            status="channel_not_found",
        )
        == before + 1
    )


@pytest.mark.slow
async def test_teams_throttles_and_errors_are_counted_by_operation(teams) -> None:
    await teams.set_up()
    await teams.idle()
    teams.connector.enqueue("create", throttled(0), failure(502))
    await teams.say(TEAMS_SHARED, TEAMS_CUSTOMER, ESCALATION)
    # The card's post: throttled (retried at once), then a 502 (the work item is retried), then posted.
    await wait_for(lambda: teams.alert_cards(), timeout=60, what="the alert card")
    samples = await scrape(teams.http)
    assert (
        value(
            samples, "tonewatch_platform_api_rate_limits_total", platform="teams", method="createConversation"
        )
        == 1
    )
    assert (
        value(
            samples,
            "tonewatch_platform_api_errors_total",
            platform="teams",
            method="createConversation",
            status="502",
        )
        == 1
    )


async def test_the_last_digest_posted_is_a_timestamp_per_target(slack) -> None:
    core = slack.core
    add_target(core.engine, "console", platform="console", timezone="UTC", settings=core.settings)
    jobs = ScheduledJobs(core.engine, ConsolePoster(io.StringIO()), telemetry=core.telemetry)
    samples = await scrape(slack.http)
    assert value(samples, "tonewatch_last_digest_posted_timestamp_seconds", target="console") is None
    nine = datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC)
    jobs.clock = lambda: nine
    assert await jobs.digest("console", now=nine) is Outcome.posted
    samples = await scrape(slack.http)
    assert (
        value(samples, "tonewatch_last_digest_posted_timestamp_seconds", target="console") == nine.timestamp()
    )
    # A run already posted this week is skipped and does not move the time.
    jobs.clock = lambda: nine.replace(hour=15)
    assert await jobs.digest("console", now=nine.replace(hour=15)) is Outcome.skipped
    samples = await scrape(slack.http)
    assert (
        value(samples, "tonewatch_last_digest_posted_timestamp_seconds", target="console") == nine.timestamp()
    )
    # A process started later reads the time from the database (the gauge is not empty until next week).
    restarted = SimpleNamespace(engine=core.engine, telemetry=Telemetry())
    seed_digest_times(restarted)
    samples = parse(generate_latest(restarted.telemetry.registry).decode())
    assert (
        value(samples, "tonewatch_last_digest_posted_timestamp_seconds", target="console") == nine.timestamp()
    )
