"""Questions in Slack, through the real app: DMs and mentions answered where only our own people read."""

from __future__ import annotations

import time

import pytest

import handlers.slack.answers
from handlers.slack.blocks import REFUSAL
from storage.types import utcnow
from tests.support.history import History
from tests.support.slack_requests import (
    ALERTS,
    CUSTOMER,
    ESCALATION,
    SHARED,
    STAFF,
    message_event,
    running_tonewatch,
    wait_for,
)

#: The `slack` and `slack_api` fixtures (a running Tonewatch, the Slack stand-in).
pytest_plugins = ("tests.support.slack_fixtures",)

DM = "D_SAM"


def open_dms(api) -> None:
    api.channels[DM] = {"id": DM, "is_im": True, "user": STAFF}
    api.channels["D_MARIA"] = {"id": "D_MARIA", "is_im": True, "user": CUSTOMER}


def background(engine) -> None:
    """Two months of a content Acme, so the escalation below turns it red."""
    history = History(engine, utcnow())
    for day in range(60, 3, -4):
        history.say("Acme Corp", day, 0.3)


async def escalation_now(slack) -> str:
    """The customer's escalation, sent now (the history is relative to now), and its alert posted."""
    ts = f"{time.time():.6f}"
    await slack.event(message_event(SHARED, CUSTOMER, ESCALATION, ts=ts))
    await slack.posted_alert()
    return ts


def mention(channel: str, user: str, text: str) -> dict:
    return {**message_event(channel, user, f"<@U_BOT> {text}"), "type": "app_mention"}


async def test_a_dm_gets_the_account_card_with_links_to_the_messages_and_the_chart(slack) -> None:
    slack.set_up()
    open_dms(slack.api)
    background(slack.core.engine)
    customer_ts = await escalation_now(slack)
    await slack.event(message_event(DM, STAFF, "how is Acme doing?"))
    [answer] = await wait_for(lambda: [c for c in slack.api.posts(DM) if c.ok], what="the answer")
    shown = answer.blocks_text
    assert "Acme Corp — red" in shown and "1 open alert" in shown
    assert "Open alert · critical" in shown and "I've been waiting three days" in shown
    link = f"https://home.slack.test/archives/{SHARED}/p{customer_ts.replace('.', '')}|View message"
    assert link in shown
    asked = [c.args for c in slack.api.calls_to("chat.getPermalink") if c.args.get("channel") == SHARED]
    assert {"channel": SHARED, "message_ts": customer_ts}.items() <= asked[-1].items()
    [upload] = await wait_for(lambda: slack.api.calls_to("files.completeUploadExternal"), what="the chart")
    assert upload.args["channel_id"] == DM and slack.api.uploads[-1].startswith(b"\x89PNG")


async def test_a_mention_in_an_internal_channel_is_answered_in_its_thread(slack) -> None:
    slack.set_up()
    background(slack.core.engine)
    await escalation_now(slack)
    asked = mention(ALERTS, STAFF, "which accounts are red?")
    await slack.event(asked)
    [answer] = await wait_for(
        lambda: [c for c in slack.api.posts(ALERTS) if c.args.get("thread_ts") == asked["ts"]],
        what="the answer",
    )
    assert "Red accounts: 1 of 1" in answer.blocks_text and "Acme Corp — red" in answer.blocks_text


async def test_in_a_shared_channel_only_the_asker_sees_the_answer_and_no_chart_is_shared(slack) -> None:
    slack.set_up()
    background(slack.core.engine)
    await slack.event(mention(SHARED, STAFF, "how is Acme doing?"))
    [answer] = await wait_for(lambda: slack.api.calls_to("chat.postEphemeral"), what="the ephemeral answer")
    assert answer.channel == SHARED and answer.args["user"] == STAFF
    assert "Acme Corp — " in answer.text and "30-day average" in answer.text
    await slack.deps.background.drain()
    assert slack.api.posts(SHARED) == []
    assert slack.api.calls_to("files.completeUploadExternal") == []  # a chart cannot be shown to one person


async def test_people_outside_the_team_get_only_the_refusal(slack, monkeypatch) -> None:
    slack.set_up()
    open_dms(slack.api)
    slack.api.refusals.add(REFUSAL)
    background(slack.core.engine)
    asked: list[str] = []
    answer = handlers.slack.answers.answer_question

    async def recording(question, *args, **kwargs):
        asked.append(question)
        return await answer(question, *args, **kwargs)

    monkeypatch.setattr(handlers.slack.answers, "answer_question", recording)
    await slack.event(message_event("D_MARIA", CUSTOMER, "how is Acme doing?"))
    await slack.event(mention(SHARED, CUSTOMER, "which accounts are red?"))
    refusals = await wait_for(lambda: slack.api.calls_to("chat.postEphemeral")[1:], what="both refusals")
    assert [c.text for c in slack.api.calls_to("chat.postEphemeral")] == [REFUSAL, REFUSAL]
    assert {c.channel for c in slack.api.calls_to("chat.postEphemeral")} == {"D_MARIA", SHARED} and refusals
    await slack.deps.background.drain()
    assert asked == [] and slack.api.posts() == []


async def test_a_failure_gives_an_error_id_never_the_exception(slack, monkeypatch) -> None:
    open_dms(slack.api)

    async def broken(*args, **kwargs):
        raise RuntimeError("connection string postgres://admin:hunter2@db")

    monkeypatch.setattr(handlers.slack.answers, "answer_question", broken)
    await slack.event(message_event(DM, STAFF, "how is Acme doing?"))
    [answer] = await wait_for(lambda: slack.api.posts(DM), what="the apology")
    assert "couldn't answer that (error " in answer.text and "hunter2" not in answer.text


async def test_help_lists_the_questions_and_the_commands(slack) -> None:
    open_dms(slack.api)
    await slack.event(message_event(DM, STAFF, "help"))
    [answer] = await wait_for(lambda: slack.api.posts(DM), what="the help")
    assert "how is ACCOUNT doing?" in answer.text and "/tonewatch watch" in answer.text


@pytest.fixture
async def slack_with_claude(slack_api, slack_database_url, monkeypatch, messages_api):
    async with running_tonewatch(
        slack_api,
        slack_database_url,
        monkeypatch,
        ANTHROPIC_API_KEY="test-key",
        ANTHROPIC_BASE_URL=messages_api.url,
        TONEWATCH_LLM_MAX_RETRIES="0",
    ) as harness:
        yield harness


async def test_with_claude_a_free_form_question_is_answered_citing_linked_messages(
    slack_with_claude, messages_api
) -> None:
    from tests.fakes.messages_api import text_answer, tool_use

    slack = slack_with_claude
    slack.set_up()
    open_dms(slack.api)
    background(slack.core.engine)
    await escalation_now(slack)
    stored = slack.messages()[-1]
    messages_api.enqueue(
        tool_use({"account": "Acme", "max_score": -0.3}, tool_name="search_messages"),
        text_answer(f"Yes: Acme Corp is reconsidering its renewal [#{stored.id}]."),
    )
    await slack.event(message_event(DM, STAFF, "is anyone thinking of leaving us?"))
    [answer] = await wait_for(lambda: [c for c in slack.api.posts(DM) if c.ok], what="Claude's answer")
    shown = answer.blocks_text
    assert "Yes: Acme Corp is reconsidering its renewal [1]." in shown
    assert f"archives/{SHARED}/p{stored.external_id.replace('.', '')}|View message" in shown
    assert "Answered by Claude (claude-sonnet-4-6)" in shown
    assert messages_api.message_requests[1].body["messages"][-1]["content"][0]["type"] == "tool_result"
