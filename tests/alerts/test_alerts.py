"""Alert threads: one per account and issue, stored and queued in one step, never posted to customers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.alerts.policy import PolicyThresholds, Sensitivity
from bot.alerts.service import POST_ALERT, UPDATE_ALERT, AlertService
from bot.analysis.base import AnalysisOutcome
from bot.analysis.contract import AnalysisResult, Concern, Emotion, Intensity, Label, Urgency
from bot.messages.places import PlaceRegistry, RefusedPlace
from storage.db import Transaction, session_scope
from storage.inbound import InboundMessage
from storage.models import Alert, WorkItem
from storage.queries import record_analysis, store_message

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def scored(engine, external_id: str, result: AnalysisResult, account: str = "Acme", **fields) -> int:
    inbound = InboundMessage(
        platform="slack",
        external_id=external_id,
        text=f"message {external_id}",
        created_at=NOW,
        account=account,
        place_key="C_ACME",
        **fields,
    )
    with session_scope(engine) as session:
        message, _ = store_message(session, inbound)
        record_analysis(session, message.id, AnalysisOutcome(result))
        return message.id


def negative(score: float, *concerns: Concern, **fields) -> AnalysisResult:
    return AnalysisResult(
        score=score,
        label=Label.negative,
        intensity=Intensity.strong,
        urgency=Urgency.medium,
        concerns=list(concerns),
        emotions=[Emotion.frustration],
        confidence=0.8,
        draft_reply="Sorry — we are on it.",
        **fields,
    )


@pytest.fixture
def service(any_engine) -> AlertService:
    return AlertService(any_engine, PolicyThresholds(), reply_sla=timedelta(hours=24))


def work(engine) -> list[tuple[str, str]]:
    with session_scope(engine) as session:
        return sorted(
            (w.kind, w.subject) for w in session.exec(select(WorkItem)).all() if w.kind != "analyze"
        )


def test_a_critical_message_opens_an_alert_and_queues_its_post(service, any_engine):
    message_id = scored(any_engine, "1", negative(-0.8, Concern.reliability, churn_risk=True))
    change = service.after_analysis(message_id, now=NOW)
    assert change.action == "opened" and change.severity == "critical" and change.post_now
    assert work(any_engine) == [(POST_ALERT, str(change.alert_id))]
    card = service.card(change.alert_id, light="red")
    assert card.account == "Acme" and card.light == "red" and card.churn_risk
    assert "churn risk" in card.reasons and card.draft_reply and card.reply_due == NOW + timedelta(hours=24)


def test_a_second_message_on_the_same_issue_joins_the_open_alert(service, any_engine):
    first = service.after_analysis(scored(any_engine, "1", negative(-0.8, Concern.reliability)), now=NOW)
    service.record_post(first.alert_id, "C_ALERTS", "1700.1", platform="slack")
    second_message = scored(any_engine, "2", negative(-0.7, Concern.reliability))
    second = service.after_analysis(second_message, now=NOW)
    assert second.action == "joined" and second.alert_id == first.alert_id
    with session_scope(any_engine) as session:
        [alert] = session.exec(select(Alert)).all()
    assert alert.message_count == 2
    assert (UPDATE_ALERT, f"{first.alert_id}:{second_message}") in work(any_engine)


def test_a_customer_asking_again_turns_a_warning_critical(service, any_engine):
    first = service.after_analysis(scored(any_engine, "1", negative(-0.4, Concern.billing)), now=NOW)
    assert first.severity == "warning" and not first.post_now and work(any_engine) == []
    again = service.after_analysis(scored(any_engine, "2", negative(-0.35, Concern.billing)), now=NOW)
    assert again.severity == "critical" and again.post_now
    assert work(any_engine) == [(POST_ALERT, str(first.alert_id))]


def test_another_issue_or_account_opens_another_alert(service, any_engine):
    a = service.after_analysis(scored(any_engine, "1", negative(-0.8, Concern.reliability)), now=NOW)
    b = service.after_analysis(scored(any_engine, "2", negative(-0.8, Concern.billing)), now=NOW)
    c = service.after_analysis(
        scored(any_engine, "3", negative(-0.8, Concern.reliability), account="Globex"), now=NOW
    )
    assert len({a.alert_id, b.alert_id, c.alert_id}) == 3


def test_a_resolved_alert_frees_the_issue(service, any_engine):
    first = service.after_analysis(scored(any_engine, "1", negative(-0.8, Concern.bug)), now=NOW)
    service.set_status(first.alert_id, "resolved")
    second = service.after_analysis(scored(any_engine, "2", negative(-0.8, Concern.bug)), now=NOW)
    assert second.action == "opened" and second.alert_id != first.alert_id


def test_staff_messages_and_calm_messages_never_alert(service, any_engine):
    calm = AnalysisResult(
        score=0.1, label=Label.neutral, intensity=Intensity.mild, urgency=Urgency.low, confidence=0.9
    )
    assert service.after_analysis(scored(any_engine, "1", calm), now=NOW) is None
    staff = scored(any_engine, "2", negative(-0.9), is_customer=False)
    assert service.after_analysis(staff, now=NOW) is None


def test_the_channel_sensitivity_is_applied(service, any_engine):
    PlaceRegistry(any_engine).watch(
        "slack", "C_ACME", "acme-shared", "Acme", is_external=True, sensitivity=Sensitivity.aggressive
    )
    change = service.after_analysis(scored(any_engine, "1", negative(-0.4, Concern.billing)), now=NOW)
    assert change.severity == "warning" and change.post_now


def test_an_external_channel_can_never_be_the_alert_channel(any_engine):
    places = PlaceRegistry(any_engine)
    with pytest.raises(RefusedPlace, match="customers can read"):
        places.set_alert_channel("slack", "C_SHARED", "acme-shared", is_external=True)
    places.set_alert_channel("slack", "C_INTERNAL", "cs-alerts", is_external=False)
    places.mark_external("slack", "C_INTERNAL", True)  # the channel was shared later
    assert places.alert_channel("slack") is None


def test_the_alert_channel_prefers_the_same_platform(any_engine):
    places = PlaceRegistry(any_engine)
    places.set_alert_channel("teams", "19:abc", "CS alerts", is_external=False)
    assert places.alert_channel("slack").platform == "teams"  # falls back to any internal channel
    places.set_alert_channel("slack", "C_INTERNAL", "cs-alerts", is_external=False)
    assert places.alert_channel("slack").external_id == "C_INTERNAL"


def test_an_edited_message_updates_its_alert_without_counting_twice(service, any_engine):
    message_id = scored(any_engine, "1", negative(-0.8, Concern.reliability))
    opened = service.after_analysis(message_id, now=NOW)
    service.record_post(opened.alert_id, "C_ALERTS", "1700.1", platform="slack")
    with session_scope(any_engine) as session:  # the customer edits the message; it is analyzed again
        record_analysis(session, message_id, AnalysisOutcome(negative(-0.9, Concern.reliability)))
    again = service.after_analysis(message_id, now=NOW)
    with session_scope(any_engine) as session:
        [alert] = session.exec(select(Alert)).all()
    assert again.alert_id == opened.alert_id and alert.message_count == 1
    assert any(kind == UPDATE_ALERT and ":edit" in subject for kind, subject in work(any_engine))


def test_the_card_s_reference_and_its_thread_s_work_item_commit_together(service, any_engine):
    """A crash after the card's reference is stored must not leave its draft unqueued: a retried post
    sees the reference and stops, so the thread reply has to be queued in the same commit."""
    opened = service.after_analysis(scored(any_engine, "1", negative(-0.8, Concern.reliability)), now=NOW)

    def crash_before_commit(session, *args):
        raise RuntimeError("the process dies before the commit")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("bot.alerts.service.enqueue", crash_before_commit)
        with pytest.raises(RuntimeError):
            service.record_post(opened.alert_id, "C_ALERTS", "1700.1", platform="slack", then_queue="thread")
    with session_scope(any_engine) as session:
        assert session.get(Alert, opened.alert_id).post_ref is None  # neither was stored

    assert service.record_post(opened.alert_id, "C_ALERTS", "1700.1", platform="slack", then_queue="thread")
    with session_scope(any_engine) as session:
        assert session.get(Alert, opened.alert_id).post_ref == "1700.1"
    assert ("thread", str(opened.alert_id)) in work(any_engine)


def _reanalyze(engine, message_id: int, result: AnalysisResult) -> None:
    """The customer edited the message and it was analyzed again."""
    with session_scope(engine) as session:
        record_analysis(session, message_id, AnalysisOutcome(result))


def _praise() -> AnalysisResult:
    return AnalysisResult(
        score=0.8, label=Label.positive, intensity=Intensity.moderate, urgency=Urgency.low, confidence=0.8
    )


def test_an_unposted_alert_edited_into_praise_is_resolved_and_never_posted(service, any_engine):
    message_id = scored(any_engine, "1", negative(-0.8, Concern.reliability))
    opened = service.after_analysis(message_id, now=NOW)
    assert (POST_ALERT, str(opened.alert_id)) in work(any_engine)

    _reanalyze(any_engine, message_id, _praise())
    change = service.after_analysis(message_id, now=NOW)

    assert change.action == "resolved" and change.alert_id == opened.alert_id
    with session_scope(any_engine) as session:
        [alert] = session.exec(select(Alert)).all()
        post = session.exec(select(WorkItem).where(WorkItem.kind == POST_ALERT)).one()
    assert alert.status == "resolved" and alert.open_key is None
    assert post.status == "done"  # cancelled before it went out
    # The issue is free again: a new complaint opens a new alert.
    again = service.after_analysis(scored(any_engine, "2", negative(-0.8, Concern.reliability)), now=NOW)
    assert again.action == "opened" and again.alert_id != opened.alert_id


def test_a_message_edited_out_of_a_shared_alert_leaves_it_to_the_others(service, any_engine):
    first = scored(any_engine, "1", negative(-0.8, Concern.reliability))
    opened = service.after_analysis(first, now=NOW)
    service.record_post(opened.alert_id, "C_ALERTS", "1700.1", platform="slack")
    second = scored(any_engine, "2", negative(-0.7, Concern.reliability))
    service.after_analysis(second, now=NOW)

    _reanalyze(any_engine, second, _praise())  # the newest, which the card shows, becomes praise
    change = service.after_analysis(second, now=NOW)

    assert change.action == "edited"
    with session_scope(any_engine) as session:
        [alert] = session.exec(select(Alert)).all()
    assert alert.status == "open" and alert.message_count == 1 and alert.message_id == first
    assert (UPDATE_ALERT, f"{opened.alert_id}:{second}:edited") in work(any_engine)


def test_a_deleted_message_leaves_its_alert_and_the_last_one_takes_the_card_back(service, any_engine):
    from bot.alerts.service import RETRACT_POST
    from storage.erasure import scrub_analyses
    from storage.models import CustomerMessage

    first = scored(any_engine, "1", negative(-0.8, Concern.reliability))
    opened = service.after_analysis(first, now=NOW)
    service.record_post(opened.alert_id, "C_ALERTS", "1700.1", platform="slack")
    second = scored(any_engine, "2", negative(-0.7, Concern.reliability))
    service.after_analysis(second, now=NOW)

    def delete(message_id: int):
        with session_scope(any_engine) as session:  # what the pipeline does for a deleted message
            message = session.get(CustomerMessage, message_id)
            message.text, message.status = None, "deleted"
            scrub_analyses(session, [message_id])
            session.add(message)
            session.flush()
            return service.follow_deletion_in(Transaction(session), message_id)

    assert delete(second).action == "deleted"
    with session_scope(any_engine) as session:
        [alert] = session.exec(select(Alert)).all()
    assert alert.status == "open" and alert.message_id == first and alert.message_count == 1

    assert delete(first).action == "resolved"
    with session_scope(any_engine) as session:
        [alert] = session.exec(select(Alert)).all()
    assert alert.status == "resolved"
    retractions = [subject for kind, subject in work(any_engine) if kind == RETRACT_POST]
    assert retractions == ['["slack","C_ALERTS","1700.1","1700.1"]']


def test_a_card_whose_only_message_was_deleted_on_its_way_is_taken_back(service, any_engine):
    from bot.alerts.service import RETRACT_POST
    from storage.models import CustomerMessage

    message_id = scored(any_engine, "1", negative(-0.8, Concern.reliability))
    opened = service.after_analysis(message_id, now=NOW)
    with session_scope(any_engine) as session:  # deleted while the post is in flight
        message = session.get(CustomerMessage, message_id)
        message.text, message.status = None, "deleted"
        session.add(message)
        session.flush()
        service.follow_deletion_in(Transaction(session), message_id)

    kept = service.record_post(opened.alert_id, "C_ALERTS", "1700.1", platform="slack", message_id=message_id)

    assert kept is False
    assert (RETRACT_POST, '["slack","C_ALERTS","1700.1","1700.1"]') in work(any_engine)


def test_deleting_the_message_a_resolved_alert_quotes_shows_its_card_without_it(service, any_engine):
    from storage.models import CustomerMessage

    message_id = scored(any_engine, "1", negative(-0.8, Concern.reliability))
    opened = service.after_analysis(message_id, now=NOW)
    service.record_post(opened.alert_id, "C_ALERTS", "1700.1", platform="slack", message_id=message_id)
    service.set_status(opened.alert_id, "resolved")
    with session_scope(any_engine) as session:
        message = session.get(CustomerMessage, message_id)
        message.text, message.status = None, "deleted"
        session.add(message)
        session.flush()
        # closed: nothing to resolve
        assert service.follow_deletion_in(Transaction(session), message_id) is None

    assert (UPDATE_ALERT, f"{opened.alert_id}:{message_id}:erased") in work(any_engine)
