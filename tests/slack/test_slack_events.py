"""Listening: customer messages stored before the ack, analyzed by the worker, alerted internally."""

from __future__ import annotations

import json
import time

import pytest
from sqlmodel import select

from bot.analysis.base import AnalysisOutcome, AnalysisRequest, Analyzer
from handlers.slack.blocks import REFUSAL
from storage.db import session_scope
from storage.models import Account, Analysis
from tests.support.slack_requests import (
    ALERTS,
    CUSTOMER,
    ESCALATION,
    GUEST,
    PLAIN,
    SHARED,
    STAFF,
    event_body,
    message_event,
    signed_headers,
    wait_for,
)

#: The `slack` and `slack_api` fixtures (a running Tonewatch, the Slack stand-in).
pytest_plugins = ("tests.support.slack_fixtures",)


class RecordingAnalyzer(Analyzer):
    """The real analyzer, with the requests it was given kept for the test to read."""

    name = "offline"

    def __init__(self, inner: Analyzer) -> None:
        self.inner = inner
        self.requests: list[AnalysisRequest] = []

    async def analyze(self, request: AnalysisRequest) -> AnalysisOutcome:
        self.requests.append(request)
        return await self.inner.analyze(request)


async def test_a_customer_message_is_stored_before_the_ack_then_alerted_with_the_draft_in_its_thread(slack):
    slack.set_up()
    response = await slack.event(message_event(SHARED, CUSTOMER, ESCALATION))
    assert response.status == 200
    # Slack got its 200 only after the message was in the database.
    stored = slack.messages()
    assert [(m.text, m.is_customer, m.place_key) for m in stored] == [(ESCALATION, True, SHARED)]

    root, thread = await slack.posted_alert()
    assert "Critical" in root.text and "Acme Corp" in root.text
    shown = root.blocks_text
    assert "reconsidering our renewal" in shown  # the customer's words, quoted
    assert "churn risk" in shown and "urgency *HIGH*" in shown and "confidence" in shown
    assert "Why: " in shown and "View message" in shown  # evidence phrases and the permalink
    assert slack.api.calls_to("chat.getPermalink")[0].args["message_ts"] == stored[0].external_id
    assert thread.args["thread_ts"] == slack.api.messages[ALERTS][0]["ts"]
    assert "Draft reply" in thread.blocks_text and "Recommended" in thread.blocks_text
    assert not slack.api.posts(SHARED)  # nothing about the customer goes where the customer reads
    assert [a.post_channel for a in slack.alerts()] == [ALERTS]


async def test_a_redelivery_stores_one_message_and_posts_one_alert(slack):
    slack.set_up()
    event = message_event(SHARED, CUSTOMER, ESCALATION)
    first = await slack.event(event, event_id="EvSAME")
    retry = await slack.event(event, event_id="EvSAME", retry=1)
    # Slack can also deliver the same message under another envelope: the unique key holds.
    other_envelope = await slack.event(event, event_id="EvOTHER")
    assert (first.status, retry.status, other_envelope.status) == (200, 200, 200)
    await wait_for(lambda: len(slack.api.posts(ALERTS)) >= 2, what="alert and thread")
    await slack.runtime.worker.run_once()  # anything still queued has run
    assert len(slack.messages()) == 1 and len(slack.alerts()) == 1
    roots = [c for c in slack.api.posts(ALERTS) if not c.args.get("thread_ts")]
    assert len(roots) == 1
    metrics = slack.core.telemetry.registry.get_sample_value
    assert metrics("tonewatch_duplicate_deliveries_total", {"platform": "slack"}) == 2


async def test_a_bad_signature_or_a_stale_timestamp_is_refused_and_nothing_is_stored(slack):
    slack.set_up()
    body = json.dumps(event_body(message_event(SHARED, CUSTOMER, ESCALATION)))
    forged = signed_headers(body, "application/json", secret="not-the-secret")
    stale = signed_headers(body, "application/json", timestamp=int(time.time()) - 10 * 60)
    for headers in (forged, stale, {"Content-Type": "application/json"}):
        response = await slack.http.post("/slack/events", data=body.encode(), headers=headers)
        assert response.status == 401
    assert slack.messages() == []
    rejected = slack.core.telemetry.registry.get_sample_value(
        "tonewatch_requests_rejected_total", {"path": "/slack/events", "reason": "signature"}
    )
    assert rejected == 3


async def test_staff_replies_are_stored_unscored_so_the_bot_knows_the_customer_was_answered(slack):
    slack.set_up()
    root = message_event(SHARED, CUSTOMER, "Quick question about invoices")
    await slack.event(root)
    await slack.event(message_event(SHARED, STAFF, "On it, Maria!", thread_ts=root["ts"]))
    stored = {m.author: m for m in slack.messages()}
    staff = stored["sam"]
    assert not staff.is_customer and staff.status == "skipped" and staff.thread_key == root["ts"]
    assert stored["maria"].is_customer


