"""A small portfolio stored through the real pipeline, for the forget and retention tests.

Two accounts watched in Slack: "Zephyrine Logistics" (Jane Quill and Omar Bext write
there; Jane also wrote once, by e-mail, into "Quokka Analytics") and "Quokka
Analytics". Around the messages sits everything that can quote or name a customer:
analyses, alerts, a correction with a note, our reply in Jane's thread, a labeled
training example, a colour change and a sent digest's record.

`database_text` dumps every value of every table, for "this string is nowhere any more"
checks; it fails if the database holds a table the models do not know, so a table
added later cannot escape the search.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner
from sqlalchemy import Engine, inspect
from sqlmodel import SQLModel, col, select

from bot.alerts.actions import store_correction
from bot.alerts.policy import PolicyThresholds
from bot.alerts.service import AlertService
from bot.analysis.base import AnalysisOutcome, AnalysisRequest, Analyzer
from bot.analysis.offline import OfflineAnalyzer
from bot.analysis.training import add_examples
from bot.cli import cli
from bot.digest.build import DigestOptions, build_digest, period_for
from bot.health.changes import record_colour_changes
from bot.health.report import account_report
from bot.health.rules import HealthRules
from bot.messages.pipeline import MessagePipeline
from bot.messages.places import PlaceRegistry
from storage import slack_tables
from storage.db import session_scope, transaction
from storage.inbound import InboundMessage, SourceKind
from storage.models import Account, Alert, Analysis, CustomerMessage
from storage.run_claims import claim_run, complete_run

#: A Monday: the digest sent now covers Nov 16–22.
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

FORGOTTEN = "Zephyrine Logistics"
KEPT = "Quokka Analytics"
JANE_EMAIL = "jane.quill@zephyrine.example"
JANE_NAME = "Jane Quill"
OMAR_EMAIL = "omar.bext@zephyrine.example"

#: Jane's messages (account, text); each holds a phrase found nowhere else.
JANE_MESSAGES = [
    (
        FORGOTTEN,
        "The Halvorsen manifest export failed AGAIN and nobody answered for three days. This is "
        "unacceptable, we are seriously reconsidering our renewal.",
    ),
    (FORGOTTEN, "Still broken. The Brightwater depot lost a whole shift of scans because of this outage."),
    (KEPT, "Forwarding from my new role: the Kestrelmoor invoice was charged twice, please refund it."),
]
JANE_PHRASES = ["halvorsen manifest", "brightwater depot", "kestrelmoor invoice"]
OMAR_MESSAGES = [
    "Thanks for the quick fix on the Ravensholt route planner, the team is happy again!",
    "Could you add the Tollymore warehouse to our plan next quarter? We want more seats.",
]
OMAR_PHRASES = ["ravensholt route planner", "tollymore warehouse"]
QUOKKA_MESSAGES = [
    "The Pemberly dashboard keeps timing out, this is really frustrating for our analysts.",
    "Love the new Ashcombe report builder, great work everyone.",
]
QUOKKA_PHRASES = ["pemberly dashboard", "ashcombe report builder"]
#: Our reply in Jane's thread: it names her and quotes her problem.
STAFF_REPLY = "Hi Jane Quill, so sorry the Halvorsen manifest export broke again; I am calling you at 3pm."
#: Our note in Quokka's channel that mentions Jane's address in passing.
STAFF_MENTION = f"I have copied {JANE_EMAIL} on the Pemberly ticket, she moved to your team last month."
CORRECTION_NOTE = "Jane Quill is angry about the Brightwater depot scans, not just annoyed"
RULES = HealthRules()


class QuotingAnalyzer(Analyzer):
    """The offline analyzer, with evidence, advice and a draft that quote the message as Claude's do."""

    name = "offline"

    def __init__(self) -> None:
        self.offline = OfflineAnalyzer()

    async def analyze(self, request: AnalysisRequest) -> AnalysisOutcome:
        outcome = await self.offline.analyze(request)
        opening = " ".join(request.text.split()[:8])
        result = outcome.result.model_copy(
            update={
                "evidence": [opening],
                "recommended_response": f"Call them about: {opening}",
                "draft_reply": f'Thank you for telling us "{opening}". We are on it.',
            }
        )
        return dataclasses.replace(outcome, result=result)


