"""`tonewatch forget --email / --account`: a customer's data goes, nobody else's, and health adds up.

Driven as an operator would (the real CLI through click's CliRunner) after the
portfolio went through the real pipeline (tests/support/privacy_data.py), on SQLite and
on PostgreSQL. "Gone" is checked against a dump of every value of every table.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from bot.alerts.policy import PolicyThresholds
from bot.alerts.service import RETRACT_POST, AlertService
from bot.analysis.base import AnalysisOutcome, AnalysisRequest, Analyzer
from bot.analysis.offline import OfflineAnalyzer
from bot.messages.pipeline import MessagePipeline
from bot.messages.places import PlaceRegistry
from bot.privacy.erasure import forget_account, forget_address
from storage import erasure
from storage.db import session_scope
from storage.erasure import PLACEHOLDER
from storage.inbound import InboundMessage
from storage.models import Account, Alert, AlertPost, Analysis, CustomerMessage, WorkItem
from tests.support.privacy_data import (
    FORGOTTEN,
    JANE_EMAIL,
    JANE_MESSAGES,
    JANE_NAME,
    JANE_PHRASES,
    KEPT,
    NOW,
    OMAR_EMAIL,
    OMAR_PHRASES,
    QUOKKA_PHRASES,
    account_json,
    account_rows,
    database_text,
    health_numbers,
    run_cli,
    store_portfolio,
)
from tests.support.slack_requests import wait_for

JANE_TRACES = (JANE_EMAIL, JANE_NAME.casefold(), *JANE_PHRASES)
FORMS = [
    pytest.param(("--email", JANE_EMAIL), id="email"),
    pytest.param(("--account", FORGOTTEN), id="account"),
]


def summary_of(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


async def test_forgetting_an_address_leaves_no_trace_of_it_and_keeps_every_score(any_engine):
    portfolio = await store_portfolio(any_engine)
    before = database_text(any_engine)
    for trace in JANE_TRACES:
        assert trace in before, f"the portfolio should hold {trace!r} before it is forgotten"
    health_before = {name: health_numbers(account_json(any_engine, name)) for name in (FORGOTTEN, KEPT)}
    others_before = account_rows(
        any_engine, KEPT, leave_out=(*portfolio.jane_ids, portfolio.staff_mention_id)
    )

    summary = summary_of(run_cli(any_engine, "forget", "--email", JANE_EMAIL.upper(), "--yes", "--json"))

    tables = summary["tables"]
    # Jane's three messages and our reply in her thread; the analyses, note and labeled copy quoting her;
    # the digest that quoted her; and our note elsewhere that mentioned her address.
    assert tables["messages"] == {"erased": 5}
    assert tables["analyses"] == {"erased": 3}
    assert tables["corrections"] == {"erased": 1}
    assert tables["training_examples"] == {"deleted": 1}
    assert tables["digest_runs"] == {"erased": 1}
    after = database_text(any_engine)
    for trace in JANE_TRACES:
        assert trace not in after, f"{trace!r} survived the erasure"
    for kept in (*OMAR_PHRASES, *QUOKKA_PHRASES, OMAR_EMAIL, "she moved to your team"):
        assert kept in after, f"{kept!r} belonged to someone else and must stay"
    assert PLACEHOLDER in after
    assert account_rows(any_engine, KEPT, leave_out=(*portfolio.jane_ids, portfolio.staff_mention_id)) == (
        others_before
    )
    with session_scope(any_engine) as session:
        erased = session.execute(
            select(CustomerMessage).where(CustomerMessage.id.in_(portfolio.jane_ids))
        ).scalars().all()
        assert len(erased) == len(portfolio.jane_ids) > 0
        assert all(m.text is None and m.author == "" and m.score is not None for m in erased)
    # Her messages' scores still count: every health number is what it was.
    assert {
        name: health_numbers(account_json(any_engine, name)) for name in (FORGOTTEN, KEPT)
    } == health_before


async def test_forgetting_an_account_deletes_it_and_everything_it_owns_and_nothing_else(any_engine):
    await store_portfolio(any_engine)
    with session_scope(any_engine) as session:
        its_alerts = session.execute(
            select(func.count()).select_from(Alert).join(Account).where(Account.name == FORGOTTEN)
        ).scalar_one()
    assert its_alerts >= 2
    kept_before = account_rows(any_engine, KEPT)
    kept_health = health_numbers(account_json(any_engine, KEPT))
    assert "zephyrine logistics" in database_text(any_engine)

    summary = summary_of(
        run_cli(any_engine, "forget", "--account", "  zephyrine   LOGISTICS ", "-y", "--json")
    )

    tables = summary["tables"]
    assert summary["subject"] == f'account "{FORGOTTEN}"'
    assert tables["accounts"] == {"deleted": 1} and tables["places"] == {"deleted": 1}
    assert tables["messages"] == {"deleted": 5}  # Jane's two, Omar's two, our reply
    assert tables["analyses"] == {"deleted": 4}
    assert tables["alerts"] == {"deleted": its_alerts}
    assert tables["corrections"] == {"deleted": 1}
    assert tables["training_examples"] == {"deleted": 1}
    assert tables["digest_runs"] == {"erased": 1}
    after = database_text(any_engine)
    for trace in ("zephyrine logistics", "ext-zephyrine", *JANE_PHRASES[:2], *OMAR_PHRASES, OMAR_EMAIL):
        assert trace not in after, f"{trace!r} survived the erasure"
    # Quokka is untouched, including the message Jane wrote there from her new role.
    assert account_rows(any_engine, KEPT) == kept_before
    assert health_numbers(account_json(any_engine, KEPT)) == kept_health
    assert PlaceRegistry(any_engine).get("slack", "C_ZEPH") is None
    gone = run_cli(any_engine, "account", FORGOTTEN, "--json")
    assert gone.exit_code == 1 and "no account named" in gone.stderr


async def test_a_forgotten_account_that_writes_again_starts_empty(any_engine):
    await store_portfolio(any_engine)
    summary_of(run_cli(any_engine, "forget", "--account", FORGOTTEN, "--yes", "--json"))
    pipeline = MessagePipeline(any_engine, OfflineAnalyzer())
    pipeline.store(
        InboundMessage(
            platform="import",
            external_id="new-1",
            text="Hello again, we are back as customers and happy with the new onboarding.",
            created_at=NOW,
            account=FORGOTTEN,
        )
    )
    await pipeline.analyze_pending()

    report = account_json(any_engine, FORGOTTEN)

    assert report["messages"] == 1 and report["open_alerts"] == 0
    assert [r["quote"] for r in report["recent"]] == [
        "Hello again, we are back as customers and happy with the new onboarding."
    ]
    after = database_text(any_engine)
    assert not any(phrase in after for phrase in (*JANE_PHRASES[:2], *OMAR_PHRASES))


@pytest.mark.parametrize("form", FORMS)
async def test_a_dry_run_counts_exactly_what_the_erasure_then_does_and_changes_nothing(sqlite_engine, form):
    await store_portfolio(sqlite_engine)
    before = database_text(sqlite_engine)

    dry = summary_of(run_cli(sqlite_engine, "forget", *form, "--dry-run", "--json"))

    assert database_text(sqlite_engine) == before
    real = summary_of(run_cli(sqlite_engine, "forget", *form, "--yes", "--json"))
    assert dry["dry_run"] is True and real["dry_run"] is False
    assert dry["tables"] == real["tables"] and real["total"] > 0


async def test_it_shows_what_it_will_erase_and_asks_first(sqlite_engine):
    await store_portfolio(sqlite_engine)
    before = database_text(sqlite_engine)

    declined = run_cli(sqlite_engine, "forget", "--email", JANE_EMAIL, input="n\n")

    assert declined.exit_code == 1
    assert "Would erase e-mail address" in declined.stderr and "Erase this for good?" in declined.stderr
    assert database_text(sqlite_engine) == before
    accepted = run_cli(sqlite_engine, "forget", "--email", JANE_EMAIL, input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert accepted.stdout.startswith(f"Erased e-mail address {JANE_EMAIL}:")
    assert JANE_EMAIL not in database_text(sqlite_engine)


async def test_an_unknown_account_or_address_fails_naming_it_and_changes_nothing(sqlite_engine):
    await store_portfolio(sqlite_engine)
    before = database_text(sqlite_engine)

    misspelt = run_cli(sqlite_engine, "forget", "--account", "Zephyrin", "--yes")
    unknown = run_cli(sqlite_engine, "forget", "--email", "nobody@nowhere.example", "--yes")
    malformed = run_cli(sqlite_engine, "forget", "--email", "jane at zephyrine", "--yes")
    ambiguous = run_cli(sqlite_engine, "forget", "--email", JANE_EMAIL, "--account", FORGOTTEN)

    assert misspelt.exit_code == 1 and "'Zephyrin'" in misspelt.stderr
    assert f"did you mean '{FORGOTTEN}'" in misspelt.stderr  # a suggestion, never a guess acted on
    assert unknown.exit_code == 1 and "nobody@nowhere.example" in unknown.stderr
    assert malformed.exit_code == 1 and "'jane at zephyrine'" in malformed.stderr
    assert ambiguous.exit_code == 2 and "exactly one of" in ambiguous.stderr
    assert database_text(sqlite_engine) == before


async def test_forgetting_again_is_harmless_and_says_it_was_done(any_engine):
    await store_portfolio(any_engine)
    for form in (("--email", JANE_EMAIL), ("--account", FORGOTTEN)):
        summary_of(run_cli(any_engine, "forget", *form, "--yes", "--json"))
        after_first = database_text(any_engine)

        again = run_cli(any_engine, "forget", *form, "--yes")

        assert again.exit_code == 0, again.output
        assert "was already forgotten on" in again.stdout
        assert database_text(any_engine) == after_first


class GatedAnalyzer(Analyzer):
    """The offline analyzer, held at a gate: an analysis still running when the erasure happens."""

    name = "offline"

    def __init__(self) -> None:
        self.offline = OfflineAnalyzer()
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def analyze(self, request: AnalysisRequest) -> AnalysisOutcome:
        self.started.set()
        await self.release.wait()
        outcome = await self.offline.analyze(request)
        outcome.result = outcome.result.model_copy(update={"draft_reply": f"About {request.text[:30]}"})
        return outcome


async def test_an_analysis_finishing_after_the_erasure_is_not_stored(any_engine):
    """`tonewatch run` may be analyzing the very message being forgotten; its result must not land."""
    analyzer = GatedAnalyzer()
    pipeline = MessagePipeline(any_engine, analyzer)
    text = JANE_MESSAGES[0][1]
    stored = pipeline.store(
        InboundMessage(
            platform="email",
            external_id="<late@mail.example>",
            text=text,
            created_at=NOW,
            account=FORGOTTEN,
            author_email=JANE_EMAIL,
        )
    )
    analysis = asyncio.create_task(pipeline.analyze_message(stored.id))
    await asyncio.wait_for(analyzer.started.wait(), timeout=10)

    erased = await asyncio.to_thread(run_cli, any_engine, "forget", "--email", JANE_EMAIL, "--yes")
    analyzer.release.set()
    await asyncio.wait_for(analysis, timeout=10)

    assert erased.exit_code == 0, erased.output
    with session_scope(any_engine) as session:
        message = session.get(CustomerMessage, stored.id)
        analyses = session.execute(select(Analysis).where(Analysis.message_id == stored.id)).all()
    assert (message.text, message.status, analyses) == (None, "erased", [])
    assert JANE_PHRASES[0] not in database_text(any_engine)


async def test_a_message_deleted_in_the_chat_also_loses_the_analysis_text_quoting_it(any_engine):
    """A customer deleting their message in Slack or Teams takes back what our analysis quoted of it."""
    portfolio = await store_portfolio(any_engine)
    pipeline = MessagePipeline(any_engine, OfflineAnalyzer())

    assert pipeline.replace_text("slack", "C_ZEPH", "1.002", None) == portfolio.jane_ids[1]

    with session_scope(any_engine) as session:
        (analysis,) = session.execute(
            select(Analysis).where(Analysis.message_id == portfolio.jane_ids[1])
        ).scalars()
    assert (analysis.evidence, analysis.recommended_response, analysis.draft_reply) == ([], "", "")
    assert analysis.score is not None


async def test_a_card_posted_before_posts_were_recorded_is_still_queued_to_be_taken_back(any_engine):
    """Cards posted before `alert_posts` existed have only their alert's `post_ref`: the alert channel's
    place says which platform to ask. The deletion waits in the work queue for `tonewatch run`."""
    await store_portfolio(any_engine)
    PlaceRegistry(any_engine).set_alert_channel("slack", "C_ALERTS", "cs-alerts", is_external=False)
    with session_scope(any_engine) as session:
        alert = session.exec(
            select(Alert).join(Account).where(Account.name == FORGOTTEN).order_by(Alert.id)
        ).first()[0]
        alert.post_channel, alert.post_ref = "C_ALERTS", "1700000000.000100"
        session.add(alert)

    summary = summary_of(run_cli(any_engine, "forget", "--account", FORGOTTEN, "-y", "--json"))

    assert summary["posts_to_take_back"] == 1
    with session_scope(any_engine) as session:
        queued = session.exec(select(WorkItem.subject).where(WorkItem.kind == RETRACT_POST)).all()
    assert [json.loads(subject[0]) for subject in queued] == [
        ["slack", "C_ALERTS", "1700000000.000100", "1700000000.000100"]
    ]


def test_a_card_whose_account_was_forgotten_while_it_was_posted_is_queued_to_be_taken_back(any_engine):
    """The post raced the erasure: its alert is gone when its reference comes back."""
    alerts = AlertService(any_engine, PolicyThresholds(), reply_sla=timedelta(hours=24))
    assert alerts.record_post(4242, "C_ALERTS", "1700000000.000200", platform="slack") is False
    alerts.record_thread_post(4242, "teams", "19:alerts@thread.tacv2", "1700000000001", "1700000000002")
    with session_scope(any_engine) as session:
        queued = session.exec(select(WorkItem.subject).where(WorkItem.kind == RETRACT_POST)).all()
    assert sorted(json.loads(subject[0]) for subject in queued) == [
        ["slack", "C_ALERTS", "1700000000.000200", "1700000000.000200"],
        ["teams", "19:alerts@thread.tacv2", "1700000000001", "1700000000002"],
    ]


# --- posts that come back while a forget runs (PostgreSQL: the locks are what is tested) -------------


def lock_waits(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("select count(*) from pg_locks where not granted")).scalar_one()


@contextlib.contextmanager
def forget_held_open(monkeypatch, erase):
    """Run `erase` in a thread and hold its transaction open (everything done, not yet committed)
    until the block ends; yields once it is holding."""
    holding, release = threading.Event(), threading.Event()
    record = erasure.record_forgotten

    def record_then_hold(*args, **kwargs):
        record(*args, **kwargs)
        holding.set()
        release.wait(30)

    monkeypatch.setattr(erasure, "record_forgotten", record_then_hold)
    forgetting = threading.Thread(target=erase)
    forgetting.start()
    assert holding.wait(30)
    try:
        yield
    finally:
        release.set()
        forgetting.join(30)


def queued_retractions(engine) -> list[list[str]]:
    with session_scope(engine) as session:
        subjects = session.exec(select(WorkItem.subject).where(WorkItem.kind == RETRACT_POST)).all()
    return sorted(json.loads(subject[0]) for subject in subjects)


@pytest.mark.postgres
async def test_a_card_posted_while_its_account_is_forgotten_is_queued_to_be_deleted(
    postgres_engine, monkeypatch
):
    portfolio = await store_portfolio(postgres_engine)
    alerts = AlertService(postgres_engine, PolicyThresholds(), reply_sla=timedelta(hours=24))
    [alert_id, *_] = [a for a in portfolio.alert_ids if _account_of(postgres_engine, a) == FORGOTTEN]
    outcome: list[bool] = []
    with forget_held_open(monkeypatch, lambda: forget_account(postgres_engine, FORGOTTEN)):
        recording = threading.Thread(
            target=lambda: outcome.append(
                alerts.record_post(alert_id, "C_ALERTS", "1700000000.000300", platform="slack")
            )
        )
        recording.start()
        await wait_for(lambda: lock_waits(postgres_engine) > 0, what="the card's record to wait")
    recording.join(30)

    assert outcome == [False]  # the alert is gone: nothing recorded, nothing crashed
    assert queued_retractions(postgres_engine) == [
        ["slack", "C_ALERTS", "1700000000.000300", "1700000000.000300"]
    ]


@pytest.mark.postgres
async def test_a_draft_posted_while_its_words_are_erased_is_queued_to_be_deleted(
    postgres_engine, monkeypatch
):
    portfolio = await store_portfolio(postgres_engine)
    alerts = AlertService(postgres_engine, PolicyThresholds(), reply_sla=timedelta(hours=24))
    jane = portfolio.jane_ids[0]
    alert_id = portfolio.alert_ids[0]
    with forget_held_open(monkeypatch, lambda: forget_address(postgres_engine, JANE_EMAIL)):
        recording = threading.Thread(
            target=alerts.record_thread_post, args=(alert_id, "teams", "19:a@thread.tacv2", "1", "2", jane)
        )
        recording.start()
        await wait_for(lambda: lock_waits(postgres_engine) > 0, what="the draft's record to wait")
    recording.join(30)

    assert queued_retractions(postgres_engine) == [["teams", "19:a@thread.tacv2", "1", "2"]]
    with session_scope(postgres_engine) as session:
        assert session.exec(select(AlertPost)).all() == []  # not recorded as a post to keep


def _account_of(engine, alert_id: int) -> str | None:
    with session_scope(engine) as session:
        alert = session.get(Alert, alert_id)
        account = session.get(Account, alert.account_id) if alert and alert.account_id else None
        return account.name if account else None
