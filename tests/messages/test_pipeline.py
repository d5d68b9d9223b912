"""The core's message path: store once, analyze, and forget what an edit or a delete takes back."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.alerts.policy import PolicyThresholds
from bot.alerts.service import POST_ALERT, AlertService
from bot.analysis.offline import OfflineAnalyzer
from bot.messages.pipeline import ANALYZE, MessagePipeline
from storage.db import read_scope, session_scope
from storage.inbound import InboundMessage
from storage.models import Alert, Analysis, CustomerMessage, MessageConcern, WorkItem

COMPLAINT = "The invoice is wrong again and we were double charged. Please fix it today."


def inbound(text: str = COMPLAINT) -> InboundMessage:
    return InboundMessage(platform="slack", external_id="1700000000.0001", text=text, place_key="C1",
                          created_at=datetime(2026, 11, 20, 9, tzinfo=UTC), account="Hooli")


async def test_a_message_is_stored_once_queued_once_and_analyzed(any_engine):
    pipeline = MessagePipeline(any_engine, OfflineAnalyzer())
    first, again = pipeline.store(inbound()), pipeline.store(inbound())
    assert first.created and not again.created and first.id == again.id
    with session_scope(any_engine) as session:
        queued = [(w.kind, w.subject) for w in session.exec(select(WorkItem)).all()]
    assert queued == [(ANALYZE, str(first.id))]
    outcome = await pipeline.analyze_message(first.id)
    assert outcome.result.label == "negative" and "billing" in outcome.result.concerns
    with session_scope(any_engine) as session:
        message = session.get(CustomerMessage, first.id)
        concerns = session.exec(select(MessageConcern.concern)).all()
    assert message.status == "analyzed" and message.score < 0 and "billing" in concerns


async def test_a_delete_erases_the_text_and_its_signals(any_engine):
    pipeline = MessagePipeline(any_engine, OfflineAnalyzer())
    stored = pipeline.store(inbound())
    await pipeline.analyze_message(stored.id)
    assert pipeline.replace_text("slack", "C1", "1700000000.0001", None) == stored.id
    with session_scope(any_engine) as session:
        message = session.get(CustomerMessage, stored.id)
        concerns = session.exec(select(MessageConcern)).all()
    assert (message.text, message.status, message.score, concerns) == (None, "deleted", None, [])


async def test_an_edit_is_analyzed_again(any_engine):
    pipeline = MessagePipeline(any_engine, OfflineAnalyzer())
    stored = pipeline.store(inbound())
    await pipeline.analyze_message(stored.id)
    pipeline.replace_text("slack", "C1", "1700000000.0001", "Sorted now, thanks a lot for the quick fix!")
    outcome = await pipeline.analyze_message(stored.id)
    assert outcome is not None and outcome.result.label == "positive"
    with session_scope(any_engine) as session:
        assert session.exec(select(MessageConcern)).all() == []


async def test_a_text_that_cannot_be_analyzed_is_kept_and_says_why(any_engine):
    """Not a silent drop: the message stays stored, marked invalid, with the reason recorded."""
    pipeline = MessagePipeline(any_engine, OfflineAnalyzer(), max_text_chars=20_000)
    too_long = InboundMessage(
        platform="slack",
        external_id="1.2",
        text="the export fails " * 2_500,  # 42,500 characters
        created_at=datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
        account="Acme",
        is_customer=True,
    )
    stored = pipeline.store(too_long)
    assert await pipeline.analyze_pending() == 0
    with session_scope(any_engine) as session:
        message = session.get(CustomerMessage, stored.id)
        assert message.status == "invalid"
        assert message.text == too_long.text
        assert "20000" in message.status_reason.replace(",", "") or "long" in message.status_reason


CHURN_THREAT = "This outage broke our checkout again. We are cancelling the contract unless it is fixed now."


def queue(engine) -> list[tuple[str, str, str]]:
    with read_scope(engine) as session:  # a reader: it may look while a save holds the writer
        return sorted((w.kind, w.subject, w.status) for w in session.exec(select(WorkItem)).all())


async def test_the_alert_decision_commits_with_the_analysis(any_engine):
    """An ANALYZE item done means its alert is stored and its post queued, in the same commit:
    no crash between the two can leave an analyzed message whose alert is never decided."""
    pipeline = MessagePipeline(any_engine, OfflineAnalyzer())
    alerts = AlertService(any_engine, PolicyThresholds(), reply_sla=timedelta(hours=24))
    stored = pipeline.store(inbound(CHURN_THREAT))
    changes = []

    def decide(session, message_id):
        assert queue(any_engine) == [(ANALYZE, str(stored.id), "pending")]  # nothing committed yet
        changes.append(alerts.decide_in(session, message_id))

    await pipeline.analyze_message(stored.id, then=decide)
    [change] = changes
    assert change.action == "opened" and change.post_now
    assert queue(any_engine) == [
        (ANALYZE, str(stored.id), "done"),
        (POST_ALERT, str(change.alert_id), "pending"),
    ]


async def test_a_decision_that_fails_takes_the_analysis_back_and_the_retry_decides_once(any_engine):
    pipeline = MessagePipeline(any_engine, OfflineAnalyzer())
    alerts = AlertService(any_engine, PolicyThresholds(), reply_sla=timedelta(hours=24))
    stored = pipeline.store(inbound(CHURN_THREAT))

    def broken(session, message_id):
        raise RuntimeError("the database went away mid-decision")

    with pytest.raises(RuntimeError):
        await pipeline.analyze_message(stored.id, then=broken)
    with session_scope(any_engine) as session:
        assert session.get(CustomerMessage, stored.id).status == "pending"
        assert session.exec(select(Analysis)).all() == []
    assert queue(any_engine) == [(ANALYZE, str(stored.id), "pending")]

    await pipeline.analyze_message(stored.id, then=alerts.decide_in)
    await pipeline.analyze_message(stored.id, then=alerts.decide_in)  # a second delivery of the item
    with session_scope(any_engine) as session:
        [alert] = session.exec(select(Alert)).all()
        assert alert.message_count == 1 and len(session.exec(select(Analysis)).all()) == 1


async def test_analyses_finishing_together_are_saved_together_and_a_failing_one_fails_alone(any_engine):
    """The worker's items save in one transaction; when one decision fails, the others still commit."""
    pipeline = MessagePipeline(any_engine, OfflineAnalyzer())
    alerts = AlertService(any_engine, PolicyThresholds(), reply_sla=timedelta(hours=24))
    stored = [
        pipeline.store(replace(inbound(CHURN_THREAT), external_id=f"1700000000.{n:04d}"))
        for n in range(6)
    ]
    unlucky = stored[3].id
    sessions = []  # the sessions themselves, kept alive, so no two share an id()

    def decide(session, message_id):
        sessions.append(session)
        if message_id == unlucky:
            raise RuntimeError("this one's decision fails")
        alerts.decide_in(session, message_id)

    results = await asyncio.gather(
        *(pipeline.analyze_message(s.id, then=decide) for s in stored), return_exceptions=True
    )
    failed = [s.id for s, r in zip(stored, results, strict=True) if isinstance(r, BaseException)]
    assert failed == [unlucky]
    assert len({id(session) for session in sessions[:6]}) < 6  # the first try shared transactions
    with session_scope(any_engine) as session:
        statuses = {m.id: m.status for m in session.exec(select(CustomerMessage)).all()}
        [alert] = session.exec(select(Alert)).all()
    assert statuses == {s.id: "pending" if s.id == unlucky else "analyzed" for s in stored}
    assert alert.message_count == 5


