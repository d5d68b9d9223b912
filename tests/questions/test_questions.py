"""Questions to Tonewatch: the grammar, its answers on a hand-built history (SQLite), and Claude's answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config.settings import load_settings
from bot.health.rules import Light
from bot.questions.answer import AnswerOptions
from bot.questions.service import Intent, answer, answer_question, parse_question, read_question
from tests.fakes.messages_api import server_error, text_answer, tool_use
from tests.support.history import History

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ACCOUNTS = ["Acme Corp", "Globex", "Hooli", "Initech", "Umbrella Health"]


@pytest.mark.parametrize(
    ("said", "intent", "expected"),
    [
        ("how is Acme doing?", Intent.account_status, {"account": "acme"}),
        ("<@U_BOT> How's umbrela health doing", Intent.account_status, {"account": "umbrela health"}),
        ("status hooli", Intent.account_status, {"account": "hooli"}),
        ("Acme?", Intent.account_status, {"account": "Acme Corp"}),
        ("who was negative this week?", Intent.negative_this_week, {"days": 7}),
        ("negative in the last 14 days", Intent.negative_this_week, {"days": 14}),
        ("which accounts are red?", Intent.accounts_by_light, {"light": Light.red}),
        ("amber accounts", Intent.accounts_by_light, {"light": Light.yellow}),
        ("how is everyone doing?", Intent.accounts_by_light, {"light": None}),
        ("what are customers frustrated about?", Intent.top_frustrations, {"account": None, "days": 30}),
        ("top concerns for hooli this week", Intent.top_frustrations, {"account": "Hooli", "days": 7}),
        ("which negative messages haven't had a reply in 7 days?", Intent.unanswered, {"days": 7}),
        ("anything still waiting for a reply?", Intent.unanswered, {"days": 7}),
        ("unanswered 3 days", Intent.unanswered, {"days": 3}),
        ("help", Intent.help, {"understood": True}),
        ("what's the weather like", Intent.help, {"understood": False}),
    ],
)
def test_the_grammar_reads_questions_however_they_are_phrased(said, intent, expected) -> None:
    question = parse_question(said, ACCOUNTS)
    assert question.intent is intent
    for field, value in expected.items():
        assert getattr(question, field) == value, field


def history(engine) -> dict[str, int]:
    """Acme turning red (sync failures, a churn threat, an open alert), Hooli's unanswered billing complaint,
    Globex happy and expanding, Initech quiet."""
    h = History(engine, NOW)
    ids: dict[str, int] = {}
    for name in ACCOUNTS[:4]:
        for day in range(80, 10, -4):
            h.say(name, day, 0.3)
    ids["sync"] = h.say(
        "Acme Corp",
        3,
        -0.85,
        "The sync failed again, third week running.",
        concerns=("reliability",),
        place="C_ACME",
        thread="t-sync",
    )
    h.staff("Acme Corp", 2.9, place="C_ACME", thread="t-sync")
    ids["waiting"] = h.say(
        "Acme Corp", 2, -0.7, "Still waiting for the root cause.", concerns=("support_responsiveness",)
    )
    ids["renewal"] = h.say(
        "Acme Corp", 1, -0.8, "We are reconsidering our renewal.", churn=True, concerns=("contract_renewal",)
    )
    ids["alert"] = h.alert("Acme Corp", 1, message_id=ids["renewal"])
    ids["billing"] = h.say("Hooli", 2, -0.5, "We were charged twice this month.", concerns=("billing",))
    ids["seats"] = h.say("Globex", 1, 0.8, "We'd like 50 more seats.", expansion=True)
    return ids


def ask(engine, text: str, tmp_path: Path | None = None):
    options = AnswerOptions(chart_dir=tmp_path / "charts" if tmp_path else None)
    return answer(read_question(text, engine), engine, NOW, options)


def test_the_account_card_has_light_trend_averages_concerns_alerts_quotes_and_a_chart(
    sqlite_engine, tmp_path
) -> None:
    ids = history(sqlite_engine)
    card = ask(sqlite_engine, "how is acme doing?", tmp_path)
    assert card.intent == Intent.account_status and card.account == "Acme Corp"
    assert card.title.startswith("Acme Corp — red") and card.light == "red"
    assert "30-day average" in card.lines[0] and "1 open alert" in card.lines[0]
    assert any(line.startswith("Top concerns:") and "reliability" in line for line in card.lines)
    assert any(line.startswith("Why:") and "churn" in line for line in card.lines)
    alert, *recent = card.items
    assert alert.text.startswith("Open alert · critical") and alert.ref.message_id == ids["renewal"]
    # The open alert's message is not quoted twice; the others are, newest first, with where they live.
    assert [item.ref.message_id for item in recent] == [ids["waiting"], ids["sync"]]
    assert (recent[1].ref.platform, recent[1].ref.place) == ("import", "C_ACME")
    assert "The sync failed again" in card.text and "−0.85" in card.text
    assert Path(card.chart).read_bytes().startswith(b"\x89PNG")


def test_account_names_are_matched_fuzzily_and_unknown_ones_are_named(sqlite_engine) -> None:
    history(sqlite_engine)
    assert ask(sqlite_engine, "how's ACMEE corp doing?").account == "Acme Corp"
    assert ask(sqlite_engine, "tell me about hool").account == "Hooli"
    unknown = ask(sqlite_engine, "status zork")
    assert unknown.account is None and "zork" in unknown.title
    assert "Acme Corp" in unknown.lines[0] and "Globex" in unknown.lines[0]


def test_who_was_negative_ranks_accounts_by_their_negative_messages_with_the_worst_quoted(
    sqlite_engine,
) -> None:
    ids = history(sqlite_engine)
    result = ask(sqlite_engine, "who was negative this week?")
    assert [item.text for item in result.items] == [
        "Acme Corp — 3 negative messages",
        "Hooli — 1 negative message",
    ]
    assert result.items[0].ref.message_id == ids["sync"] and result.items[0].score == -0.85
    assert result.title == "Negative this week: 2 accounts, 4 messages"


def test_accounts_by_light_lists_that_colour_worst_first_with_why(sqlite_engine) -> None:
    history(sqlite_engine)
    red = ask(sqlite_engine, "which accounts are red?")
    assert red.title == "Red accounts: 1 of 4"
    assert red.items[0].text.startswith("Acme Corp — red") and red.items[0].quote
    green = ask(sqlite_engine, "green accounts")
    assert {item.text.split(" — ")[0] for item in green.items} >= {"Globex", "Initech"}
    everyone = ask(sqlite_engine, "how is everyone doing?")
    assert everyone.title.startswith("Portfolio:") and "Globex" not in everyone.text.split("\n", 1)[1]


def test_frustrations_are_concerns_of_negative_messages_with_an_example_each(sqlite_engine) -> None:
    ids = history(sqlite_engine)
    result = ask(sqlite_engine, "what are customers frustrated about?")
    by_concern = {item.text.split(" — ")[0]: item for item in result.items}
    assert set(by_concern) == {"reliability", "support responsiveness", "contract renewal", "billing"}
    assert by_concern["billing"].ref.message_id == ids["billing"] and by_concern["billing"].detail == "Hooli"
    only_hooli = ask(sqlite_engine, "top concerns for hooli")
    assert [item.text for item in only_hooli.items] == ["billing — 1 negative message"]


def test_unanswered_lists_negative_messages_without_a_reply_oldest_first(sqlite_engine) -> None:
    ids = history(sqlite_engine)
    result = ask(sqlite_engine, "which negative messages haven't had a reply in 7 days?")
    listed = [item.ref.message_id for item in result.items]
    assert ids["sync"] not in listed  # our staff replied in its thread
    assert listed == [ids["waiting"], ids["billing"], ids["renewal"]]
    assert "past the reply SLA" in result.items[0].detail
    assert ask(sqlite_engine, "unanswered 2 days").title == (
        "1 negative message from the last 2 days still waits for a reply"
    )


def test_a_question_the_grammar_does_not_know_gets_the_grammar_as_help(sqlite_engine) -> None:
    history(sqlite_engine)
    result = ask(sqlite_engine, "what's the weather like?")
    assert result.intent == Intent.help and "didn't understand" in result.lines[0]
    assert any("how is ACCOUNT doing?" in line for line in result.lines)


# --- Claude with read-only tools ------------------------------------------------------------------


@pytest.fixture
def claude_settings(messages_api, sqlite_url, tmp_path):
    return load_settings(
        env_file=None,
        DATABASE_URL=sqlite_url,
        ANTHROPIC_API_KEY="test-key",
        ANTHROPIC_BASE_URL=messages_api.url,
        TONEWATCH_LLM_MAX_RETRIES="0",
        TONEWATCH_CHART_DIR=str(tmp_path / "charts"),
    )


async def test_claude_answers_with_tools_over_the_store_and_cites_messages(
    sqlite_engine, claude_settings, messages_api
) -> None:
    ids = history(sqlite_engine)
    messages_api.enqueue(
        tool_use({"account": "acme"}, tool_name="account_health"),
        text_answer(
            f"Acme Corp is red and may not renew [#{ids['renewal']}].\nThe sync failed [#{ids['sync']}]."
        ),
    )
    result = await answer_question("is acme at risk of leaving?", sqlite_engine, claude_settings, now=NOW)
    assert result.answered_by == "claude:claude-sonnet-4-6"
    assert result.title == "Acme Corp is red and may not renew [1]." and result.lines == [
        "The sync failed [2]."
    ]
    assert [item.ref.message_id for item in result.items] == [ids["renewal"], ids["sync"]]
    assert result.items[0].quote == "We are reconsidering our renewal."
    first, second = messages_api.message_requests
    assert first.body["model"] == "claude-sonnet-4-6"
    assert {tool["name"] for tool in first.body["tools"]} == {
        "list_accounts",
        "account_health",
        "search_messages",
        "unanswered_messages",
    }
    [question] = first.body["messages"][0]["content"]
    assert "<question>\nis acme at risk of leaving?\n</question>" in question["text"]
    # The prompt and the conversation so far are cached: a breakpoint on the system prompt and the last turn.
    assert first.body["system"][-1]["cache_control"] == {"type": "ephemeral"}
    assert question["cache_control"] == {"type": "ephemeral"}
    assert second.body["messages"][-1]["content"][-1]["cache_control"] == {"type": "ephemeral"}
    assert "cache_control" not in second.body["messages"][0]["content"][0]
    [tool_result] = second.body["messages"][-1]["content"]
    assert tool_result["type"] == "tool_result" and not tool_result.get("is_error")
    report = json.loads(tool_result["content"])
    assert report["account"] == "Acme Corp" and report["light"] == "red"


async def test_an_account_question_answered_by_claude_keeps_the_cards_chart(
    sqlite_engine, claude_settings, messages_api
) -> None:
    ids = history(sqlite_engine)
    messages_api.enqueue(
        tool_use({"account": "Acme Corp", "max_score": -0.3}, tool_name="search_messages"),
        text_answer(f"Acme Corp is struggling with the sync [#{ids['sync']}]."),
    )
    result = await answer_question("how is Acme doing?", sqlite_engine, claude_settings, now=NOW)
    assert result.answered_by.startswith("claude:") and result.account == "Acme Corp"
    assert result.chart and Path(result.chart).is_file()


@pytest.mark.parametrize(
    "replies",
    [
        pytest.param(lambda ids: [text_answer("Acme Corp is red [#987654].")], id="an invented citation"),
        pytest.param(
            lambda ids: [
                tool_use({"account": "acme"}, tool_name="account_health"),
                text_answer("Acme is red."),
            ],
            id="no citation though messages were read",
        ),
        pytest.param(lambda ids: [server_error(500)], id="an API error"),
    ],
)
async def test_any_failure_of_claude_gives_the_grammars_answer(
    sqlite_engine, claude_settings, messages_api, replies
) -> None:
    ids = history(sqlite_engine)
    messages_api.enqueue(*replies(ids))
    result = await answer_question("how is Acme doing?", sqlite_engine, claude_settings, now=NOW)
    assert result.answered_by == "grammar" and result.title.startswith("Acme Corp — red")


async def test_help_is_answered_without_calling_claude(sqlite_engine, claude_settings, messages_api) -> None:
    result = await answer_question("help", sqlite_engine, claude_settings, now=NOW)
    assert result.intent == Intent.help and messages_api.message_requests == []
