"""Schedules on real APScheduler triggers: DST, catch-up, exactly-once claims, crash recovery."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from freezegun import freeze_time
from sqlmodel import Session, select

from bot.config.settings import Settings
from bot.outbound.console import ConsolePoster
from bot.outbound.port import Destination
from scheduler.jobs import JobConfig, Outcome, ScheduledJobs
from scheduler.setup import TargetJobs, schedule_jobs
from scheduler.targets import add_target, digest_trigger, load_target, previous_fire_time
from storage.db import session_scope
from storage.models import DigestRun, HealthChange
from storage.run_claims import claim_run, run_status
from tests.health.test_health import declining, promoter
from tests.support.history import History

SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]


def target(engine, key: str = "console", zone: str = "Europe/Berlin", **fields):
    return add_target(engine, key, platform="console", timezone=zone, settings=SETTINGS, **fields)


def posts(stream: io.StringIO, kind: str | None = None) -> list[dict]:
    found = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    return [p for p in found if kind is None or p.get("type") == kind or p.get("kind") == kind]


class CrashingPoster(ConsolePoster):
    """A platform that fails the first `failures` posts: with `error` (an exception) or a process death."""

    def __init__(self, stream: io.StringIO, error: BaseException, failures: int = 1) -> None:
        super().__init__(stream, as_json=True)
        self.error = error
        self.failures = failures

    async def post_digest(self, target, digest):
        if self.failures:
            self.failures -= 1
            raise self.error
        return await super().post_digest(target, digest)


async def run_until(scheduler, job_ids: set[str], timeout: float = 30) -> dict[str, object]:
    """Start the scheduler and wait (on events, not sleeps) until every job in `job_ids` has run once."""
    results: dict[str, object] = {}
    done = asyncio.Event()

    def listener(event) -> None:
        if event.job_id in job_ids:
            results[event.job_id] = event.exception or event.retval
            if set(results) == job_ids:
                done.set()

    scheduler.add_listener(listener, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.start()
    try:
        await asyncio.wait_for(done.wait(), timeout)
    finally:
        scheduler.shutdown(wait=False)
    return results


async def test_monday_nine_oclock_follows_new_york_across_both_dst_changes(sqlite_engine) -> None:
    target(sqlite_engine, zone="America/New_York")
    jobs = ScheduledJobs(sqlite_engine, ConsolePoster(io.StringIO()))
    with freeze_time("2026-03-02 12:00:00", real_asyncio=True):  # Monday 07:00 EST
        scheduler = schedule_jobs(jobs, datetime.now(UTC))
        scheduler.start(paused=True)
        job = scheduler.get_job("digest:console")
        attention = scheduler.get_job("attention:console")
        assert job.next_run_time == datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # 09:00 EST
        following = job.trigger.get_next_fire_time(job.next_run_time, job.next_run_time)
        assert following == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # 09:00 EDT after the change
        assert attention.next_run_time == datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
        scheduler.shutdown(wait=False)
    trigger = digest_trigger(load_target(sqlite_engine, "console"))
    autumn = trigger.get_next_fire_time(None, datetime(2026, 10, 27, tzinfo=UTC))
    assert autumn == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)  # first Monday after Nov 1: EST again
    assert previous_fire_time(trigger, autumn - timedelta(seconds=1)) == datetime(
        2026, 10, 26, 13, 0, tzinfo=UTC
    )
    assert previous_fire_time(trigger, autumn) == autumn


async def test_a_missed_monday_is_caught_up_once_the_same_day_and_not_the_next(sqlite_engine) -> None:
    declining(History(sqlite_engine, datetime(2026, 11, 23, 8, 0, tzinfo=UTC)))
    target(sqlite_engine, attention_time="off")
    out = io.StringIO()
    with freeze_time("2026-11-23 13:00:00", real_asyncio=True):  # 14:00 in Berlin; 09:00 was missed
        jobs = ScheduledJobs(sqlite_engine, ConsolePoster(out, as_json=True))
        scheduler = schedule_jobs(jobs, datetime.now(UTC))
        assert scheduler.get_job("catchup-attention:console") is None
        results = await run_until(scheduler, {"catchup-digest:console"})
    assert results == {"catchup-digest:console": Outcome.posted}
    [digest] = posts(out, "digest")
    assert digest["period"]["key"] == "week:2026-11-16" and digest["attention"][0]["account"] == "Acme Corp"
    with freeze_time("2026-11-23 16:30:00", real_asyncio=True):  # restarted again later that day
        jobs = ScheduledJobs(sqlite_engine, ConsolePoster(out, as_json=True))
        results = await run_until(schedule_jobs(jobs, datetime.now(UTC)), {"catchup-digest:console"})
    assert results == {"catchup-digest:console": Outcome.skipped} and len(posts(out, "digest")) == 1
    with freeze_time("2026-11-24 08:00:00", real_asyncio=True):  # Tuesday: too late, nothing to catch up
        jobs = ScheduledJobs(sqlite_engine, ConsolePoster(out, as_json=True))
        scheduler = schedule_jobs(jobs, datetime.now(UTC))
        assert scheduler.get_job("catchup-digest:console") is None
        assert await jobs.digest("console") is Outcome.missed
    assert run_status(sqlite_engine, "console", "week:2026-11-16") == "done"


async def test_the_scheduled_run_and_a_catch_up_claim_the_same_week(sqlite_engine) -> None:
    target(sqlite_engine, zone="UTC")
    out = io.StringIO()
    jobs = ScheduledJobs(sqlite_engine, ConsolePoster(out, as_json=True))
    nine = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert await jobs.digest("console", now=nine) is Outcome.posted
    assert await jobs.digest("console", now=nine + timedelta(hours=5)) is Outcome.skipped
    assert await jobs.digest("console", now=nine - timedelta(hours=1)) is Outcome.missed  # before 09:00
    assert await jobs.digest("console", now=nine - timedelta(days=7)) is Outcome.posted  # last Monday's
    assert [p["period"]["key"] for p in posts(out, "digest")] == ["week:2026-11-16", "week:2026-11-09"]


@pytest.mark.parametrize("crash", ["process dies", "platform error"])
async def test_a_restart_mid_run_sends_the_digest_once(any_engine, crash) -> None:
    declining(History(any_engine, datetime(2026, 11, 23, 8, 0, tzinfo=UTC)))
    target(any_engine, zone="UTC")
    nine = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    out = io.StringIO()
    error: BaseException = asyncio.CancelledError() if crash == "process dies" else ConnectionError("reset")
    first = ScheduledJobs(any_engine, CrashingPoster(out, error), JobConfig(lease=timedelta(minutes=10)))
    if crash == "process dies":
        with pytest.raises(asyncio.CancelledError):
            await first.digest("console", now=nine)
        assert run_status(any_engine, "console", "week:2026-11-16") == "claimed"
    else:
        assert await first.digest("console", now=nine) is Outcome.failed
        assert run_status(any_engine, "console", "week:2026-11-16") == "failed"
    restarted = ScheduledJobs(
        any_engine, ConsolePoster(out, as_json=True), JobConfig(lease=timedelta(minutes=10))
    )
    assert (
        await restarted.digest("console", now=nine + timedelta(minutes=2)) is Outcome.skipped
    )  # still leased
    assert await restarted.resume_stale(now=nine + timedelta(minutes=5)) == 0
    assert await restarted.resume_stale(now=nine + timedelta(minutes=11)) == 1
    assert await restarted.resume_stale(now=nine + timedelta(minutes=30)) == 0
    assert await restarted.digest("console", now=nine + timedelta(hours=1)) is Outcome.skipped
    [digest] = posts(out, "digest")
    assert digest["period"]["key"] == "week:2026-11-16"
    with Session(any_engine) as session:
        [run] = session.exec(select(DigestRun).where(DigestRun.target_key == "console")).all()
    assert run.status == "done" and run.claimed_by == restarted.worker
    assert run.payload["digest"]["counts"] == digest["counts"] and run.payload["kind"] == "digest"


async def test_a_live_claim_is_never_taken_over(sqlite_engine) -> None:
    nine = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    lease = timedelta(minutes=10)
    assert claim_run(sqlite_engine, "t", "week:1", owner="a", now=nine, lease=lease) is not None
    assert (
        claim_run(sqlite_engine, "t", "week:1", owner="b", now=nine + timedelta(minutes=9), lease=lease)
        is None
    )
    taken = claim_run(sqlite_engine, "t", "week:1", owner="b", now=nine + timedelta(minutes=11), lease=lease)
    assert taken is not None and taken.taken_over
    assert (
        claim_run(sqlite_engine, "t", "week:1", owner="c", now=nine + timedelta(minutes=12), lease=lease)
        is None
    )


async def test_sla_breaches_are_escalated_once(sqlite_engine) -> None:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    history = History(sqlite_engine, now)
    history.account("Acme Corp", owner="Sam")
    late = history.say("Acme Corp", 25 / 24, -0.5, "Any update on the export?")
    history.say("Globex", 26 / 24, -0.7, "This is broken.", place="C1")
    history.staff("Globex", 0.5, place="C1")  # answered after the SLA ran out: no escalation
    history.say("Initech", 3, -0.8, "Old and unanswered.")  # before the lookback: imports stay quiet
    history.say("Hooli", 2 / 24, -0.6, "Not due yet.")
    out = io.StringIO()
    jobs = ScheduledJobs(sqlite_engine, ConsolePoster(out, as_json=True))
    assert await jobs.sla_check(now=now) == 1
    assert await jobs.sla_check(now=now + timedelta(minutes=15)) == 0
    [alert] = posts(out, "sla_breach")
    assert alert["message_ids"] == [late] and alert["owner"] == "Sam" and alert["severity"] == "warning"
    assert alert["title"] == "No reply for 25 h · Acme Corp"


async def test_a_systemic_incident_is_posted_once_not_per_account(sqlite_engine) -> None:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    history = History(sqlite_engine, now)
    for index, name in enumerate(("A", "B", "C")):
        history.say(
            name, 0, -0.5, "Sync down", concerns=("reliability",), at=now - timedelta(minutes=90 - 20 * index)
        )
    out = io.StringIO()
    jobs = ScheduledJobs(sqlite_engine, ConsolePoster(out, as_json=True))
    assert await jobs.incident_check(now=now) == 1
    history.say("D", 0, -0.6, "Sync down here too", concerns=("reliability",), at=now + timedelta(minutes=10))
    assert await jobs.incident_check(now=now + timedelta(minutes=15)) == 0
    [incident] = posts(out, "systemic_incident")
    assert incident["title"] == "Systemic: reliability raised by 3 accounts on Nov 23 between 10:30 and 11:10"
    assert incident["lines"] == ["A, B, C"]


async def test_attention_list_runs_once_a_day_for_the_owners_accounts(sqlite_engine) -> None:
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    history = History(sqlite_engine, now)
    history.account("Acme Corp", owner="Sam")
    mine = history.say("Acme Corp", 0.2, -0.4, "The export is slow.")
    history.say("Globex", 0.2, -0.4, "Invoice question.")
    target(sqlite_engine, "slack:dm:sam", zone="UTC", kind="owner_dm", owner="Sam", attention_time="09:00")
    out = io.StringIO()
    jobs = ScheduledJobs(sqlite_engine, ConsolePoster(out, as_json=True))
    assert await jobs.attention("slack:dm:sam", now=now) is Outcome.posted
    assert await jobs.attention("slack:dm:sam", now=now + timedelta(hours=3)) is Outcome.skipped
    [notice] = posts(out, "attention_list")
    assert notice["message_ids"] == [mine] and notice["target"] == "slack:dm:sam"


async def test_colour_changes_are_recorded_hourly(sqlite_engine) -> None:
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    declining(History(sqlite_engine, now))
    promoter(History(sqlite_engine, now))
    jobs = ScheduledJobs(sqlite_engine, ConsolePoster(io.StringIO()))
    assert await jobs.record_health(now=now) == 1
    assert await jobs.record_health(now=now + timedelta(minutes=30)) == 0  # this hour is done
    with Session(sqlite_engine) as session:
        [change] = session.exec(select(HealthChange)).all()
    assert (change.from_light, change.to_light) == (None, "red")


async def test_targets_added_later_get_their_jobs(sqlite_engine) -> None:
    jobs = ScheduledJobs(sqlite_engine, ConsolePoster(io.StringIO()))
    with freeze_time("2026-11-23 07:00:00", real_asyncio=True):
        scheduler = schedule_jobs(jobs, datetime.now(UTC))
        assert scheduler.get_job("digest:later") is None
        target(sqlite_engine, "later", zone="UTC", send_time="10:30", day_of_week="tue")
        target_jobs = TargetJobs(scheduler, jobs)
        await target_jobs.refresh()
        scheduler.start(paused=True)
        assert scheduler.get_job("digest:later").next_run_time == datetime(2026, 11, 24, 10, 30, tzinfo=UTC)
        with session_scope(sqlite_engine) as session:
            from storage.queries import save_digest_target

            save_digest_target(session, "later", enabled=False)
        await target_jobs.refresh()
        assert scheduler.get_job("digest:later") is None and scheduler.get_job("attention:later") is None
        scheduler.shutdown(wait=False)


def test_bad_target_settings_are_refused(sqlite_engine) -> None:
    from scheduler.targets import BadTarget

    with pytest.raises(BadTarget, match="time zone"):
        target(sqlite_engine, zone="Mars/Base")
    with pytest.raises(BadTarget, match="needs the owner"):
        target(sqlite_engine, kind="owner_dm")
    assert Destination.from_target(target(sqlite_engine, send_time="8:5")).key == "console"
    assert load_target(sqlite_engine, "console").send_time == "08:05"


async def test_build_scheduler_from_the_core_puts_every_job_on(sqlite_url, monkeypatch) -> None:
    from bot.composition import build_core
    from bot.config.settings import load_settings
    from scheduler import build_scheduler

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("TONEWATCH_LLM_POLICY", "off")
    core = build_core(load_settings(None))
    try:
        target(core.engine, "slack:T1:C1", zone="Asia/Tokyo")
        with freeze_time("2026-11-23 00:30:00", real_asyncio=True):  # 09:30 in Tokyo: due today, caught up
            scheduler = build_scheduler(core, ConsolePoster(io.StringIO()))
            ids = {job.id for job in scheduler.get_jobs()}
    finally:
        await core.aclose()
    assert {"sla-check", "incident-check", "health-changes", "resume-stale", "refresh-targets"} <= ids
    assert {"digest:slack:T1:C1", "attention:slack:T1:C1", "catchup-digest:slack:T1:C1"} <= ids
