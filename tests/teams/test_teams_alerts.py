# ruff: noqa: F811 - the Teams fixtures are imported by name, and tests take them as parameters
"""Alerts in Teams: Adaptive Cards in the internal channel, their buttons, and the audience guard.

Severity, grouping and escalation come from the core (AlertService and
AlertDelivery), as in Slack; these tests check what Teams shows and does.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from storage.db import session_scope
from storage.models import Correction, CustomerMessage
from storage.types import utcnow
from tests.fakes.bot_connector import (  # noqa: F401  (fixtures)
    ALERTS,
    CUSTOMER,
    ESCALATION,
    GUEST,
    SHARED,
    STAFF,
    bot_connector,
    failure,
    teams,
    teams_database_url,
    throttled,
    wait_for,
)

SECOND = (
    "Still no answer on the integration ticket. This keeps failing and we're seriously reconsidering the "
    "renewal; please escalate today."
)


def action(root, title: str) -> dict:
    found = [a for a in root.actions() if a.get("title") == title]
    assert found, f"no {title!r} on the card: {[a.get('title') for a in root.actions()]}"
    return found[0]


def submitted(root, title: str) -> dict:
    """The data a press sends (a ShowCard form's own submit button for the form actions)."""
    chosen = action(root, title)
    if chosen["type"] == "Action.ShowCard":
        return chosen["card"]["actions"][0]["data"]
    return chosen["data"]


async def test_the_alert_card_shows_the_analysis_and_the_thread_holds_the_draft(teams):
    await teams.set_up()
    root, thread, _activity = await teams.alert_posted()
    text = root.everything
    assert "🔴 **Critical** · **Acme Corp**" in text and "acme-shared" in text
    assert "urgency **HIGH**" in text and "churn risk" in text and "reply due {{DATE(" in text
    titles = [a["title"] for a in root.actions()]
    assert titles == [
        "Acknowledge", "Snooze 1 hour", "Snooze 1 day", "Use draft", "Not accurate", "Recovered"
    ]
    draft_form = action(root, "Use draft")["card"]
    assert any(field.get("id") == "draft" and field.get("value") for field in draft_form["body"])
    assert root.activity["summary"].startswith("Critical · Acme Corp")
    assert "**Recommended:**" in thread.everything and "**Draft reply**" in thread.everything


async def test_acknowledge_sets_the_status_and_shows_who_on_the_card(teams):
    await teams.set_up()
    root, _thread, _activity = await teams.alert_posted()
    response = await teams.send(teams.connector.submit(root, STAFF, submitted(root, "Acknowledge")))
    assert response.status == 201
    assert teams.alerts()[0].status == "acknowledged"
    update = await wait_for(lambda: teams.connector.posts(ALERTS, "update"), what="the card update")
    assert update[-1].id == root.id and "✅ Acknowledged by Sam" in update[-1].everything


@pytest.mark.parametrize(("title", "hours"), [("Snooze 1 hour", 1), ("Snooze 1 day", 24)])
async def test_snooze_hides_the_alert_for_an_hour_or_a_day(teams, title, hours):
    await teams.set_up()
    root, _thread, _activity = await teams.alert_posted()
    await teams.send(teams.connector.submit(root, STAFF, submitted(root, title)))
    alert = teams.alerts()[0]
    assert alert.status == "snoozed"
    assert abs(alert.snoozed_until - (utcnow() + timedelta(hours=hours))) < timedelta(minutes=1)
    update = await wait_for(lambda: teams.connector.posts(ALERTS, "update"), what="the card update")
    assert "Snoozed by Sam until {{DATE(" in update[-1].everything


async def test_not_accurate_stores_a_correction_and_notes_it_in_the_thread(teams):
    await teams.set_up()
    root, _thread, _activity = await teams.alert_posted()
    press = teams.connector.submit(
        root,
        STAFF,
        submitted(root, "Not accurate"),
        label="neutral",
        urgency="low",
        emotions="frustration,anger,not-an-emotion",
        note="Sarcastic, they are happy",
    )
    assert (await teams.send(press)).status == 201
    with session_scope(teams.core.engine) as session:
        [correction] = session.exec(select(Correction)).all()
    assert (correction.label, correction.urgency) == ("neutral", "low")
    assert correction.emotions == ["frustration", "anger"] and correction.note == "Sarcastic, they are happy"
    assert correction.alert_id == teams.alerts()[0].id and correction.corrected_by.startswith("teams:")
    note = await wait_for(
        lambda: [p for p in teams.connector.posts(ALERTS, "reply") if "not accurate" in p.everything],
        what="the note",
    )
    assert (
        note[0].thread == root.id
        and "Sam marked this not accurate: neutral, urgency low." in note[0].everything
    )


async def test_use_draft_sends_the_confirmed_reply_to_the_customer_once(teams):
    await teams.set_up()
    root, _thread, activity = await teams.alert_posted()
    reply = "Maria, I'm sorry. I'll call you within the hour."
    teams.connector.allow_customer_reply(reply)
    press = teams.connector.submit(root, STAFF, submitted(root, "Use draft"), draft=reply)
    for _ in range(2):  # Teams redelivers the press: still one reply
        assert (await teams.send(press)).status == 201
    [sent] = teams.connector.posts(SHARED)
    assert (sent.kind, sent.thread, sent.text) == ("reply", activity["id"], reply)
    assert teams.alerts()[0].status == "acknowledged"
    ours = [m for m in teams.messages() if not m.is_customer]
    assert [(m.text, m.author, m.thread_key) for m in ours] == [(reply, "Sam", activity["id"])]
    await wait_for(
        lambda: [p for p in teams.connector.posts(ALERTS, "reply") if "sent a reply" in p.everything],
        what="the note in the alert's thread",
    )


async def test_a_reply_teams_refuses_is_not_counted_as_sent(teams):
    await teams.set_up()
    root, _thread, _activity = await teams.alert_posted()
    await teams.idle()
    teams.connector.enqueue("reply", failure(403))  # the customer reply is the next reply posted
    press = teams.connector.submit(root, STAFF, submitted(root, "Use draft"), draft="We're on it.")
    assert (await teams.send(press)).status == 201
    assert [m for m in teams.messages() if not m.is_customer] == []
    assert teams.alerts()[0].status == "open"
    await wait_for(
        lambda: [p for p in teams.connector.posts(ALERTS, "reply") if "nothing was sent" in p.everything],
        what="the failure note",
    )


async def test_a_second_message_on_the_issue_updates_the_card_and_adds_a_thread_line(teams):
    await teams.set_up()
    root, _thread, _activity = await teams.alert_posted()
    await teams.say(SHARED, CUSTOMER, SECOND)
    line = await wait_for(
        lambda: [
            p for p in teams.connector.posts(ALERTS, "reply") if "New message on this issue" in p.everything
        ],
        what="the thread line",
    )
    assert line[0].thread == root.id and "2 in all" in line[0].everything
    assert [u.id for u in teams.connector.posts(ALERTS, "update")] == [root.id]
    assert len(teams.alert_cards()) == 1 and teams.alerts()[0].message_count == 2


async def test_bot_connector_calls_reuse_their_connections_across_turns(teams):
    """Each post opens its own proactive turn (roster check, then the post); the turns share one
    client per service URL, so the calls share connections instead of opening one each."""
    await teams.set_up()
    await teams.alert_posted()
    await teams.say(SHARED, CUSTOMER, SECOND)
    await wait_for(lambda: teams.connector.posts(ALERTS, "update"), what="the card's update")
    calls = len(teams.connector.peers)
    assert calls >= 8  # roster lookups, the card, its thread reply, the update and its line
    connections = len(set(teams.connector.peers))
    # One connection per turn would be about two thirds of the calls (11 of 17 before the clients were
    # kept); kept clients need a few, more only while calls overlap.
    assert connections <= calls // 3, f"{connections} connections for {calls} calls"


async def test_nothing_is_posted_once_the_alert_channel_has_a_guest(teams):
    await teams.set_up()
    await teams.idle()
    teams.connector.add_member(ALERTS, GUEST)
    await teams.say(SHARED, CUSTOMER, ESCALATION)
    await wait_for(
        lambda: teams.core.places.get("teams", ALERTS).is_external, what="the channel marked external"
    )
    assert not teams.core.places.get("teams", ALERTS).is_alert_channel
    assert teams.alert_cards() == []
    assert teams.alerts()[0].post_ref is None  # kept for the digest, never shown to the guest


async def test_a_press_from_outside_the_team_changes_nothing(teams):
    await teams.set_up()
    root, _thread, _activity = await teams.alert_posted()
    await teams.idle()
    teams.connector.add_member(ALERTS, GUEST)
    assert (
        await teams.send(teams.connector.submit(root, GUEST, submitted(root, "Acknowledge")))
    ).status == 201
    await teams.idle()
    assert teams.alerts()[0].status == "open"
    assert teams.connector.posts(ALERTS, "update") == []


async def test_a_throttled_post_is_retried_after_retry_after(teams):
    await teams.set_up()
    await teams.idle()
    teams.connector.enqueue("create", throttled(0))
    await teams.say(SHARED, CUSTOMER, ESCALATION)
    await teams.posted_alert()
    attempts = [r for r in teams.connector.requests if r[1] == "/v3/conversations" and r[0] == "POST"]
    assert len(attempts) >= 2 and len(teams.alert_cards()) == 1


async def test_the_draft_reply_is_stored_only_in_its_own_place(teams):
    """A staff reply recorded for an alert is Teams', in the customer's channel (the SLA sees it answered)."""
    await teams.set_up()
    root, _thread, _activity = await teams.alert_posted()
    teams.connector.allow_customer_reply("Thanks Maria")
    await teams.send(teams.connector.submit(root, STAFF, submitted(root, "Use draft"), draft="Thanks Maria"))
    with session_scope(teams.core.engine) as session:
        ours = session.exec(select(CustomerMessage).where(CustomerMessage.is_customer == False)).all()  # noqa: E712
        assert [(m.platform, m.place_key, m.status) for m in ours] == [("teams", SHARED, "skipped")]
