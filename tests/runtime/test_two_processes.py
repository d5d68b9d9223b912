"""Two `tonewatch run` processes on one PostgreSQL schema, behind one Slack app: each thing happens once.

Slack delivers each event to whichever process its load balancer picks, and
redelivers some (X-Slack-Retry-Num) to the other one while the first is still
busy; both processes' schedulers fire the same weekly digest. The database is
the only thing they share: unique keys and compare-and-set claims must make
each message stored, analyzed and alerted once, and the digest posted once.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from bot.config.settings import Settings
from scheduler.targets import add_target
from tests.fakes.messages_api import running_messages_api
from tests.support.run_process import (
    DIGEST_HEADING,
    TonewatchProcess,
    alerts_in_slack,
    customer_channels,
    customer_message,
    deliver,
    escalation_analysis,
    run_environment,
    tonewatch_processes,
)
from tests.support.slack_requests import ALERTS, HOME_TEAM, wait_for

#: The `slack_api` fixture (the Slack stand-in; it also checks no internal post reached a customer).
pytest_plugins = ("tests.support.slack_fixtures",)
pytestmark = pytest.mark.postgres

ACCOUNTS, MESSAGES_PER_ACCOUNT, REDELIVERED = 6, 3, 3


def database_url(engine: Engine) -> str:
    """The URL of the test's schema (search_path in the connection options), for the processes."""
    return engine.url.render_as_string(hide_password=False)


def zone_near_noon(now: datetime) -> tuple[str, str]:
    """A time zone where it is about noon now, and its weekday: today's 00:00 digest is due and
    caught up at start, whatever the hour the test runs (never across a local midnight)."""
    offset = max(-12, min(14, 12 - now.hour))
    local = now + timedelta(hours=offset)
    return f"Etc/GMT{-offset:+d}", local.strftime("%a").lower()  # Etc/GMT-3 is UTC+3


def rows(engine: Engine, query: str) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(query)).all()]


async def deliver_everything(
    processes: list[TonewatchProcess], channels: dict[str, str], rng: random.Random
) -> Counter:
    """Each event to a random process; some also, at the same time, to the other as Slack's retry 1."""
    events = [
        (f"Ev{n:04d}", customer_message(channel, account))
        for n, (channel, account) in enumerate(list(channels.items()) * MESSAGES_PER_ACCOUNT)
    ]
    retried = set(rng.sample(range(len(events)), REDELIVERED))
    first_to: Counter = Counter()
    async with aiohttp.ClientSession() as http:
        deliveries = []
        for n, (event_id, event) in enumerate(events):
            first, other = rng.sample(processes, 2)
            first_to[first.url] += 1
            deliveries.append(deliver(http, first.url, event, event_id))
            if n in retried:
                deliveries.append(deliver(http, other.url, event, event_id, retry=1))
        statuses = await asyncio.gather(*deliveries)
    logs = "".join(line for process in processes for line in process.stderr)
    assert statuses == [200] * (len(events) + REDELIVERED), logs
    return first_to


@pytest.mark.slow
async def test_events_spread_over_two_processes_are_stored_analyzed_and_alerted_once(
    slack_api, postgres_engine, tmp_path
):
    """18 messages for 6 accounts, 3 redelivered to the other process: 18 stored, 18 analyzed, 6 alerts."""
    channels = customer_channels(slack_api, postgres_engine, ACCOUNTS)
    accounts = list(channels.values())
    total = ACCOUNTS * MESSAGES_PER_ACCOUNT
    with running_messages_api(escalation_analysis) as claude:
        environment = run_environment(slack_api, database_url(postgres_engine), claude.url, tmp_path)
        async with tonewatch_processes(environment, tmp_path, count=2) as processes:
            first_to = await deliver_everything(processes, channels, random.Random(11))
            await wait_for(
                lambda: (
                    rows(postgres_engine, "select status, count(*) from messages group by status")
                    == [("analyzed", total)]
                    and rows(postgres_engine, "select distinct status from work_items") == [("done",)]
                ),
                timeout=30,
                what="every message analyzed and every alert posted",
            )
            assert await asyncio.gather(*(process.terminate() for process in processes)) == [0, 0]
        claude_calls = len(claude.message_requests)

    assert len(first_to) == 2  # both processes took events
    assert rows(postgres_engine, "select count(distinct external_id), count(*) from messages") == [
        (total, total)
    ]
    per_message = rows(postgres_engine, "select message_id, count(*) from analyses group by message_id")
    assert len(per_message) == total and {n for _, n in per_message} == {1}
    assert claude_calls == total
    assert rows(postgres_engine, "select count(*), sum(message_count) from alerts") == [(ACCOUNTS, total)]
    roots, threads = alerts_in_slack(slack_api, accounts)
    assert roots == Counter(accounts)
    drafts = Counter(a for a, texts in threads.items() for text in texts if text.startswith("Recommended:"))
    assert drafts == Counter(accounts)
    joined = sum(text.startswith("New message") for texts in threads.values() for text in texts)
    print(f"\n{total} messages, {REDELIVERED} redelivered; first deliveries per process: {dict(first_to)}")
    print(f"{joined} of {total - ACCOUNTS} messages joining an alert got a line in its thread")


@pytest.mark.slow
async def test_both_schedulers_fire_the_weekly_digest_and_it_is_posted_once(
    slack_api, postgres_engine, tmp_path
):
    """Both processes start after the digest's time today and catch it up; the claim lets one post it."""
    customer_channels(slack_api, postgres_engine, 1)
    zone, today = zone_near_noon(datetime.now(UTC))
    add_target(
        postgres_engine,
        f"slack:{HOME_TEAM}:{ALERTS}",
        platform="slack",
        destination=ALERTS,
        timezone=zone,
        day_of_week=today,
        send_time="00:00",
        attention_time="off",
        settings=Settings(_env_file=None),
    )
    with running_messages_api(escalation_analysis) as claude:
        environment = run_environment(
            slack_api, database_url(postgres_engine), claude.url, tmp_path, TONEWATCH_LOG_LEVEL="DEBUG"
        )
        async with tonewatch_processes(environment, tmp_path, count=2) as processes:

            def digest_job_ran(process: TonewatchProcess) -> bool:
                return any(
                    "ScheduledJobs.digest" in line and "executed successfully" in line
                    for line in process.stderr
                )

            await wait_for(
                lambda: all(digest_job_ran(p) for p in processes), timeout=30, what="both digest jobs to run"
            )
            assert await asyncio.gather(*(process.terminate() for process in processes)) == [0, 0]

    digests = [call for call in slack_api.posts(ALERTS) if call.ok and call.text.startswith(DIGEST_HEADING)]
    assert len(digests) == 1
    [(status, claimed_by)] = rows(postgres_engine, "select status, claimed_by from digest_runs")
    assert status == "done" and claimed_by
