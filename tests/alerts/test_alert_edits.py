# ruff: noqa: F811 - the Teams fixtures are imported by name, and tests take them as parameters
"""Alerts follow the customer: an edit re-scores the message and refreshes the card (or resolves the alert
when nothing alert-worthy is left); a deletion takes the message off its alert, and takes back the card and
draft when nothing is left. The alert's thread says what happened. Through the real Bolt app over signed
HTTP and the Teams adapter over HTTP, checked on what the Slack Web API and Bot Connector stand-ins got."""

from __future__ import annotations

import json

from sqlmodel import select

from bot.alerts.delivery import CHANGE_NOTES
from storage.db import session_scope
from storage.models import AlertMessage
from tests.fakes.bot_connector import ALERTS as TEAMS_ALERTS
from tests.fakes.bot_connector import CUSTOMER as TEAMS_CUSTOMER
from tests.fakes.bot_connector import ESCALATION as TEAMS_ESCALATION
from tests.fakes.bot_connector import SHARED as TEAMS_SHARED
from tests.fakes.bot_connector import (  # noqa: F401  (fixtures)
    bot_connector,
    teams,
    teams_database_url,
)
from tests.support.slack_requests import ALERTS, CUSTOMER, ESCALATION, SHARED, message_event, wait_for

pytest_plugins = ("tests.support.slack_fixtures",)

PRAISE = "Sorry, my mistake: it works perfectly now. Thank you for the quick help, great team!"
STILL_ANGRY = (
    "Update: the integration failed again overnight and support still has not replied. This is unacceptable "
    "and we are seriously reconsidering our renewal."
)
AGAIN = (
    "Still no answer on the integration ticket. This keeps failing and we're seriously reconsidering the "
    "renewal; please escalate today."
)


def edit_event(original: dict, text: str) -> dict:
    return {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": original["channel"],
        "ts": f"{original['ts']}9",
        "message": {**original, "text": text, "edited": {"user": original["user"]}},
        "previous_message": original,
    }


def delete_event(original: dict) -> dict:
    return {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "channel": original["channel"],
        "ts": f"{original['ts']}8",
        "deleted_ts": original["ts"],
        "previous_message": original,
    }


def thread_texts(slack, root: str) -> list[str]:
    return [m["text"] or "" for m in slack.api.messages[ALERTS] if m.get("thread_ts") == root]


def members(core) -> list[tuple[int, int]]:
    with session_scope(core.engine) as session:
        return [(row.alert_id, row.message_id) for row in session.exec(select(AlertMessage)).all()]


async def slack_alert(slack) -> tuple[dict, str]:
    slack.set_up()
    original = message_event(SHARED, CUSTOMER, ESCALATION)
    await slack.event(original)
    await slack.posted_alert()
    return original, slack.alerts()[0].post_ref


async def test_slack_an_edit_into_praise_resolves_the_alert_and_says_so_in_its_thread(slack):
    original, root = await slack_alert(slack)
    assert members(slack.core) == [(slack.alerts()[0].id, slack.messages()[0].id)]

    await slack.event(edit_event(original, PRAISE))

    note = CHANGE_NOTES["resolved"]
    await wait_for(lambda: note in thread_texts(slack, root), what="the thread saying the alert was resolved")
    alert = slack.alerts()[0]
    assert alert.status == "resolved" and alert.open_key is None
    card = slack.api.calls_to("chat.update")[-1].args
    assert card["ts"] == root
    shown = json.dumps(card)
    assert "waiting three days" not in shown  # the old words are gone from the card
    assert "Resolved" in shown or "resolved" in shown
    assert not members(slack.core)
    assert not slack.api.posts(SHARED)  # nothing about it where the customer reads


async def test_slack_an_edit_that_stays_negative_refreshes_the_card_and_says_so(slack):
    original, root = await slack_alert(slack)

    await slack.event(edit_event(original, STILL_ANGRY))

    note = CHANGE_NOTES["edit"]
    await wait_for(lambda: note in thread_texts(slack, root), what="the thread saying the message was edited")
    assert slack.alerts()[0].status == "open" and slack.alerts()[0].message_count == 1
    card = json.dumps(slack.api.calls_to("chat.update")[-1].args)
    assert "failed again overnight" in card  # the card quotes the words as they read now


