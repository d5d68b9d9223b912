
"""Nothing lost, nothing doubled when `tonewatch run` is killed mid-work (SIGKILL: no shutdown code runs).

The real process serves signed Slack events and runs its worker against the
Slack Web API and Messages API stand-ins; a test kills it while analyses or
alert posts are in flight, restarts it on the same database, and counts what
each stand-in received. A dead process's work items are taken over one lease
after its last heartbeat (TONEWATCH_WORK_LEASE_SECONDS; short here so the
tests stay quick), so the restart does not wait on them long.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from bot.runtime.worker import Worker
from storage.db import session_scope
from storage.queue import DONE, claim, enqueue, renew
from storage.types import utcnow
from tests.fakes.messages_api import Reply, running_messages_api, slow
from tests.fakes.slack_api import FakeSlackAPI
from tests.support.run_process import (
    TonewatchProcess,
    alert_roots,
    alert_thread_replies,
    alerts_in_slack,
    customer_channels,
    customer_message,
    deliver,
    escalation_analysis,
    run_environment,
    run_tonewatch,
)
from tests.support.slack_requests import ALERTS, wait_for

#: The `slack_api` fixture (the Slack stand-in; it also checks no internal post reached a customer).
pytest_plugins = ("tests.support.slack_fixtures",)

LEASE = {"TONEWATCH_WORK_LEASE_SECONDS": "2"}
#: Messages in flight when the process dies, one per customer account (so one alert each).
IN_FLIGHT = 6


def held_analysis(body: dict) -> Reply:
    """Claude taking longer than the process lives: the request is in flight when it is killed."""
    return slow(escalation_analysis(body), 60)


def rows(engine: Engine, query: str) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(query)).all()]


async def send_customer_messages(process: TonewatchProcess, channels: dict[str, str]) -> None:
    """One signed message per customer channel; each acked 200, which Tonewatch does once it is stored."""
    async with aiohttp.ClientSession() as http:
        statuses = await asyncio.gather(
            *(
                deliver(http, process.url, customer_message(channel, account), f"Ev{channel}")
                for channel, account in channels.items()
            )
        )
    assert statuses == [200] * len(channels)


async def restart(
    slack_api: FakeSlackAPI, environment: dict[str, str], cwd: Path, alerts: int
) -> tuple[TonewatchProcess, float]:
    """Start again on the same database; returns the process and the seconds until `alerts` threads posted."""
    started = time.monotonic()
    restarted = await run_tonewatch(environment, cwd)
    await wait_for(
        lambda: len(alert_thread_replies(slack_api)) >= alerts,
        timeout=30,  # a generous deadline for a loaded machine; the old fixed lease alone was 120 s
        what="every alert and its thread reply after the restart",
    )
    return restarted, time.monotonic() - started


async def finish(process: TonewatchProcess, engine: Engine) -> None:
    """Once the queue is drained, a SIGTERM stops the process cleanly."""
    try:
        await wait_for(
            lambda: rows(engine, "select distinct status from work_items") == [(DONE,)],
            timeout=15,
            what="the work queue drained",
        )
        assert await process.terminate() == 0
    finally:
        await process.kill()


def assert_each_message_analyzed_once(engine: Engine, count: int) -> None:
    assert rows(engine, "select status, count(*) from messages group by status") == [("analyzed", count)]
    per_message = rows(engine, "select message_id, count(*) from analyses group by message_id")
    assert len(per_message) == count and {n for _, n in per_message} == {1}


def assert_each_alert_posted_once_with_its_thread(slack_api: FakeSlackAPI, channels: dict[str, str]) -> None:
    accounts = list(channels.values())
    roots, threads = alerts_in_slack(slack_api, accounts)
    assert roots == Counter(accounts)
    assert {account: len(texts) for account, texts in threads.items()} == dict.fromkeys(accounts, 1)


@pytest.mark.slow
async def test_a_kill_during_analysis_loses_nothing_and_analyzes_each_message_once(
    slack_api, sqlite_engine, sqlite_url, tmp_path
):
    """Messages acked while Claude was still thinking are analyzed once, and alerted once, after a restart."""
    channels = customer_channels(slack_api, sqlite_engine, IN_FLIGHT)
    with running_messages_api(held_analysis) as holding:
        environment = run_environment(slack_api, sqlite_url, holding.url, tmp_path, **LEASE)
        crashing = await run_tonewatch(environment, tmp_path)
        try:
            await send_customer_messages(crashing, channels)
            await wait_for(lambda: len(holding.message_requests) >= IN_FLIGHT, timeout=10, what="analyses")
        finally:
            await crashing.kill()
    assert rows(sqlite_engine, "select status, count(*) from messages group by status") == [
        ("pending", IN_FLIGHT)
    ]
    assert rows(sqlite_engine, "select count(*) from analyses") == [(0,)]
    assert alert_roots(slack_api) == []

    with running_messages_api(escalation_analysis) as answering:
        environment = run_environment(slack_api, sqlite_url, answering.url, tmp_path, **LEASE)
        restarted, recovery_seconds = await restart(slack_api, environment, tmp_path, IN_FLIGHT)
        await finish(restarted, sqlite_engine)
        assert len(answering.message_requests) == IN_FLIGHT  # one Claude call per message, no more

    assert_each_message_analyzed_once(sqlite_engine, IN_FLIGHT)
    assert_each_alert_posted_once_with_its_thread(slack_api, channels)
    # Each analysis was claimed twice: by the killed process, then, its lease run out, by the restarted one.
    claims = rows(
        sqlite_engine, "select attempts, count(*) from work_items where kind = 'analyze' group by 1"
    )
    assert claims == [(2, IN_FLIGHT)]
    print(
        f"\n{IN_FLIGHT} analyses in flight at SIGKILL: all alerted {recovery_seconds:.1f}s after the restart"
    )


@pytest.mark.slow
async def test_a_kill_while_slack_has_not_done_the_post_posts_each_alert_once(
    slack_api, sqlite_engine, sqlite_url, tmp_path
):
    """chat.postMessage in flight, never done by Slack, when the process dies: the restart posts it once."""
    channels = customer_channels(slack_api, sqlite_engine, IN_FLIGHT)
    slack_api.hold("chat.postMessage")
    with running_messages_api(escalation_analysis) as claude:
        environment = run_environment(slack_api, sqlite_url, claude.url, tmp_path, **LEASE)
        crashing = await run_tonewatch(environment, tmp_path)
        try:
            await send_customer_messages(crashing, channels)
            await wait_for(
                lambda: len(slack_api.posts(ALERTS)) >= IN_FLIGHT,
                timeout=10,
                what="the alert posts in flight",
            )
        finally:
            await crashing.kill()
        slack_api.release("chat.postMessage", carry_out=False)
        assert alert_roots(slack_api) == []
        assert rows(sqlite_engine, "select count(*) from alerts where post_ref is null") == [(IN_FLIGHT,)]

        restarted, recovery_seconds = await restart(slack_api, environment, tmp_path, IN_FLIGHT)
        await finish(restarted, sqlite_engine)

    assert_each_alert_posted_once_with_its_thread(slack_api, channels)
    assert_each_message_analyzed_once(sqlite_engine, IN_FLIGHT)
    posted = {m["ts"] for m in slack_api.messages[ALERTS] if not m.get("thread_ts")}
    assert {ref for (ref,) in rows(sqlite_engine, "select post_ref from alerts")} == posted
    print(f"\n{IN_FLIGHT} alert posts in flight at SIGKILL: posted {recovery_seconds:.1f}s after the restart")


@pytest.mark.slow
async def test_a_post_slack_did_just_before_the_kill_is_found_and_not_posted_again(
    slack_api, sqlite_engine, sqlite_url, tmp_path
):
    """Slack did chat.postMessage, but the process died before storing the post's ts.

    chat.postMessage has no idempotency key; the alert carries its id in message metadata, and the
    restarted process, retrying the post, finds it in the channel's recent history and records it
    instead of posting a second time (the draft then goes under that one post).
    """
    channels = customer_channels(slack_api, sqlite_engine, 1)
    slack_api.hold("chat.postMessage")
    with running_messages_api(escalation_analysis) as claude:
        environment = run_environment(slack_api, sqlite_url, claude.url, tmp_path, **LEASE)
        crashing = await run_tonewatch(environment, tmp_path)
        try:
            await send_customer_messages(crashing, channels)
            await wait_for(lambda: slack_api.posts(ALERTS), timeout=10, what="the alert post in flight")
        finally:
            await crashing.kill()
        slack_api.release("chat.postMessage", carry_out=True)
        await wait_for(lambda: alert_roots(slack_api), what="Slack doing the orphaned post")
        restarted, _ = await restart(slack_api, environment, tmp_path, 1)
        await finish(restarted, sqlite_engine)

    [account] = channels.values()
    roots, threads = alerts_in_slack(slack_api, [account])
    assert roots == Counter({account: 1}) and len(threads[account]) == 1
    [orphan] = (m["ts"] for m in slack_api.messages[ALERTS] if not m.get("thread_ts"))
    assert rows(sqlite_engine, "select post_ref from alerts") == [(orphan,)]
    assert [call.args["thread_ts"] for call in alert_thread_replies(slack_api)] == [orphan]
    assert slack_api.calls_to("conversations.history")  # found by looking, not by luck


# --- the lease itself: renewed while an item runs, so only a dead worker's items are taken over --------


def test_a_renewed_lease_keeps_the_item_and_a_lapsed_one_frees_it(any_engine):
    """The heartbeat's effect: a peer gets the item only one lease after the holder's last renewal."""
    with session_scope(any_engine) as session:
        enqueue(session, "analyze", "1")
    lease, start = timedelta(seconds=30), utcnow()
    [item] = claim(any_engine, "alive", ("analyze",), lease=lease, now=start)
    assert renew(any_engine, "alive", lease, now=start + timedelta(seconds=20)) == 1
    assert claim(any_engine, "peer", ("analyze",), lease=lease, now=start + timedelta(seconds=45)) == []
    [taken] = claim(any_engine, "peer", ("analyze",), lease=lease, now=start + timedelta(seconds=51))
    assert taken.id == item.id and taken.attempts == 2
    assert renew(any_engine, "alive", lease) == 0  # not its item any more


async def test_a_live_worker_keeps_an_item_that_outlasts_its_lease(sqlite_engine):
    """An item running for four leases is never taken over by a peer while its worker is alive."""
    started, release = asyncio.Event(), asyncio.Event()

    async def slow_handler(subject: str, attempts: int) -> None:
        started.set()
        await release.wait()

    worker = Worker(sqlite_engine, poll_seconds=0.05, lease_seconds=0.3)
    worker.register("analyze", slow_handler)
    with session_scope(sqlite_engine) as session:
        enqueue(session, "analyze", "1")
    running = asyncio.create_task(worker.run_forever())
    try:
        await asyncio.wait_for(started.wait(), 5)
        deadline = time.monotonic() + 1.2
        while time.monotonic() < deadline:
            assert await asyncio.to_thread(claim, sqlite_engine, "peer", ("analyze",)) == []
            await asyncio.sleep(0.05)  # a peer polling the queue
        release.set()
        await wait_for(lambda: rows(sqlite_engine, "select status, attempts from work_items") == [(DONE, 1)])
    finally:
        release.set()
        worker.stop()
        await asyncio.wait_for(running, 5)
