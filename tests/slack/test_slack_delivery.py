"""Posting alerts in Slack: rate limits, fail-closed audience checks, Block Kit limits, images and DMs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.alerts.service import AlertCard
from bot.outbound.port import NotInternal
from handlers.slack.blocks import MAX_BLOCKS, MAX_SECTION, alert_blocks, fallback_text, thread_blocks
from storage.db import session_scope
from storage.models import WorkItem
from tests.fakes.slack_api import api_error, rate_limited, server_error
from tests.support.slack_requests import (
    ALERTS,
    CUSTOMER,
    ESCALATION,
    GUEST,
    SHARED,
    STAFF,
    message_event,
    wait_for,
)

#: The `slack` and `slack_api` fixtures (a running Tonewatch, the Slack stand-in).
pytest_plugins = ("tests.support.slack_fixtures",)


def work_items(slack, kind: str) -> list[WorkItem]:
    with session_scope(slack.core.engine) as session:
        return list(session.exec(select(WorkItem).where(WorkItem.kind == kind)).all())


async def test_a_rate_limited_post_is_retried_after_retry_after_and_posted_once(slack):
    slack.set_up()
    slack.api.enqueue("chat.postMessage", rate_limited(retry_after=0))
    root, thread = await slack.alert_posted()
    attempts = [c for c in slack.api.calls_to("chat.postMessage") if not c.args.get("thread_ts")]
    assert [c.ok for c in attempts] == [False, True]  # the 429, then the retry
    assert len(slack.api.messages[ALERTS]) == 2  # one alert and its thread reply, nothing doubled
    assert slack.alerts()[0].post_ref == slack.api.messages[ALERTS][0]["ts"]


async def test_a_server_error_is_retried(slack):
    slack.set_up()
    slack.api.enqueue("chat.postMessage", server_error(500))
    await slack.alert_posted()
    assert len([c for c in slack.api.posts(ALERTS) if not c.args.get("thread_ts")]) == 2
    assert len(slack.api.messages[ALERTS]) == 2


async def test_when_the_audience_check_fails_nothing_is_posted_and_the_alert_waits(slack):
    slack.set_up()
    slack.api.enqueue("conversations.info", *[api_error("fatal_error")] * 3)
    await slack.event(message_event(SHARED, CUSTOMER, ESCALATION))
    failed = await wait_for(
        lambda: [w for w in work_items(slack, "post_alert") if w.last_error], what="the post to fail"
    )
    assert "AudienceUnknown" in failed[0].last_error and failed[0].status == "pending"  # retried later
    assert not slack.api.posts()
    assert slack.core.places.alert_channel("slack") is not None  # no answer is not "customers can read it"


async def test_an_alert_channel_shared_since_it_was_chosen_gets_nothing(slack):
    slack.set_up()
    slack.api.set_external(ALERTS, True)  # shared a moment ago; no channel_shared event seen yet
    await slack.event(message_event(SHARED, CUSTOMER, ESCALATION))
    await wait_for(lambda: [w for w in work_items(slack, "post_alert") if w.last_error])
    assert not slack.api.posts()
    assert slack.core.places.alert_channel("slack") is None  # it lost its role


async def test_the_channel_shared_event_takes_the_alert_role_away_at_once(slack):
    slack.set_up()
    await slack.event({"type": "channel_shared", "channel": ALERTS, "connected_team_id": "T_ACME"})
    assert slack.core.places.alert_channel("slack") is None
    assert slack.core.places.get("slack", ALERTS).is_external


async def test_a_guest_joining_the_alert_channel_makes_it_external(slack):
    slack.set_up()
    slack.api.members[ALERTS].append(GUEST)
    await slack.event(
        {"type": "member_joined_channel", "channel": ALERTS, "user": GUEST, "channel_type": "C"}
    )
    await wait_for(lambda: slack.core.places.alert_channel("slack") is None, what="the alert role dropped")


def huge_card() -> AlertCard:
    return AlertCard(
        alert_id=7,
        account="Acme <Corp> & Sons",
        light="red",
        severity="critical",
        message_count=3,
        status="open",
        quote="x" * 5000,
        score=-0.9,
        intensity="strong",
        emotions=["anger", "frustration"],
        urgency="high",
        concerns=["reliability"] * 40,
        churn_risk=True,
        competitor_mentioned=True,
        expansion=False,
        confidence=0.9,
        evidence=["phrase " * 100] * 30,
        reasons=["angry"],
        recommended_response="Call them. " * 500,
        draft_reply=("A long paragraph of apology and plan. " * 60 + "\n") * 40,
        owner="sam",
        source_platform="slack",
        source_place=SHARED,
        source_external_id="1.0",
        source_kind="chat",
        author="maria",
        created_at=datetime(2026, 11, 20, tzinfo=UTC),
        reply_due=datetime(2026, 11, 21, tzinfo=UTC),
    )


def sections(blocks: list[dict]) -> list[str]:
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    texts += [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    return texts


def test_block_kit_limits_hold_for_the_longest_alert():
    card = huge_card()
    for blocks in (alert_blocks(card, "https://x.test/p1"), thread_blocks(card)):
        assert 0 < len(blocks) <= MAX_BLOCKS
        assert all(len(text) <= MAX_SECTION for text in sections(blocks))
    assert sections(thread_blocks(card))[-1].endswith("…")  # a 90 000-character draft is cut, not rejected
    assert 0 < len(fallback_text(card)) <= 3000
    assert "Acme &lt;Corp&gt; &amp; Sons" in sections(alert_blocks(card, None))[0]  # escaped, not markup
    quiet = replace(card, draft_reply="", recommended_response="")
    assert "Use draft" not in str(alert_blocks(quiet, None)) and thread_blocks(quiet)


async def test_charts_go_up_with_the_files_v2_steps_and_only_to_internal_channels(slack):
    poster = slack.runtime.posters["slack"]
    await poster.upload_image(ALERTS, b"\x89PNG fake", "trend.png", "Acme trend")
    steps = [c.method for c in slack.api.calls if c.method.startswith("files.") or c.method == "upload"]
    assert steps == ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]
    assert slack.api.uploads == [b"\x89PNG fake"]
    assert slack.api.calls_to("files.completeUploadExternal")[0].args["channel_id"] == ALERTS
    with pytest.raises(NotInternal):
        await poster.upload_image(SHARED, b"\x89PNG fake", "trend.png", "Acme trend")
    assert len(slack.api.uploads) == 1


async def test_direct_messages_go_to_staff_and_never_to_guests(slack):
    poster = slack.runtime.posters["slack"]
    await poster.post_to_user(STAFF, "Your Monday digest is ready")
    assert [c.text for c in slack.api.posts(f"D_{STAFF}")] == ["Your Monday digest is ready"]
    with pytest.raises(NotInternal):
        await poster.post_to_user(GUEST, "internal numbers")
    assert not slack.api.posts(f"D_{GUEST}")


async def test_every_guarded_post_refuses_a_channel_customers_can_read(slack):
    poster = slack.runtime.posters["slack"]
    for post in (
        poster.post_message(SHARED, "Acme is red"),
        poster.update_message(SHARED, "1.0", "Acme is red", []),
        poster.post_alert(SHARED, huge_card()),
    ):
        with pytest.raises(NotInternal):
            await post
    assert not slack.api.calls_to("chat.postMessage") and not slack.api.calls_to("chat.update")


async def test_the_stand_in_catches_an_internal_post_in_a_shared_channel(slack):
    """The teardown check is real: a post that skipped the guard is reported."""
    client = slack.deps.clients.app_client
    await client.chat_postMessage(channel=SHARED, text="Acme: churn risk, score -0.8")
    assert slack.api.violations() == ["chat.postMessage to C_ACME: 'Acme: churn risk, score -0.8'"]
    slack.api.calls.clear()  # so this test's own teardown check passes


async def test_the_alert_shows_the_accounts_light_from_its_health(slack):
    slack.set_up()
    root, _thread = await slack.alert_posted()
    header = root.blocks_text
    assert any(f"*Acme Corp* ({light})" in header for light in ("green", "yellow", "red")), header


async def test_a_message_joining_while_the_alert_post_is_in_flight_still_shows_in_its_thread(
    slack, monkeypatch
):
    """The joining message's update waits for the post (retried) instead of finding no post and stopping."""
    import bot.runtime.worker
    from storage.queue import backoff

    monkeypatch.setattr(bot.runtime.worker, "backoff", lambda attempts: backoff(attempts, base_seconds=0.01))
    slack.set_up()
    slack.api.hold("chat.postMessage")
    await slack.event(message_event(SHARED, CUSTOMER, ESCALATION))
    await wait_for(lambda: slack.api.calls_to("chat.postMessage"), what="the alert post to be in flight")
    second = "Still no answer. We are seriously reconsidering our renewal if reliability doesn't improve."
    await slack.event(message_event(SHARED, CUSTOMER, second))
    await wait_for(
        lambda: [w for w in work_items(slack, "update_alert") if w.last_error],
        what="the joining message's update to wait for the post",
    )
    slack.api.release("chat.postMessage")
    await wait_for(lambda: slack.api.calls_to("chat.update"), what="the alert card to be updated")
    await wait_for(
        lambda: [c for c in slack.api.posts(ALERTS) if c.ok and "Still no answer" in str(c.args)],
        what="the joining message's line in the alert's thread",
    )
    assert slack.alerts()[0].message_count == 2
    roots = [c for c in slack.api.posts(ALERTS) if c.ok and not c.args.get("thread_ts")]
    assert len(roots) == 1