async def test_a_me_message_is_the_customer_writing_and_is_stored(slack):
    slack.set_up()
    text = "is still waiting on the export fix"
    await slack.event(message_event(SHARED, CUSTOMER, text, subtype="me_message"))
    await wait_for(lambda: [m.status for m in slack.messages()] == ["analyzed"], what="the /me analyzed")
    [stored] = slack.messages()
    assert stored.is_customer and stored.text == text


async def test_bots_our_own_posts_joins_and_other_noise_are_ignored(slack):
    slack.set_up()
    noise = [
        message_event(SHARED, "U_OTHERBOT", "Deploy finished", bot_id="B_OTHER"),
        message_event(SHARED, "U_BOT", "our own post"),
        message_event(SHARED, CUSTOMER, "<@U_MARIA> has joined the channel", subtype="channel_join"),
        message_event(SHARED, CUSTOMER, "set the topic", subtype="channel_topic"),
        message_event(SHARED, CUSTOMER, "", subtype="file_share"),
    ]
    for event in noise:
        assert (await slack.event(event)).status == 200
    await slack.event(message_event("C_UNWATCHED", CUSTOMER, "not a watched channel"))
    assert slack.messages() == []


async def test_an_edit_is_analyzed_again_and_a_delete_erases_the_text(slack):
    slack.set_up()
    original = message_event(SHARED, CUSTOMER, "Thanks, all good here")
    await slack.event(original)
    await wait_for(lambda: slack.messages()[0].status == "analyzed", what="first analysis")
    edited = {**original, "text": "Actually this is broken again and nobody answers. Very frustrating."}
    await slack.event(
        {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": SHARED,
            "ts": "1.1",
            "message": {**edited, "edited": {"user": CUSTOMER}},
            "previous_message": original,
        }
    )
    await wait_for(
        lambda: slack.messages()[0].status == "analyzed" and slack.messages()[0].label == "negative",
        what="the edit analyzed",
    )
    with session_scope(slack.core.engine) as session:
        assert len(session.exec(select(Analysis)).all()) == 2
    assert slack.messages()[0].text == edited["text"]

    await slack.event(
        {
            "type": "message",
            "subtype": "message_deleted",
            "hidden": True,
            "channel": SHARED,
            "ts": "1.2",
            "deleted_ts": original["ts"],
            "previous_message": edited,
        }
    )
    erased = slack.messages()[0]
    assert erased.text is None and erased.status == "deleted"


async def test_a_link_unfurl_is_not_an_edit(slack):
    slack.set_up()
    original = message_event(SHARED, CUSTOMER, "See https://acme.test/status")
    await slack.event(original)
    await wait_for(lambda: slack.messages()[0].status == "analyzed")
    await slack.event(
        {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": SHARED,
            "ts": "1.3",
            "message": {**original, "attachments": [{"title": "Status"}]},
            "previous_message": original,
        }
    )
    await slack.runtime.worker.run_once()
    with session_scope(slack.core.engine) as session:
        assert len(session.exec(select(Analysis)).all()) == 1


async def test_earlier_thread_messages_go_to_the_analyzer_as_context(slack):
    slack.set_up()
    recorder = RecordingAnalyzer(slack.core.pipeline.analyzer)
    slack.core.pipeline.analyzer = recorder
    root = message_event(SHARED, CUSTOMER, "The nightly export failed again.")
    await slack.event(root)
    await wait_for(lambda: len(recorder.requests) == 1)
    await slack.event(message_event(SHARED, STAFF, "Looking into it now.", thread_ts=root["ts"]))
    await slack.event(message_event(SHARED, CUSTOMER, "Any news?", thread_ts=root["ts"]))
    await wait_for(lambda: len(recorder.requests) == 2, what="the reply analyzed")
    assert recorder.requests[1].text == "Any news?"
    assert recorder.requests[1].context == ("The nightly export failed again.", "Looking into it now.")


async def test_in_a_plain_channel_guests_and_the_accounts_email_domains_are_the_customer(slack):
    slack.core.places.watch("slack", PLAIN, "initech", "Initech", is_external=True)
    with session_scope(slack.core.engine) as session:
        account = session.exec(select(Account).where(Account.name == "Initech")).one()
        account.domains = "initech.test"
        session.add(account)
    for user in (GUEST, "U_BOB", STAFF):
        await slack.event(message_event(PLAIN, user, f"hello from {user}"))
    customer = {m.author: m.is_customer for m in slack.messages()}
    assert customer == {"pat": True, "bob": True, "sam": False}