async def test_slack_deleting_the_only_message_takes_back_the_card_and_its_draft(slack):
    original, root = await slack_alert(slack)
    posted = [m["ts"] for m in slack.api.messages[ALERTS] if root in (m["ts"], m.get("thread_ts"))]
    assert len(posted) == 2  # the card and its draft

    await slack.event(delete_event(original))

    await wait_for(
        lambda: sorted(ts for _, ts in slack.api.deleted) == sorted(posted), what="the posts deleted"
    )
    assert not [m for m in slack.api.messages[ALERTS] if root in (m["ts"], m.get("thread_ts"))]
    alert = slack.alerts()[0]
    assert alert.status == "resolved" and alert.open_key is None
    assert slack.messages()[0].text is None


async def test_slack_deleting_one_of_two_messages_keeps_the_alert_on_the_other(slack):
    original, root = await slack_alert(slack)
    await slack.event(message_event(SHARED, CUSTOMER, AGAIN))
    await wait_for(
        lambda: [t for t in thread_texts(slack, root) if "New message" in t], what="the joining line"
    )
    draft = next(
        m["ts"]
        for m in slack.api.messages[ALERTS]
        if "Draft reply" in (m["text"] or "") or "Recommended" in (m["text"] or "")
    )

    await slack.event(delete_event(original))

    note = CHANGE_NOTES["deleted"]
    await wait_for(lambda: note in thread_texts(slack, root), what="the thread saying a message was deleted")
    alert = slack.alerts()[0]
    assert alert.status in ("open", "acknowledged") and alert.message_count == 1
    assert alert.message_id == slack.messages()[1].id
    # The draft answered the deleted words: taken back, and a new one answers the message left.
    await wait_for(lambda: draft in [ts for _, ts in slack.api.deleted], what="the old draft deleted")
    await wait_for(
        lambda: [
            m
            for m in slack.api.messages[ALERTS]
            if m.get("thread_ts") == root and m["ts"] != draft and "Recommended" in (m["text"] or "")
        ],
        what="a new draft",
    )
    card = json.dumps(slack.api.calls_to("chat.update")[-1].args)
    assert "Still no answer" in card and "waiting three days" not in card
    assert root not in [ts for _, ts in slack.api.deleted]  # the card stays


async def test_teams_an_edit_into_praise_resolves_the_alert_and_a_deletion_takes_back_the_posts(teams):
    await teams.set_up()
    root, draft, activity = await teams.alert_posted(TEAMS_ESCALATION)

    response = await teams.send(teams.connector.edit(TEAMS_SHARED, TEAMS_CUSTOMER, activity["id"], PRAISE))
    assert response.status in (200, 201)

    note = CHANGE_NOTES["resolved"]
    await wait_for(
        lambda: [p for p in teams.connector.posts(TEAMS_ALERTS, "reply") if note in p.everything],
        what="the thread saying the alert was resolved",
    )
    assert teams.alerts()[0].status == "resolved"
    updated = [p for p in teams.connector.posts(TEAMS_ALERTS, "update") if p.id == root.id]
    assert updated and TEAMS_ESCALATION[:40] not in updated[-1].everything


async def test_teams_deleting_the_only_message_takes_back_the_card_and_its_draft(teams):
    await teams.set_up()
    root, draft, activity = await teams.alert_posted(TEAMS_ESCALATION)

    response = await teams.send(teams.connector.delete(TEAMS_SHARED, TEAMS_CUSTOMER, activity["id"]))
    assert response.status in (200, 201)

    await wait_for(
        lambda: {root.id, draft.id} <= {p.id for p in teams.connector.posts(TEAMS_ALERTS, "delete")},
        what="the card and draft deleted",
    )
    assert teams.alerts()[0].status == "resolved"
    assert teams.messages()[0].text is None


async def test_teams_an_edit_that_stays_negative_refreshes_the_card_and_says_so(teams):
    await teams.set_up()
    root, _draft, activity = await teams.alert_posted(TEAMS_ESCALATION)

    await teams.send(teams.connector.edit(TEAMS_SHARED, TEAMS_CUSTOMER, activity["id"], STILL_ANGRY))

    note = CHANGE_NOTES["edit"]
    await wait_for(
        lambda: [p for p in teams.connector.posts(TEAMS_ALERTS, "reply") if note in p.everything],
        what="the thread saying the message was edited",
    )
    updated = [p for p in teams.connector.posts(TEAMS_ALERTS, "update") if p.id == root.id]
    assert updated and "failed again overnight" in updated[-1].everything
    assert teams.alerts()[0].status == "open"
