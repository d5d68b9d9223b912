"""The core's message path: store once, analyze, and forget what an edit or a delete takes back."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot.analysis.offline import OfflineAnalyzer
from bot.inbound import InboundMessage
from bot.pipeline import ANALYZE, MessagePipeline
from storage.db import session_scope
from storage.models import CustomerMessage, MessageConcern, WorkItem

COMPLAINT = "The invoice is wrong again and we were double charged. Please fix it today."


def inbound(text: str = COMPLAINT) -> InboundMessage:
    return InboundMessage(platform="slack", external_id="1700000000.0001", text=text, place_key="C1",
                          created_at=datetime(2026, 11, 20, 9, tzinfo=UTC), account="Hooli")


async def test_a_message_is_stored_once_queued_once_and_analyzed(any_engine):
    pipeline = MessagePipeline(any_engine, OfflineAnalyzer())
    first, again = pipeline.store(inbound()), pipeline.store(inbound())
    assert first.created and not again.created and first.id == again.id
    with session_scope(any_engine) as session:
        assert [(w.kind, w.subject) for w in session.exec(select(WorkItem)).all()] == [(ANALYZE, str(first.id))]
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