async def test_in_slack_connect_the_events_team_decides_when_users_info_fails(slack):
    from tests.fakes.slack_api import api_error

    slack.set_up()
    slack.api.enqueue("users.info", api_error("ratelimited"))
    await slack.event(message_event(SHARED, CUSTOMER, "Hello?", user_team="T_ACME"))
    assert [m.is_customer for m in slack.messages()] == [True]


async def test_people_are_looked_up_once_not_per_message(slack):
    slack.set_up()
    for n in range(3):
        await slack.event(message_event(SHARED, CUSTOMER, f"message {n}"))
    assert len(slack.messages()) == 3
    assert len([c for c in slack.api.calls_to("users.info") if c.args["user"] == CUSTOMER]) == 1


async def test_external_people_who_mention_the_bot_get_only_a_polite_refusal(slack):
    slack.set_up()
    slack.api.refusals.add(REFUSAL)
    mention = message_event(SHARED, CUSTOMER, "<@U_BOT> how are we doing?")
    response = await slack.event({**mention, "type": "app_mention"})
    assert response.status == 200
    ephemeral = await wait_for(lambda: slack.api.calls_to("chat.postEphemeral"))
    assert ephemeral[0].args["user"] == CUSTOMER and ephemeral[0].text == REFUSAL
    assert not slack.api.posts()


async def test_staff_who_mention_the_bot_in_a_shared_channel_get_an_answer_only_they_see(slack):
    slack.set_up()
    mention = message_event(SHARED, STAFF, "<@U_BOT> help")
    await slack.event({**mention, "type": "app_mention"})
    ephemeral = await wait_for(lambda: slack.api.calls_to("chat.postEphemeral"))
    assert ephemeral[0].args["user"] == STAFF and "/tonewatch watch" in ephemeral[0].text
    assert not slack.api.posts(SHARED)


async def test_a_dm_from_staff_is_answered_and_a_dm_from_a_customer_is_refused(slack):
    slack.api.channels["D_SAM"] = {"id": "D_SAM", "is_im": True, "user": STAFF}
    slack.api.channels["D_MARIA"] = {"id": "D_MARIA", "is_im": True, "user": CUSTOMER}
    slack.api.refusals.add(REFUSAL)
    await slack.event(message_event("D_SAM", STAFF, "what can you do?"))
    await slack.event(message_event("D_MARIA", CUSTOMER, "what can you do?"))
    answer = await wait_for(lambda: slack.api.posts("D_SAM"))
    assert "/tonewatch" in answer[0].text
    refusal = await wait_for(lambda: slack.api.calls_to("chat.postEphemeral"))
    assert refusal[0].channel == "D_MARIA" and refusal[0].text == REFUSAL
    assert not slack.api.posts("D_MARIA") and slack.messages() == []


async def test_the_app_home_shows_the_help_to_staff(slack):
    await slack.event({"type": "app_home_opened", "user": STAFF, "channel": "D_SAM", "tab": "home"})
    published = await wait_for(lambda: slack.api.calls_to("views.publish"))
    assert published[0].args["user_id"] == STAFF and "/tonewatch" in published[0].blocks_text


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("[1, 2, 3]", "application/json"),
        ("payload=%7Bbroken", "application/x-www-form-urlencoded"),
    ],
)
async def test_a_signed_but_malformed_body_gets_a_clear_400_and_no_retry(slack, body, content_type):
    response = await slack.post(body, content_type)
    assert response.status == 400 and response.headers.get("X-Slack-No-Retry") == "1"
    assert "malformed request body" in (await response.json())["error"]
    healthy = await slack.http.get("/healthz")
    assert healthy.status == 200  # and the process keeps serving


async def test_an_unsigned_malformed_body_is_refused_as_unsigned(slack):
    response = await slack.http.post(
        "/slack/events", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status == 401


async def test_odd_customer_texts_are_stored_and_handled_without_a_crash(slack):
    slack.set_up()
    texts = ["😡😡😡", "x" * 40_000, "Das ist wirklich schlecht, nichts funktioniert!"]
    for text in texts:
        assert (await slack.event(message_event(SHARED, CUSTOMER, text))).status == 200
    def handled():
        messages = slack.messages()
        return messages if len(messages) == 3 and all(m.status != "pending" for m in messages) else None

    stored = await wait_for(handled, timeout=15, what="all three handled")
    by_text = {m.text[:10]: m for m in stored}
    assert by_text["😡😡😡"].label == "negative"
    assert by_text["x" * 10].status == "invalid"  # stored, and marked: too long to analyze
    assert by_text["Das ist wi"].label == "negative" and by_text["Das ist wi"].language == "de"