@dataclass
class Portfolio:
    jane_ids: list[int] = field(default_factory=list)
    omar_ids: list[int] = field(default_factory=list)
    quokka_ids: list[int] = field(default_factory=list)
    staff_reply_id: int = 0
    staff_mention_id: int = 0
    alert_ids: list[int] = field(default_factory=list)


def _slack(
    place: str, ts: str, text: str, account: str, author: str, email: str | None, **extra
) -> InboundMessage:
    return InboundMessage(
        platform="slack",
        external_id=ts,
        text=text,
        created_at=extra.pop("created_at"),
        account=account,
        place_key=place,
        author=author,
        author_email=email,
        thread_key=extra.pop("thread_key", ts),
        **extra,
    )


async def store_portfolio(engine: Engine, now: datetime = NOW) -> Portfolio:
    """Store and analyze the portfolio (`QuotingAnalyzer`), then raise its alerts, digest and the rest."""
    places = PlaceRegistry(engine)
    places.watch("slack", "C_ZEPH", "ext-zephyrine", FORGOTTEN, True)
    places.watch("slack", "C_QUOKKA", "ext-quokka", KEPT, True)
    day = timedelta(days=1)
    inbound = [
        _slack(
            "C_ZEPH", "1.001", JANE_MESSAGES[0][1], FORGOTTEN, JANE_NAME, JANE_EMAIL, created_at=now - 6 * day
        ),
        _slack(
            "C_ZEPH", "1.002", JANE_MESSAGES[1][1], FORGOTTEN, JANE_NAME, JANE_EMAIL, created_at=now - 5 * day
        ),
        InboundMessage(
            platform="email",
            external_id="<kestrelmoor-1@mail.example>",
            text=JANE_MESSAGES[2][1],
            created_at=now - 4 * day,
            account=KEPT,
            place_key="email",
            source_kind=SourceKind.email,
            author=f"{JANE_NAME} <{JANE_EMAIL}>",
            author_email=JANE_EMAIL,
            thread_key="<kestrelmoor-1@mail.example>",
        ),
        _slack(
            "C_ZEPH", "2.001", OMAR_MESSAGES[0], FORGOTTEN, "Omar Bext", OMAR_EMAIL, created_at=now - 3 * day
        ),
        _slack(
            "C_ZEPH", "2.002", OMAR_MESSAGES[1], FORGOTTEN, "Omar Bext", OMAR_EMAIL, created_at=now - 2 * day
        ),
        _slack(
            "C_QUOKKA",
            "3.001",
            QUOKKA_MESSAGES[0],
            KEPT,
            "Lena Pike",
            "lena@quokka.example",
            created_at=now - 5 * day,
        ),
        _slack(
            "C_QUOKKA",
            "3.002",
            QUOKKA_MESSAGES[1],
            KEPT,
            "Lena Pike",
            "lena@quokka.example",
            created_at=now - 2 * day,
        ),
        _slack(
            "C_ZEPH",
            "1.003",
            STAFF_REPLY,
            FORGOTTEN,
            "Sam Okafor",
            "sam@ourcompany.example",
            created_at=now - 6 * day + timedelta(hours=2),
            thread_key="1.001",
            is_customer=False,
        ),
    ]
    inbound.append(
        _slack(
            "C_QUOKKA",
            "3.003",
            STAFF_MENTION,
            KEPT,
            "Sam Okafor",
            "sam@ourcompany.example",
            created_at=now - 5 * day + timedelta(hours=1),
            thread_key="3.001",
            is_customer=False,
        )
    )
    pipeline = MessagePipeline(engine, QuotingAnalyzer())
    stored = [s.id for s in pipeline.store_many(inbound)]
    await pipeline.analyze_pending()
    portfolio = Portfolio(stored[0:3], stored[3:5], stored[5:7], stored[7], stored[8])

    alerts = AlertService(engine, PolicyThresholds(), reply_sla=timedelta(hours=24))
    for message_id in stored[:7]:
        change = alerts.after_analysis(message_id, now=now)
        if change is not None:
            portfolio.alert_ids.append(change.alert_id)
    jane_alert = _alert_of(engine, portfolio.jane_ids[0])
    assert store_correction(
        engine, jane_alert, "sam@ourcompany.example", "negative", "high", [], CORRECTION_NOTE
    )
    add_examples(engine, [{"text": JANE_MESSAGES[1][1], "label": "negative"}], "file:labels.csv", 20_000)
    with transaction(engine) as tx:
        record_colour_changes(tx, now, RULES, now.date().isoformat())
        digest = build_digest(
            tx, period_for(now, "UTC"), DigestOptions(rules=RULES), target_key="slack:T1:C_CS"
        )
    claim = claim_run(
        engine, "slack:T1:C_CS", digest.period.key, owner="test", now=now, lease=timedelta(minutes=10)
    )
    assert claim is not None
    complete_run(engine, claim, now, {"ref": "slack:C_CS:1", "digest": digest.to_json()})
    return portfolio


