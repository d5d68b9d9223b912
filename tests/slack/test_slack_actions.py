"""The alert's buttons and modals, as block_actions and view_submission payloads from Slack."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from handlers.slack.blocks import ACK, CORRECTION_VIEW, DRAFT_VIEW, NOT_ACCURATE, SNOOZE, USE_DRAFT
from storage.db import session_scope
from storage.models import Correction
from storage.types import utcnow
from tests.fakes.slack_api import rate_limited
from tests.support.slack_requests import (
    ALERTS,
    CUSTOMER,
    SHARED,
    STAFF,
    action_payload,
    message_event,
    submission_payload,
    wait_for,
)

#: The `slack` and `slack_api` fixtures (a running Tonewatch, the Slack stand-in).
pytest_plugins = ("tests.support.slack_fixtures",)


async def posted_alert(slack) -> int:
    slack.set_up()
    await slack.alert_posted()
    return slack.alerts()[0].id


async def test_acknowledge_records_it_and_shows_who_in_the_alert(slack):
    alert_id = await posted_alert(slack)
    response = await slack.interact(action_payload(ACK, STAFF, value=str(alert_id)))
    assert response.status == 200
    assert slack.alerts()[0].status == "acknowledged"
    update = await wait_for(lambda: slack.api.calls_to("chat.update"))
    assert update[0].channel == ALERTS and update[0].args["ts"] == slack.api.messages[ALERTS][0]["ts"]
    assert f"Acknowledged by <@{STAFF}>" in update[0].blocks_text


async def test_snooze_for_a_day(slack):
    alert_id = await posted_alert(slack)
    await slack.interact(action_payload(SNOOZE, STAFF, selected=f"{alert_id}:1d"))
    alert = slack.alerts()[0]
    assert alert.status == "snoozed"
    assert abs(alert.snoozed_until - (utcnow() + timedelta(days=1))) < timedelta(minutes=1)
    update = await wait_for(lambda: slack.api.calls_to("chat.update"))
    assert "Snoozed by" in update[0].blocks_text


async def test_not_accurate_opens_a_modal_whose_submit_stores_a_correction(slack):
    alert_id = await posted_alert(slack)
    await slack.interact(action_payload(NOT_ACCURATE, STAFF, value=str(alert_id)))
    opened = await wait_for(lambda: slack.api.calls_to("views.open"))
    view = opened[0].json_arg("view")
    assert view["callback_id"] == CORRECTION_VIEW and view["private_metadata"] == str(alert_id)
    assert {block.get("block_id") for block in view["blocks"]} >= {"label", "urgency", "emotions", "note"}

    values = {
        "label": {"value": {"type": "static_select", "selected_option": {"value": "neutral"}}},
        "urgency": {"value": {"type": "static_select", "selected_option": {"value": "low"}}},
        "emotions": {"value": {"type": "multi_static_select", "selected_options": [{"value": "confusion"}]}},
        "note": {"value": {"type": "plain_text_input", "value": "They were joking"}},
    }
    response = await slack.interact(submission_payload(CORRECTION_VIEW, STAFF, str(alert_id), values))
    assert response.status == 200 and (await response.text()) == ""  # the modal closes
    with session_scope(slack.core.engine) as session:
        corrections = session.exec(select(Correction)).all()
    assert [(c.alert_id, c.label, c.urgency, c.emotions, c.note, c.corrected_by) for c in corrections] == [
        (alert_id, "neutral", "low", ["confusion"], "They were joking", f"slack:{STAFF}")
    ]
    assert corrections[0].message_id == slack.messages()[0].id
    note = await wait_for(lambda: [c for c in slack.api.posts(ALERTS) if "not accurate" in c.text])
    assert note[0].args["thread_ts"] == slack.api.messages[ALERTS][0]["ts"]


async def test_use_draft_posts_only_what_the_person_submits_in_the_customers_thread(slack):
    alert_id = await posted_alert(slack)
    customer_message = slack.messages()[0]
    assert not slack.api.posts(SHARED)  # nothing goes to the customer until someone submits

    await slack.interact(action_payload(USE_DRAFT, STAFF, value=str(alert_id)))
    opened = await wait_for(lambda: slack.api.calls_to("views.open"))
    view = opened[0].json_arg("view")
    assert view["callback_id"] == DRAFT_VIEW
    draft_input = next(b for b in view["blocks"] if b.get("block_id") == "draft")
    assert draft_input["element"]["initial_value"].startswith("Hi")  # prefilled with the analysis' draft
    assert not slack.api.posts(SHARED)  # opening the modal sends nothing

    edited = "Maria, I'm sorry. I'll call you today at 3pm with a dated fix plan. — Sam"
    slack.api.allow_customer_reply(edited)
    values = {"draft": {"text": {"type": "plain_text_input", "value": edited}}}
    response = await slack.interact(submission_payload(DRAFT_VIEW, STAFF, str(alert_id), values))
    assert response.status == 200 and (await response.text()) == ""
    sent = slack.api.posts(SHARED)
    assert [(c.text, c.args["thread_ts"]) for c in sent] == [(edited, customer_message.external_id)]
    reply = [m for m in slack.messages() if not m.is_customer]
    assert [(r.text, r.thread_key, r.place_key) for r in reply] == [
        (edited, customer_message.thread_key, SHARED)
    ]
    assert slack.alerts()[0].status == "acknowledged"
    await wait_for(lambda: [c for c in slack.api.posts(ALERTS) if "sent a reply" in c.text])


async def test_a_reply_slack_refuses_keeps_the_modal_open_and_sends_nothing(slack):
    alert_id = await posted_alert(slack)
    slack.api.enqueue("chat.postMessage", rate_limited(retry_after=30))
    values = {"draft": {"text": {"type": "plain_text_input", "value": "Sorry about this."}}}
    response = await slack.interact(submission_payload(DRAFT_VIEW, STAFF, str(alert_id), values))
    body = await response.json()
    assert body["response_action"] == "errors" and "ratelimited" in body["errors"]["draft"]
    assert [m.is_customer for m in slack.messages()] == [True]  # no reply recorded


async def test_buttons_and_modals_do_nothing_for_people_outside_the_team(slack):
    alert_id = await posted_alert(slack)
    await slack.interact(action_payload(ACK, CUSTOMER, value=str(alert_id)))
    await slack.interact(action_payload(USE_DRAFT, CUSTOMER, value=str(alert_id)))
    values = {"draft": {"text": {"type": "plain_text_input", "value": "from outside"}}}
    response = await slack.interact(submission_payload(DRAFT_VIEW, CUSTOMER, str(alert_id), values))
    assert (await response.json())["response_action"] == "errors"
    assert slack.alerts()[0].status == "open"
    assert not slack.api.calls_to("views.open") and not slack.api.posts(SHARED)


async def test_a_message_joining_the_alert_updates_it_and_adds_a_thread_line(slack):
    await posted_alert(slack)
    again = "Still waiting. The integration failed again this morning and we are reconsidering the renewal."
    await slack.event(message_event(SHARED, CUSTOMER, again))
    update = await wait_for(lambda: slack.api.calls_to("chat.update"), what="the alert updated")
    # The card keeps the message that opened the alert, with the count; the thread shows the new one.
    assert "2 messages" in update[0].blocks_text and "failed again this morning" not in update[0].blocks_text
    assert "waiting three days" in update[0].blocks_text
    root_ts = slack.api.messages[ALERTS][0]["ts"]
    line = await wait_for(
        lambda: [c for c in slack.api.posts(ALERTS) if "New message on this issue" in c.text]
    )
    assert line[0].args["thread_ts"] == root_ts and "failed again this morning" in line[0].text
    assert len([c for c in slack.api.posts(ALERTS) if not c.args.get("thread_ts")]) == 1  # no second alert
