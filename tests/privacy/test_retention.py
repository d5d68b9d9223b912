"""Retention: customer text older than N days is erased (CLI and daily job); scores, trends and health stay.

Ages are real ages: the clock is frozen (freezegun) at a fixed "now" while the
purge runs, and moved a day on to show the daily job catching what aged since.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from bot.composition import build_core, build_runtime, build_scheduler
from bot.config.settings import load_settings
from bot.digest.build import DigestOptions, build_digest, period_for
from bot.messages.pipeline import MessagePipeline
from bot.privacy.erasure import purge_older_than
from scheduler.retention_job import RETENTION_JOB_ID, RetentionJob
from storage.db import session_scope, transaction
from storage.errors import ConfigError
from storage.inbound import InboundMessage
from storage.models import Analysis, CustomerMessage
from storage.run_claims import claim_run, complete_run
from tests.support.privacy_data import (
    NOW,
    RULES,
    QuotingAnalyzer,
    account_json,
    database_text,
    health_numbers,
    run_cli,
)

ACCOUNT = "Marlowe Freight"
DAY = timedelta(days=1)
#: (days ago, text, author, is customer); the phrases are unique so a search is unambiguous.
OLD = [
    (
        45,
        "The Wyvernhollow sync has been broken for a week and nobody replies. Really frustrating.",
        "Ada Brandt",
    ),
    (40, "Thanks, the Larkspur importer works perfectly now, great job!", "Ada Brandt"),
]
OLD_STAFF = (44, "Hi Ada, we are fixing the Wyvernhollow sync today.", "Sam Okafor")
RECENT = [
    (5, "The Thistledown invoice is wrong again, please correct it this week.", "Bo Lindqvist"),
    (3, "Love the Brackenridge reports, the whole team uses them.", "Bo Lindqvist"),
]
OLD_TRACES = ("wyvernhollow", "larkspur importer", "ada brandt")
RECENT_TRACES = ("thistledown invoice", "brackenridge reports", "bo lindqvist")


def _message(days_ago: float, text: str, author: str, *, customer: bool = True) -> InboundMessage:
    return InboundMessage(
        platform="import",
        external_id=f"m-{days_ago}-{customer}",
        text=text,
        created_at=NOW - days_ago * DAY,
        account=ACCOUNT,
        author=author,
        is_customer=customer,
        thread_key="t-old" if days_ago > 30 else None,
    )


async def store_history(engine) -> MessagePipeline:
    """Two old customer messages and our reply, two recent ones, analyzed; a digest sent then and now."""
    pipeline = MessagePipeline(engine, QuotingAnalyzer())
    pipeline.store_many(
        [
            *(_message(*row) for row in OLD),
            _message(*OLD_STAFF, customer=False),
            *(_message(*row) for row in RECENT),
        ]
    )
    await pipeline.analyze_pending()
    for sent_at in (NOW - 38 * DAY, NOW):
        with transaction(engine) as tx:
            digest = build_digest(tx, period_for(sent_at, "UTC"), DigestOptions(rules=RULES))
        claim = claim_run(
            engine, "console", digest.period.key, owner="test", now=sent_at, lease=timedelta(hours=1)
        )
        assert claim is not None
        complete_run(engine, claim, sent_at, {"digest": digest.to_json()})
    return pipeline


async def test_the_purge_erases_old_text_keeps_recent_text_and_every_score(any_engine):
    await store_history(any_engine)
    before = database_text(any_engine)
    assert all(trace in before for trace in (*OLD_TRACES, *RECENT_TRACES))
    health_before = health_numbers(account_json(any_engine, ACCOUNT))
    assert health_before["average_90d"] is not None

    with freeze_time(NOW):
        dry = run_cli(any_engine, "forget", "--older-than", "30", "--dry-run", "--json")
        assert database_text(any_engine) == before
        real = run_cli(any_engine, "forget", "--older-than", "30", "--yes", "--json")

    assert dry.exit_code == 0 and real.exit_code == 0, real.output
    summary = json.loads(real.stdout)
    assert summary["tables"] == json.loads(dry.stdout)["tables"]
    # Two customer messages and our reply; the two analyses quoting them; the old digest's record.
    assert summary["tables"]["messages"] == {"erased": 3}
    assert summary["tables"]["analyses"] == {"erased": 2}
    assert summary["tables"]["digest_runs"] == {"erased": 1}
    after = database_text(any_engine)
    for trace in OLD_TRACES:
        assert trace not in after, f"{trace!r} is older than 30 days and survived"
    for trace in RECENT_TRACES:
        assert trace in after, f"{trace!r} is recent and must stay"
    with session_scope(any_engine) as session:
        old = (
            session.execute(
                select(CustomerMessage).where(
                    CustomerMessage.created_at < NOW - 30 * DAY, CustomerMessage.is_customer
                )
            )
            .scalars()
            .all()
        )
        assert len(old) == 2 and all(m.text is None and m.score is not None for m in old)
        old_analyses = (
            session.execute(select(Analysis).where(Analysis.message_id.in_([m.id for m in old])))
            .scalars()
            .all()
        )
        assert [(a.evidence, a.draft_reply) for a in old_analyses] == [([], "")] * 2
    assert health_numbers(account_json(any_engine, ACCOUNT)) == health_before


async def test_a_message_still_waiting_for_analysis_is_purged_once_it_has_its_score(sqlite_engine):
    pipeline = MessagePipeline(sqlite_engine, QuotingAnalyzer())
    pipeline.store(_message(*OLD[0]))

    waiting = purge_older_than(sqlite_engine, 30, now=NOW)

    assert waiting.tally.total == 0
    assert "wyvernhollow" in database_text(sqlite_engine)
    await pipeline.analyze_pending()
    purged = purge_older_than(sqlite_engine, 30, now=NOW)
    assert purged.tally.erased["messages"] == 1
    with session_scope(sqlite_engine) as session:
        (message,) = session.execute(select(CustomerMessage)).scalars().all()
    assert message.text is None and message.score is not None and message.score < 0


async def test_the_daily_job_purges_once_a_day_and_the_next_day_what_aged_since(sqlite_engine):
    await store_history(sqlite_engine)
    pipeline = MessagePipeline(sqlite_engine, QuotingAnalyzer())
    # 29.5 days old today: kept today, past 30 days tomorrow.
    pipeline.store(_message(29.5, "The Quillfeather export is slow but we manage for now.", "Bo Lindqvist"))
    await pipeline.analyze_pending()

    with freeze_time(NOW) as clock:
        first = await RetentionJob(sqlite_engine, 30).run()
        # Another process's scheduler fires the same day: the day is claimed already.
        same_day = await RetentionJob(sqlite_engine, 30).run()
        after_first_day = database_text(sqlite_engine)
        clock.tick(DAY)
        next_day = await RetentionJob(sqlite_engine, 30).run()

    assert first is not None and first.tally.erased["messages"] == 3
    assert same_day is None
    assert "quillfeather" in after_first_day and "wyvernhollow" not in after_first_day
    assert next_day is not None and next_day.tally.erased["messages"] == 1
    assert "quillfeather" not in database_text(sqlite_engine)


async def test_the_scheduler_runs_the_purge_only_when_retention_is_set(sqlite_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("TONEWATCH_INGEST_TOKEN", "a-long-enough-ingest-token")
    jobs = {}
    for days in ("0", "30"):
        monkeypatch.setenv("TONEWATCH_RETENTION_DAYS", days)
        core = build_core(load_settings(env_file=None))
        try:
            scheduler = build_scheduler(build_runtime(core))
            jobs[days] = scheduler is not None and scheduler.get_job(RETENTION_JOB_ID) is not None
        finally:
            await core.aclose()

    assert jobs == {"0": False, "30": True}


@pytest.mark.parametrize("value", ["-1", "soon"])
def test_a_bad_retention_setting_stops_start_up_naming_it(monkeypatch, value):
    monkeypatch.setenv("TONEWATCH_RETENTION_DAYS", value)

    with pytest.raises(ConfigError, match="TONEWATCH_RETENTION_DAYS"):
        load_settings(env_file=None)


def test_retention_is_off_unless_set():
    assert load_settings(env_file=None).retention_days == 0
