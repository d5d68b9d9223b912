
# ruff: noqa: F811 - the Teams fixtures are imported by name, and tests take them as parameters
"""Questions and digests in Teams: answers where only our side reads them, digests into a Teams channel."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.questions.answer import Answer, AnswerItem
from handlers.teams.cards import HELP_TEXT
from handlers.teams.poster import TeamsPoster
from scheduler.jobs import JobConfig, Outcome, ScheduledJobs
from scheduler.targets import load_target
from storage.inbound import InboundMessage
from tests.fakes.bot_connector import (  # noqa: F401  (fixtures)
    ALERTS,
    SHARED,
    STAFF,
    bot_connector,
    teams,
    teams_database_url,
    wait_for,
)

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg=="
)


def replies_in(teams, conversation: str) -> list:
    return [p for p in teams.connector.posts(conversation) if p.kind in ("reply", "send")]


async def test_a_question_in_an_internal_channel_is_answered_in_its_thread(teams):
    await teams.set_up()
    teams.deps.questions = None  # no answerer wired: the help is the answer
    asked = await teams.say(ALERTS, STAFF, "how is Acme doing?", mention=True)
    await teams.idle()
    [answer] = [p for p in teams.connector.posts(ALERTS, "reply") if p.thread == asked["id"]]
    assert answer.text == HELP_TEXT


async def test_the_core_answers_how_an_account_is_doing_with_its_chart_as_an_image(teams):
    await teams.set_up()
    await teams.alert_posted()  # Acme has history now
    asked = await teams.say(ALERTS, STAFF, "how is Acme doing?", mention=True)
    await teams.idle()
    [reply] = [p for p in teams.connector.posts(ALERTS, "reply") if p.thread == asked["id"]]
    [card] = reply.cards
    assert card["body"][0]["text"].startswith(("🔴 **Acme Corp", "🟡 **Acme Corp", "🟢 **Acme Corp"))
    assert "waiting three days" in reply.everything and "from Teams" in reply.everything
    [image] = reply.images
    assert image["contentUrl"].startswith("data:image/png;base64,iVBOR")


async def test_an_answer_is_rendered_as_a_card_with_its_items_and_chart(teams, tmp_path):
    await teams.set_up()
    chart = tmp_path / "acme.png"
    chart.write_bytes(PNG)
    asked: list[tuple[str, str]] = []

    async def answer(question: str, asker: str, tenant: str) -> Answer:
        asked.append((question, asker))
        return Answer(
            intent="negative_this_week",
            title="Negative this week: 1 message",
            lines=["From 1 account"],
            items=[AnswerItem("Acme Corp", "critical", quote="We're reconsidering", score=-0.8)],
            chart=str(chart),
            answered_by="claude:claude-sonnet-4-6",
        )

    teams.deps.questions = answer
    await teams.say(ALERTS, STAFF, "what was negative this week?", mention=True)
    await teams.idle()
    [reply] = [p for p in teams.connector.posts(ALERTS, "reply") if "Negative this week" in p.everything]
    assert asked == [("what was negative this week?", STAFF)]
    assert "**Acme Corp** — critical" in reply.everything and "“We're reconsidering”" in reply.everything
    assert "−0.80" in reply.everything and "Answered by Claude (claude-sonnet-4-6)" in reply.everything
    [image] = reply.images
    assert image["contentUrl"] == "data:image/png;base64," + base64.b64encode(PNG).decode()


async def test_help_lists_the_teams_commands(teams):
    await teams.set_up()
    asked = await teams.say(ALERTS, STAFF, "help me", mention=True)
    await teams.idle()
    [reply] = [p for p in teams.connector.posts(ALERTS, "reply") if p.thread == asked["id"]]
    assert "@Tonewatch watch Acme Corp" in reply.everything


async def test_a_question_in_a_shared_channel_is_answered_privately(teams):
    await teams.set_up()
    teams.deps.questions = None
    await teams.say(SHARED, STAFF, "how is Acme doing?", mention=True)
    await teams.idle()
    assert replies_in(teams, SHARED) == []
    [private] = replies_in(teams, "a:" + STAFF)
    assert private.text == HELP_TEXT
    assert teams.messages() == []  # a question to Tonewatch is not a staff reply to the customer


async def test_a_question_in_a_personal_chat_is_answered_there(teams):
    async def answer(question: str, asker: str, tenant: str) -> Answer:
        return Answer(intent="help", title=f"You asked: {question}")

    teams.deps.questions = answer
    await teams.say("a:sam", STAFF, "how is Acme doing?")
    await teams.idle()
    [reply] = teams.connector.posts("a:sam")
    assert "You asked: how is Acme doing?" in reply.everything


def last_monday_nine(zone: str) -> datetime:
    local = datetime.now(ZoneInfo(zone))
    monday = (local - timedelta(days=local.weekday())).replace(hour=9, minute=5, second=0, microsecond=0)
    if monday > local:
        monday -= timedelta(days=7)
    return monday.astimezone(UTC)


async def test_the_digest_goes_to_a_teams_channel_with_its_chart(teams):
    await teams.set_up()
    await teams.say(ALERTS, STAFF, "digest here mon 09:00 Europe/Paris", mention=True)
    await teams.idle()
    assert "every Monday at 09:00 (Europe/Paris)" in teams.connector.posts(ALERTS, "reply")[-1].text
    target = load_target(teams.core.engine, f"teams:{ALERTS}")
    assert (target.platform, target.destination, target.timezone) == ("teams", ALERTS, "Europe/Paris")

    now = last_monday_nine("Europe/Paris")
    texts = ["The sync failed again, this is unacceptable.", "Thanks, the fix works great!", "Still broken."]
    teams.core.pipeline.store_many(
        [
            InboundMessage(
                "teams", f"h{i}", text, now - timedelta(days=2 + i), account="Acme Corp", place_key=SHARED
            )
            for i, text in enumerate(texts)
        ]
    )
    await teams.core.pipeline.analyze_pending()

    poster = teams.runtime.scheduled
    assert isinstance(poster, TeamsPoster)  # what composition.build_scheduler hands the scheduler
    jobs = ScheduledJobs(teams.core.engine, poster, JobConfig.from_settings(teams.core.settings))
    assert await jobs.digest(target.key, now=now) is Outcome.posted
    [digest] = [
        p for p in teams.connector.posts(ALERTS, "new_thread") if "Customer sentiment" in p.everything
    ]
    assert "Portfolio:" in digest.everything and "Acme Corp" in digest.everything
    assert len(digest.images) == 1 and digest.images[0]["contentUrl"].startswith("data:image/png;base64,")

    assert await jobs.attention(target.key, now=now) is Outcome.posted
    assert [p for p in teams.connector.posts(ALERTS, "new_thread") if "Needs a reply today" in p.everything]


@pytest.mark.slow
async def test_no_digest_where_customers_can_read(teams):
    await teams.set_up()
    await teams.say(SHARED, STAFF, "digest here", mention=True)
    await teams.idle()
    assert load_target(teams.core.engine, f"teams:{SHARED}") is None
    assert "customers can read" in replies_in(teams, "a:" + STAFF)[-1].text
