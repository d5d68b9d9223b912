"""Alert storage on SQLite and PostgreSQL: the open key taken by another transaction, erased words,
the waiting subjects of a work kind."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from storage.alerts import alert_by_id, carries_erased_words, insert_open_alert, locked_open_alert, save_alert
from storage.db import Session, session_scope
from storage.inbound import InboundMessage
from storage.messages import erase_deleted
from storage.models import Alert, WorkItem
from storage.queries import store_message
from storage.queue import PENDING, RUNNING, enqueue, subjects_waiting
from storage.records import AlertInfo

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def open_alert(session: Session, open_key: str) -> tuple[AlertInfo, bool]:
    return insert_open_alert(
        session,
        tenant="default",
        account_id=None,
        message_id=None,
        analysis_id=None,
        severity="critical",
        issue_key="outage",
        open_key=open_key,
        now=NOW,
    )


def test_an_open_key_another_transaction_took_gives_its_alert(any_engine) -> None:
    with session_scope(any_engine) as session:
        first, opened = open_alert(session, "7:outage")
        assert opened
    with session_scope(any_engine) as session:
        found, opened = open_alert(session, "7:outage")
        assert not opened and found == first
        assert locked_open_alert(session, "7:outage") == found
        assert locked_open_alert(session, "7:billing") is None


@pytest.mark.postgres
def test_an_alert_is_saved_with_what_the_core_changed_and_nothing_else(postgres_engine) -> None:
    """`save_alert` writes the fields changed since the transaction read the alert: a column another
    transaction wrote meanwhile, which this one did not change, keeps that writer's value. (PostgreSQL:
    SQLite has one writer at a time, so no write comes between a writer's read and its save.)"""
    later = NOW + timedelta(minutes=1)
    with session_scope(postgres_engine) as session:
        opened, _ = open_alert(session, "7:outage")
    with session_scope(postgres_engine) as session:
        read = alert_by_id(session, opened.id)
        assert read is not None
        with session_scope(postgres_engine) as other:  # another writer, between the read and the save
            other.get(Alert, opened.id).post_ref = "1700.1"
        save_alert(session, replace(read, status="acknowledged", updated_at=later))
    with session_scope(postgres_engine) as session:
        saved = alert_by_id(session, opened.id)
    assert saved is not None
    assert (saved.status, saved.updated_at, saved.post_ref) == ("acknowledged", later, "1700.1")


def test_an_alert_this_transaction_did_not_read_is_not_saved(any_engine) -> None:
    with session_scope(any_engine) as session:
        opened, _ = open_alert(session, "7:outage")
    with pytest.raises(LookupError), session_scope(any_engine) as session:
        save_alert(session, replace(opened, status="resolved", open_key=None))
    with session_scope(any_engine) as session:
        assert locked_open_alert(session, "7:outage") == opened


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