def _alert_of(engine: Engine, message_id: int) -> int:
    with session_scope(engine) as session:
        found = session.exec(select(Alert.id).where(Alert.message_id == message_id)).first()
    assert found is not None, "the test portfolio expects an alert on Jane's first message"
    return found


def account_rows(engine: Engine, account: str, leave_out: tuple[int, ...] = ()) -> list[tuple]:
    """The account's messages and their analyses, every column, for "left exactly as it was" checks."""
    with session_scope(engine) as session:
        account_id = session.exec(select(Account.id).where(Account.name == account)).one()
        messages = session.exec(
            select(CustomerMessage)
            .where(CustomerMessage.account_id == account_id, col(CustomerMessage.id).not_in(leave_out))
            .order_by(col(CustomerMessage.id))
        ).all()
        rows: list[tuple] = []
        for message in messages:
            rows.append(tuple(sorted(message.model_dump().items())))
            analyses = session.exec(select(Analysis).where(Analysis.message_id == message.id)).all()
            rows.extend(tuple(sorted(a.model_dump().items())) for a in analyses)
    return rows


def database_text(engine: Engine) -> str:
    """Every value of every table, lower-cased, one per line (JSON as JSON, bytes as latin-1)."""
    tables = [*SQLModel.metadata.sorted_tables, *slack_tables.metadata.sorted_tables]
    # A table the models do not know (a later migration's) must not be left out of the search.
    assert set(inspect(engine).get_table_names()) == {t.name for t in tables} | {"alembic_version"}
    values: list[str] = []
    with engine.connect() as connection:
        for table in tables:
            for row in connection.execute(table.select()):
                for value in row:
                    if isinstance(value, (dict, list)):
                        values.append(json.dumps(value, ensure_ascii=False))
                    elif isinstance(value, (bytes, memoryview)):
                        values.append(bytes(value).decode("latin-1"))
                    else:
                        values.append(str(value))
    return "\n".join(values).casefold()


def run_cli(engine: Engine, *args: str, input: str | None = None):
    """`tonewatch ARGS` in-process (click's CliRunner) against `engine`'s database."""
    url = engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(cli, list(args), env={"DATABASE_URL": url}, input=input, catch_exceptions=False)


def account_json(engine: Engine, name: str, as_of: datetime = NOW) -> dict:
    """What `tonewatch account NAME --json` shows: the account's health, computed from the store."""
    with session_scope(engine) as session:
        return account_report(session, name, as_of, RULES)


#: The numbers health and trends are made of; erasing text must leave every one of them as it was.
HEALTH_NUMBERS = (
    "light",
    "trend",
    "points",
    "average_7d",
    "average_30d",
    "average_90d",
    "baseline",
    "messages",
    "negative_messages",
    "top_concerns",
    "open_alerts",
    "weekly_average",
)


def health_numbers(report: dict) -> dict:
    return {key: report[key] for key in HEALTH_NUMBERS}