OUTAGE = "Your API has been down all morning and we cannot process orders. This is unacceptable."


async def test_two_workers_deciding_the_same_issues_in_opposite_orders_do_not_deadlock(any_engine):
    """Two batches, each a billing and an outage message of one account, in opposite id orders.
    Decisions lock (or insert) the issue's alert; each batch takes those locks in key order, so one
    waits for the other. In id order each would hold one alert and wait for the other's: a deadlock,
    which PostgreSQL breaks after a second by failing one of them."""
    alerts = AlertService(any_engine, PolicyThresholds(), reply_sla=timedelta(hours=24))
    pipeline = MessagePipeline(any_engine, OfflineAnalyzer(), decision_order=alerts.decision_order)
    texts = [COMPLAINT, OUTAGE, OUTAGE, COMPLAINT]
    stored = [
        pipeline.store(replace(inbound(text), external_id=f"1700000000.{n:04d}"))
        for n, text in enumerate(texts)
    ]
    requests = pipeline._load_requests([s.id for s in stored])
    outcomes = {s.id: await pipeline.analyzer.analyze(requests[s.id]) for s in stored}
    both_decided_once = threading.Barrier(2, timeout=1.0)

    def decide(session, message_id):
        alerts.decide_in(session, message_id)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_decided_once.wait()  # each holds its first alert while the other takes its own

    # The saving transaction itself, from two threads, as two workers' batches would run it.
    first, second = ([(s.id, outcomes[s.id], decide) for s in half] for half in (stored[:2], stored[2:]))
    results = await asyncio.gather(
        asyncio.to_thread(pipeline._save_together, first),
        asyncio.to_thread(pipeline._save_together, second),
        return_exceptions=True,
    )

    assert results == [[True, True], [True, True]]  # each batch committed at its first try
    with session_scope(any_engine) as session:
        counts = sorted((a.issue_key, a.message_count) for a in session.exec(select(Alert)).all())
    assert len(counts) == 2 and [count for _, count in counts] == [2, 2]
