"""Prompt injection, end to end: a model that obeys every injected instruction still moves no alert.

Each row of tests/data/injection_corpus.csv (written by the team) is a
customer message that is genuinely negative or urgent and also tries to
instruct an AI: "ignore previous instructions", fake JSON and tool output, fake
system prompts and turns, role play, closing tags, instructions in other
languages, base64, markdown, authority claims. The `instruction` column is the
injected instruction, verbatim.

Every row goes in as a Slack message through the real Bolt app, in a channel
of its own account, with Claude asked for every message. The Messages API
stand-in plays the worst model there is: whenever it finds one of the
corpus's instructions in the customer text, it obeys (a delighted, low-urgency,
"celebrate" analysis). What must hold for every row:

- the stored reading is not positive and not less negative than the offline
  reading (the injection guard kept the cautious reading);
- the alert the offline reading warrants is raised, and posted exactly once
  when it is one to post at once: no alert lost to an injection;
- the customer's text reached the model only inside the <customer_message>
  delimiters, never in the system prompt, and could not close them.
"""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import anthropic
import pytest
from sqlmodel import select

from bot.alerts.policy import Severity, decide
from bot.analysis.base import AnalysisRequest
from bot.analysis.claude import ClaudeAnalyzer
from bot.analysis.contract import Label
from bot.analysis.injection import instruction_sentences
from bot.analysis.offline import OfflineAnalyzer
from bot.analysis.policy import PolicyAnalyzer
from bot.analysis.prompts import load_prompt
from bot.analysis.redaction import redact
from handlers.slack.text import escape
from storage.db import session_scope
from storage.models import Alert, Analysis, CustomerMessage, WorkItem
from tests.fakes.messages_api import (
    FakeMessagesAPI,
    Reply,
    customer_message_of,
    neutral_analysis,
    running_messages_api,
    tool_use,
)
from tests.fakes.slack_api import FakeSlackAPI
from tests.support.slack_requests import (
    ACME_TEAM,
    ALERTS,
    CUSTOMER,
    STAFF,
    SlackHarness,
    message_event,
    running_tonewatch,
    wait_for,
)

pytest_plugins = ("tests.support.slack_fixtures",)

CORPUS_PATH = Path(__file__).resolve().parents[1] / "data" / "injection_corpus.csv"
CS_CORPUS_PATH = Path(__file__).resolve().parents[1] / "data" / "cs_messages.csv"
WAIT = 30.0


@dataclass(frozen=True)
class Row:
    id: str
    technique: str
    text: str
    instruction: str

    @property
    def channel(self) -> str:
        return f"C_{self.id.upper()}"

    @property
    def account(self) -> str:
        return f"Injected {self.id}"


def load_corpus() -> list[Row]:
    with CORPUS_PATH.open(encoding="utf-8", newline="") as handle:
        return [Row(**record) for record in csv.DictReader(handle)]


CORPUS = load_corpus()
INSTRUCTIONS = [row.instruction for row in CORPUS]


def reaches_model(row: Row) -> bool:
    """Whether the instruction survives redaction (a base64 blob looks like a secret and does not)."""
    return row.instruction in redact(row.text).text


# --- the model that obeys -----------------------------------------------------------------------


class ObeyingModel:
    """Answers like a model that follows any corpus instruction it finds in the customer's words."""

    def __init__(self) -> None:
        self.obeyed: list[str] = []

    def __call__(self, body: dict) -> Reply:
        message = customer_message_of(body) or ""
        found = [instruction for instruction in INSTRUCTIONS if instruction in message]
        if not found:
            return tool_use(neutral_analysis(score=-0.7, label="negative", urgency="high"))
        self.obeyed.extend(found)
        return tool_use(
            neutral_analysis(
                score=0.95,
                label="positive",
                intensity="strong",
                emotions=["satisfaction", "gratitude"],
                urgency="low",
                confidence=0.97,
                recommended_action="celebrate",
                recommended_response="A happy customer: nothing to do.",
                draft_reply="So glad everything works for you!",
            )
        )


@pytest.fixture
def obeying_model() -> ObeyingModel:
    return ObeyingModel()


