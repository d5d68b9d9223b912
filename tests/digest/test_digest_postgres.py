"""Exactly once on the real PostgreSQL: two schedulers (two engines, as two processes would have) race."""

from __future__ import annotations

import asyncio
import io
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from freezegun import freeze_time
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.config.settings import Settings
from bot.digest.build import DigestOptions, build_digest, week_before
from bot.health.rules import HealthRules
from bot.health.scoring import compute_health
from bot.outbound.console import ConsolePoster
from scheduler.jobs import Outcome, ScheduledJobs
from scheduler.setup import schedule_jobs
from scheduler.targets import add_target
from storage.db import Transaction, create_db_engine
from storage.models import DigestRun
from storage.run_claims import claim_run
from tests.digest.test_digest import portfolio
from tests.support.history import History

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
def second_engine(postgres_engine: Engine) -> Iterator[Engine]:
    """Another engine with its own connection pool on the same schema: a second process's view."""
    engine = create_db_engine(postgres_engine.url.render_as_string(hide_password=False))
    yield engine
    engine.dispose()


async def test_two_schedulers_on_one_postgres_send_one_digest(postgres_engine, second_engine) -> None:
    portfolio(History(postgres_engine, NOW))
    add_target(
        postgres_engine,
        "slack:T1:C1",
        platform="console",
        timezone="Europe/Berlin",
        settings=Settings(_env_file=None),
    )  # type: ignore[call-arg]
    out = io.StringIO()
    results: dict[str, object] = {}
    both_done = asyncio.Event()
    with freeze_time("2026-11-23 12:00:00", real_asyncio=True):  # 13:00 Berlin: both catch up at once
        schedulers = []
        for name, engine in (("first", postgres_engine), ("second", second_engine)):
            jobs = ScheduledJobs(engine, ConsolePoster(out, as_json=True), worker=name)
            scheduler = schedule_jobs(jobs, datetime.now(UTC))

            def listener(event, name: str = name) -> None:
                if event.job_id.startswith("catchup-"):
                    results[f"{name}:{event.job_id}"] = event.exception or event.retval
                    if len(results) == 4:
                        both_done.set()

            scheduler.add_listener(listener, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
            schedulers.append(scheduler)
        for scheduler in schedulers:
            scheduler.start()
        try:
            await asyncio.wait_for(both_done.wait(), 60)
        finally:
            for scheduler in schedulers:
                scheduler.shutdown(wait=False)
    digests = [r for k, r in results.items() if "catchup-digest" in k]
    assert sorted(digests) == sorted([Outcome.posted, Outcome.skipped])
    lists = [r for k, r in results.items() if "catchup-attention" in k]
    assert sorted(lists) == sorted([Outcome.posted, Outcome.skipped])
    posted = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [p["type"] for p in posted].count("digest") == 1
    assert [p.get("kind") for p in posted].count("attention_list") == 1
    with Session(postgres_engine) as session:
        runs = session.exec(select(DigestRun).where(DigestRun.target_key == "slack:T1:C1")).all()
    assert sorted((r.period_key, r.status) for r in runs) == [
        ("day:2026-11-23", "done"),
        ("week:2026-11-16", "done"),
    ]


def test_many_processes_claiming_at_once_get_one_winner(postgres_engine, second_engine) -> None:
    third = create_db_engine(postgres_engine.url.render_as_string(hide_password=False))
    engines = [postgres_engine, second_engine, third]
    start = threading.Barrier(9)
    won: list[str] = []

    def claim(index: int) -> None:
        start.wait()
        if claim_run(
            engines[index % 3],
            "T",
            "week:2026-11-16",
            owner=f"w{index}",
            now=NOW,
            lease=timedelta(minutes=10),
        ):
            won.append(f"w{index}")

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    third.dispose()
    assert len(won) == 1
    # A stale claim is taken over by exactly one of several restarted processes.
    later = NOW + timedelta(minutes=30)
    start = threading.Barrier(6)
    won.clear()

    def take_over(index: int) -> None:
        start.wait()
        claim = claim_run(
            engines[index % 2],
            "T",
            "week:2026-11-16",
            owner=f"r{index}",
            now=later,
            lease=timedelta(minutes=10),
        )
        if claim:
            won.append(claim.owner)

    threads = [threading.Thread(target=take_over, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1


def test_postgres_and_sqlite_agree_on_health_and_digest(postgres_engine, sqlite_engine) -> None:
    for engine in (postgres_engine, sqlite_engine):
        portfolio(History(engine, NOW))
    period = week_before(NOW.date(), "UTC")
    results = []
    for engine in (postgres_engine, sqlite_engine):
        with Session(engine) as session:
            healths = {
                h.account: (h.light, h.trend, h.points, h.average_7d, h.average_30d, h.average_90d)
                for h in compute_health(Transaction(session), NOW, HealthRules())
            }
            digest = build_digest(Transaction(session), period, DigestOptions()).to_json()
        for key in ("as_of", "chart"):
            digest.pop(key)
        results.append((healths, digest))
    (pg_health, pg_digest), (lite_health, lite_digest) = results
    assert pg_health.keys() == lite_health.keys()
    for account, values in pg_health.items():
        assert values[:3] == lite_health[account][:3]
        assert values[3:] == pytest.approx(lite_health[account][3:], abs=1e-3)
    assert pg_digest == lite_digest
