"""Alert storage on SQLite and PostgreSQL: the open key taken by another transaction, erased words,
the waiting subjects of a work kind."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from storage.alerts import carries_erased_words, insert_open_alert, locked_open_alert
from storage.db import session_scope
from storage.inbound import InboundMessage
from storage.messages import erase_deleted
from storage.models import Alert, WorkItem
from storage.queries import store_message
from storage.queue import PENDING, RUNNING, enqueue, subjects_waiting

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def open_alert(open_key: str) -> Alert:
    return Alert(severity="critical", issue_key="outage", open_key=open_key, created_at=NOW, updated_at=NOW)


def test_an_open_key_another_transaction_took_gives_its_alert(any_engine) -> None:
    with session_scope(any_engine) as session:
        first, opened = insert_open_alert(session, open_alert("7:outage"))
        assert opened
    with session_scope(any_engine) as session:
        found, opened = insert_open_alert(session, open_alert("7:outage"))
        assert not opened and found.id == first.id
        assert locked_open_alert(session, "7:outage") is found
        assert locked_open_alert(session, "7:billing") is None


def test_a_message_gone_or_without_words_carries_erased_words(any_engine) -> None:
    inbound = InboundMessage(
        platform="slack", external_id="1.1", text="It broke.", created_at=NOW, account="Acme", place_key="C1"
    )
    with session_scope(any_engine) as session:
        message, _ = store_message(session, inbound)
        assert not carries_erased_words(session, None)
        assert not carries_erased_words(session, message.id)
        assert carries_erased_words(session, message.id + 1000)
        erase_deleted(session, message.id)
        assert carries_erased_words(session, message.id)


def test_the_waiting_subjects_are_those_pending_or_running_with_the_prefix(any_engine) -> None:
    with session_scope(any_engine) as session:
        for subject in ("4:10", "4:11", "4:12", "41:13", "5:14"):
            enqueue(session, "update_alert", subject)
        enqueue(session, "post_alert", "4:15")
    with session_scope(any_engine) as session:
        items = {item.subject: item for item in session.exec(select(WorkItem)).all()}
        items["4:11"].status = RUNNING
        items["4:12"].status = "done"
        assert items["4:10"].status == PENDING
    assert sorted(subjects_waiting(any_engine, "update_alert", "4:")) == ["4:10", "4:11"]