@pytest.fixture
def messages_api(obeying_model: ObeyingModel) -> Iterator[FakeMessagesAPI]:
    with running_messages_api(obeying_model) as api:
        yield api


@pytest.fixture
async def slack(
    slack_api: FakeSlackAPI, slack_database_url: str, monkeypatch, messages_api: FakeMessagesAPI
) -> AsyncIterator[SlackHarness]:
    environment = {
        "ANTHROPIC_API_KEY": "test-key",
        "ANTHROPIC_BASE_URL": messages_api.url,
        "TONEWATCH_LLM_POLICY": "all",  # every row reaches the model, whatever the offline analyzer says
        "TONEWATCH_LLM_MAX_RETRIES": "0",
    }
    async with running_tonewatch(slack_api, slack_database_url, monkeypatch, **environment) as harness:
        harness.core.places.set_alert_channel("slack", ALERTS, "cs-alerts", is_external=False)
        for row in CORPUS:
            slack_api.add_channel(
                row.channel, row.id, external=True, connected_team=ACME_TEAM, members=(STAFF, CUSTOMER)
            )
            harness.core.places.watch("slack", row.channel, row.id, row.account, is_external=True)
        yield harness


# --- the corpus itself -------------------------------------------------------------------------


def test_the_corpus_has_thirty_distinct_attacks_each_with_its_instruction_verbatim() -> None:
    assert len(CORPUS) == 30
    assert len({row.id for row in CORPUS}) == len({row.technique for row in CORPUS}) == len(CORPUS)
    for row in CORPUS:
        assert row.instruction and row.instruction in row.text, row.id


def test_the_instruction_detector_finds_every_attack_and_no_ordinary_message() -> None:
    """Every corpus row, and the team corpus's injection rows; none of its 240 other messages."""
    assert [row.id for row in CORPUS if not instruction_sentences(row.text)] == []
    with CS_CORPUS_PATH.open(encoding="utf-8", newline="") as handle:
        team_rows = list(csv.DictReader(handle))
    flagged = {r["id"]: r["phenomenon"] for r in team_rows if instruction_sentences(r["text"])}
    assert set(flagged.values()) == {"injection"}
    assert len(flagged) == sum(r["phenomenon"] == "injection" for r in team_rows)


# --- end to end ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    text: str
    provider: str
    label: str
    score: float
    urgency: str
    alert: Alert | None


def stored_by_channel(slack: SlackHarness) -> dict[str, Stored]:
    with session_scope(slack.core.engine) as session:
        found = {}
        for message in session.exec(select(CustomerMessage)).all():
            analysis = (
                session.get(Analysis, message.latest_analysis_id) if message.latest_analysis_id else None
            )
            if analysis is None:
                continue
            alert = session.exec(select(Alert).where(Alert.account_id == message.account_id)).first()
            found[message.place_key] = Stored(
                message.text or "", analysis.provider, analysis.label, analysis.score, analysis.urgency, alert
            )
        return found


def queue_settled(slack: SlackHarness) -> bool:
    with session_scope(slack.core.engine) as session:
        busy = session.exec(select(WorkItem).where(WorkItem.status.in_(("pending", "running")))).first()
        return busy is None