async def test_in_a_burst_only_the_newest_queued_update_of_an_alert_posts(slack):
    """Fifty messages on one issue make one refreshed card with the count and one thread line that
    quotes each of them, not fifty lines; the card keeps the message that opened the alert."""
    from datetime import timedelta

    from bot.alerts.service import UPDATE_ALERT
    from storage.alert_members import add_member
    from storage.inbound import InboundMessage
    from storage.queue import enqueue
    from storage.types import utcnow

    slack.set_up()
    await slack.alert_posted()
    [alert] = slack.alerts()
    # Two more messages whose updates are queued but not yet due (the running worker leaves them alone).
    older, newer = (
        slack.core.pipeline.store(
            InboundMessage(
                platform="slack", external_id=f"1763900100.00000{n}", text=text, place_key=SHARED,
                created_at=datetime(2026, 11, 23, 10, n, tzinfo=UTC), account="Acme Corp", is_customer=False,
            )
        ).id
        for n, text in ((1, "first of the burst"), (2, "newest of the burst"))
    )
    later = utcnow() + timedelta(hours=1)
    with session_scope(slack.core.engine) as session:
        for message_id in (older, newer):
            add_member(session, alert.id, message_id)  # both joined the alert
            enqueue(session, UPDATE_ALERT, f"{alert.id}:{message_id}", run_after=later)
    calls_before = len(slack.api.calls)

    await slack.runtime.delivery.update(f"{alert.id}:{older}", attempts=1)
    assert len(slack.api.calls) == calls_before  # the newer update will show the card as it is then

    await slack.runtime.delivery.update(f"{alert.id}:{newer}", attempts=1)
    assert slack.api.calls_to("chat.update")
    lines = [c for c in slack.api.posts(ALERTS) if c.args.get("thread_ts") == alert.post_ref]
    [line] = [c for c in lines if "newest of the burst" in str(c.args)]
    assert "first of the burst" in str(line.args)  # each message that joined is shown
    [card] = slack.api.calls_to("chat.update")[-1:]
    assert "burst" not in str(card.args)  # the card still quotes the message that opened the alert
