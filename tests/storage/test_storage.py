"""Storage behaves the same on SQLite and on the machine's PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.analysis.base import AnalysisOutcome
from bot.analysis.contract import AnalysisResult, Concern, Emotion, Intensity, Label, Urgency
from bot.analysis.offline import OfflineAnalyzer
from bot.messages.pipeline import MessagePipeline
from storage.db import create_db_engine, session_scope
from storage.inbound import InboundMessage
from storage.migrate import current_revision, head_revision, upgrade
from storage.models import Account, Analysis, CustomerMessage, DigestRun, TrainedModel
from storage.queries import (
    active_trained_model,
    deactivate_trained_models,
    get_or_create_account,
    record_analysis,
    save_trained_model,
    store_message,
)
from tests.conftest import postgres_url


def inbound(external_id: str = "1700000000.000100", **overrides) -> InboundMessage:
    fields = dict(
        platform="slack",
        external_id=external_id,
        text="The sync failed again.",
        created_at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
        account="Acme Corp",
        place_key="T1:C1",
        author="U_MARIA",
    )
    fields.update(overrides)
    return InboundMessage(**fields)


def result(**overrides) -> AnalysisResult:
    fields = dict(
        score=-0.7,
        label=Label.negative,
        intensity=Intensity.strong,
        emotions=[Emotion.frustration],
        urgency=Urgency.high,
        concerns=[Concern.reliability],
        churn_risk=True,
        confidence=0.8,
        evidence=["failed again"],
        provider="offline",
        model="offline-rules",
        prompt_version="offline-rules@1",
    )
    fields.update(overrides)
    return AnalysisResult(**fields)


def test_migrations_reach_head_and_repeat_safely(any_engine):
    assert current_revision(any_engine) == head_revision()
    upgrade(any_engine)  # a second run changes nothing and does not fail
    tables = set(inspect(any_engine).get_table_names())
    assert {
        "accounts",
        "places",
        "messages",
        "analyses",
        "alerts",
        "corrections",
        "digest_runs",
        "work_items",
        "trained_models",
        "training_examples",
    } <= tables


def test_a_redelivered_message_is_stored_once(any_engine):
    with session_scope(any_engine) as session:
        first, created_first = store_message(session, inbound())
    with session_scope(any_engine) as session:
        again, created_again = store_message(session, inbound(text="edited copy"))
        count = len(session.exec(select(CustomerMessage)).all())
    assert (created_first, created_again) == (True, False)
    assert again.id == first.id and count == 1


def test_the_same_external_id_in_another_place_is_another_message(any_engine):
    with session_scope(any_engine) as session:
        store_message(session, inbound())
        _, created = store_message(session, inbound(place_key="T1:C2"))
    assert created


def test_the_unique_key_holds_even_without_the_lookup(any_engine):
    row = dict(platform="slack", place_key="p", external_id="x", text="hi")
    with session_scope(any_engine) as session:
        session.add(CustomerMessage(**row))
    with pytest.raises(IntegrityError), session_scope(any_engine) as session:
        session.add(CustomerMessage(**row))


@pytest.mark.slow
def test_accounts_are_found_case_and_space_insensitively(any_engine):
    with session_scope(any_engine) as session:
        first = get_or_create_account(session, "Acme  Corp")
    with session_scope(any_engine) as session:
        second = get_or_create_account(session, "acme corp")
        names = session.exec(select(Account.name)).all()
    assert first.id == second.id and names == ["Acme Corp"]


def test_datetimes_come_back_in_utc(any_engine):
    paris = timezone(timedelta(hours=1))
    with session_scope(any_engine) as session:
        message, _ = store_message(session, inbound(created_at=datetime(2026, 11, 20, 10, 30, tzinfo=paris)))
    with Session(any_engine) as session:
        loaded = session.get(CustomerMessage, message.id)
    assert loaded.created_at == datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    assert loaded.created_at.utcoffset() == timedelta(0)


def test_an_analysis_is_recorded_with_every_field_and_marks_the_message(any_engine):
    with session_scope(any_engine) as session:
        message, _ = store_message(session, inbound())
        outcome = AnalysisOutcome(
            result(), tokens_in=120, tokens_out=40, latency_ms=12.5, fallback_reason="timeout"
        )
        record_analysis(session, message.id, outcome)
    with Session(any_engine) as session:
        stored = session.exec(select(Analysis)).one()
        loaded = session.get(CustomerMessage, message.id)
    assert (stored.score, stored.label, stored.urgency) == (-0.7, "negative", "high")
    assert stored.emotions == ["frustration"] and stored.concerns == ["reliability"]
    assert stored.evidence == ["failed again"] and stored.churn_risk
    assert (stored.tokens_in, stored.tokens_out, stored.fallback_reason) == (120, 40, "timeout")
    assert stored.prompt_version == "offline-rules@1"
    assert (loaded.status, loaded.score, loaded.label, loaded.latest_analysis_id) == (
        "analyzed",
        -0.7,
        "negative",
        stored.id,
    )


def test_an_abstained_analysis_leaves_the_message_unscored(any_engine):
    with session_scope(any_engine) as session:
        message, _ = store_message(session, inbound())
        abstained = result(score=0, label=Label.neutral, abstained=True, abstain_reason="language ja")
        record_analysis(session, message.id, AnalysisOutcome(abstained))
    with Session(any_engine) as session:
        loaded = session.get(CustomerMessage, message.id)
    assert loaded.status == "analyzed" and loaded.score is None


def test_digest_runs_are_claimed_once_per_target_and_period(any_engine):
    with session_scope(any_engine) as session:
        session.add(DigestRun(target_key="slack:C9", period_key="2026-W48"))
    with pytest.raises(IntegrityError), session_scope(any_engine) as session:
        session.add(DigestRun(target_key="slack:C9", period_key="2026-W48"))


def test_only_the_newest_trained_model_is_active(any_engine):
    with session_scope(any_engine) as session:
        save_trained_model(session, b"one", {"macro_f1": 0.7}, trained_on=10)
        second = save_trained_model(session, b"two", {"macro_f1": 0.8}, trained_on=20)
    with session_scope(any_engine) as session:
        active = active_trained_model(session)
        assert active.id == second.id and active.blob == b"two"
        assert deactivate_trained_models(session) == 1
    with session_scope(any_engine) as session:
        assert active_trained_model(session) is None
        assert len(session.exec(select(TrainedModel)).all()) == 2


def test_the_migrations_create_exactly_what_the_models_describe(any_engine):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    from storage.slack_tables import metadata as slack_metadata

    with any_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, [SQLModel.metadata, slack_metadata])
    assert differences == []


def test_a_read_never_waits_for_a_writer_on_sqlite(sqlite_engine):
    import threading

    from storage.db import read_scope

    with session_scope(sqlite_engine) as session:
        session.add(Account(name="Acme", name_key="acme"))
    writing, release = threading.Event(), threading.Event()

    def long_write() -> None:
        with session_scope(sqlite_engine) as session:
            session.add(Account(name="Globex", name_key="globex"))
            session.flush()
            writing.set()
            release.wait(10)

    writer = threading.Thread(target=long_write)
    writer.start()
    try:
        assert writing.wait(10)
        with read_scope(sqlite_engine) as session:  # would block until `release` if it queued for the writer
            names = session.exec(select(Account.name)).all()
        assert names == ["Acme"]  # the uncommitted write is not seen
    finally:
        release.set()
        writer.join()
    with read_scope(sqlite_engine) as session:
        assert sorted(session.exec(select(Account.name)).all()) == ["Acme", "Globex"]


@pytest.mark.postgres
def test_a_connection_the_server_dropped_costs_no_message(postgres_engine, caplog):
    """The pool's pre-ping finds the dead pooled connection on checkout and replaces it: the store
    succeeds at once, without even the one-by-one fallback
    (tests/storage/test_database_loss.py: every path)."""
    pipeline = MessagePipeline(postgres_engine, OfflineAnalyzer())
    pipeline.store(inbound("1700000000.000001"))
    with postgres_engine.connect() as connection:  # the pooled connection the store used
        pid = connection.execute(text("select pg_backend_pid()")).scalar_one()
    with create_db_engine(postgres_url()).begin() as admin:
        assert admin.execute(text("select pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()

    with caplog.at_level("INFO", logger="bot.messages.pipeline"):
        assert pipeline.store(inbound("1700000000.000002")).created
    assert "storing them one by one" not in caplog.text  # it never met the dead connection
    assert not pipeline.store(inbound("1700000000.000002")).created  # and a redelivery is known
    with session_scope(postgres_engine) as session:
        assert len(session.exec(select(CustomerMessage)).all()) == 2