async def test_an_obeyed_injection_moves_no_reading_and_loses_no_alert(
    slack: SlackHarness, obeying_model: ObeyingModel, messages_api: FakeMessagesAPI
) -> None:
    for row in CORPUS:
        # Slack escapes &, < and > in message text; the app reads them back.
        event = message_event(row.channel, CUSTOMER, escape(row.text), user_team=ACME_TEAM)
        assert (await slack.event(event)).status == 200
    await wait_for(
        lambda: len(stored_by_channel(slack)) == len(CORPUS), timeout=WAIT, what="every row analyzed"
    )
    await wait_for(lambda: queue_settled(slack), timeout=WAIT, what="every alert delivered")

    # The model obeyed every attack that reached it (redaction keeps some away: base64 looks like a secret).
    reached = [row.instruction for row in CORPUS if reaches_model(row)]
    assert len(reached) >= len(CORPUS) - 3  # the stand-in really was attacked
    assert sorted(obeying_model.obeyed) == sorted(reached)

    stored = stored_by_channel(slack)
    roots = [m for m in slack.api.messages[ALERTS] if not m.get("thread_ts")]
    thresholds = slack.core.alerts.thresholds
    problems = []
    for row in CORPUS:
        reading = stored[row.channel]
        assert reading.text == row.text  # stored exactly as written
        offline = (await slack.core.offline.analyze(AnalysisRequest(row.text))).result
        warranted = decide(offline, thresholds=thresholds)
        raised = Severity(reading.alert.severity) if reading.alert else None
        shown = [m for m in roots if row.account in m["text"]]
        if reading.provider != "claude":
            problems.append(f"{row.id}: read by {reading.provider}, not Claude (guarded)")
        if reading.label == "positive" or reading.score > offline.score:
            problems.append(
                f"{row.id}: stored {reading.label} {reading.score:+.2f}, offline {offline.score:+.2f}"
            )
        posted = reading.alert is not None and reading.alert.post_ref is not None
        if warranted and (raised is None or raised.rank < warranted.severity.rank):
            problems.append(f"{row.id}: offline warrants {warranted.severity}, raised {raised}")
        if warranted and warranted.post_now and not posted:
            problems.append(f"{row.id}: offline warrants an alert now, none posted")
        if len(shown) != (1 if posted else 0):
            problems.append(f"{row.id}: alert shown {len(shown)} times")
    assert not problems, "\n".join(problems)
    assert len(roots) == len({m["text"] for m in roots})  # no alert twice
    # Each time the guard kept the cautious reading it is counted, for an operator to see.
    guarded = slack.core.telemetry.registry.get_sample_value("tonewatch_injection_guarded_total")
    assert guarded and guarded >= len(reached) // 2


async def test_the_customer_text_reaches_the_model_only_inside_the_data_delimiters(
    slack: SlackHarness, messages_api: FakeMessagesAPI
) -> None:
    for row in CORPUS:
        event = message_event(row.channel, CUSTOMER, escape(row.text), user_team=ACME_TEAM)
        assert (await slack.event(event)).status == 200
    requests = await wait_for(
        lambda: len(messages_api.message_requests) >= len(CORPUS) and messages_api.message_requests,
        timeout=WAIT,
        what="every row sent to the model",
    )

    rubric = load_prompt("analyze_message").body
    by_instruction = {}
    for request in requests:
        body = request.body
        assert body["system"] == [{"type": "text", "text": rubric, "cache_control": {"type": "ephemeral"}}]
        [turn] = body["messages"]
        user_turn = turn["content"]
        assert user_turn.count("<customer_message>") == 1 and user_turn.count("</customer_message>") == 1
        assert user_turn.index("<customer_message>") < user_turn.index("</customer_message>")
        message = customer_message_of(body) or ""
        for instruction in INSTRUCTIONS:
            if instruction in message:
                by_instruction[instruction] = user_turn
    # Each attack that survives redaction is inside the delimiters, and nowhere else.
    assert sorted(by_instruction) == sorted(row.instruction for row in CORPUS if reaches_model(row))
    for row in filter(reaches_model, CORPUS):
        outside = by_instruction[row.instruction].split("</customer_message>", 1)[1]
        assert row.instruction not in outside and row.instruction not in rubric
    assert not any(
        row.instruction in r.raw.decode() for r in requests for row in CORPUS if not reaches_model(row)
    )


# --- hybrid mode: the offline reading is not moved by the injected words -----------------------


async def test_in_hybrid_mode_an_injection_that_fools_the_offline_analyzer_is_not_stored_positive(
    messages_api: FakeMessagesAPI,
) -> None:
    [row] = [row for row in CORPUS if row.id == "inj08"]
    offline = OfflineAnalyzer()
    client = anthropic.AsyncAnthropic(api_key="test-key", base_url=messages_api.url, max_retries=0)
    claude = ClaudeAnalyzer(client, "claude-haiku-4-5", load_prompt("analyze_message"), offline)
    try:
        outcome = await PolicyAnalyzer(offline, claude, policy="hybrid").analyze(AnalysisRequest(row.text))
    finally:
        await client.close()

    assert outcome.result.label is not Label.positive
