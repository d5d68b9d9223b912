"""The check every Slack and Teams test ends with, shown to catch what it must.

`FakeSlackAPI.violations()` (bot/demo/slack_standin.py) and
`FakeBotConnector.violations()` (tests/fakes/bot_connector.py) list internal
content that reached a place a customer can read; the `slack_api` and
`bot_connector` fixtures fail any test where the list is not empty. Here the
stand-ins are driven directly (real slack_sdk client, plain HTTP for the
Bot Connector) and outside those fixtures, so each violation can be looked at
instead of failing the test.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack.blocks import REFUSAL
from tests.fakes.bot_connector import ALERTS as TEAMS_ALERTS
from tests.fakes.bot_connector import SHARED as TEAMS_SHARED
from tests.fakes.bot_connector import STAFF as TEAMS_STAFF
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.bot_connector import populate as populate_teams
from tests.fakes.slack_api import FakeSlackAPI
from tests.support.slack_requests import ALERTS, CUSTOMER, SHARED, STAFF, populate

ALERT_BLOCKS = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "*Acme Corp* (red) · score -0.8, churn risk"}}
]


@pytest.fixture
def unguarded_slack() -> Iterator[FakeSlackAPI]:
    """The Slack stand-in without the teardown check: these tests inspect `violations()` themselves."""
    api = FakeSlackAPI().start()
    populate(api)
    try:
        yield api
    finally:
        api.close()


@pytest.fixture
async def client(unguarded_slack: FakeSlackAPI) -> AsyncIterator[AsyncWebClient]:
    yield AsyncWebClient(token="xoxb-guard-test", base_url=unguarded_slack.url)


async def test_an_alert_in_a_shared_channel_is_a_violation_and_in_the_alert_channel_is_not(
    unguarded_slack, client
):
    await client.chat_postMessage(channel=ALERTS, text="Acme: churn risk", blocks=ALERT_BLOCKS)
    assert unguarded_slack.violations() == []
    await client.chat_postMessage(channel=SHARED, text="Acme: churn risk", blocks=ALERT_BLOCKS)
    assert unguarded_slack.violations() == ["chat.postMessage to C_ACME: 'Acme: churn risk'"]


async def test_the_declared_customer_reply_is_allowed_once_as_plain_text_only(unguarded_slack, client):
    reply = "Maria, I'm sorry. I'll call you today at 3pm. — Sam"
    unguarded_slack.allow_customer_reply(reply)
    unguarded_slack.allow_customer_reply(reply)
    await client.chat_postMessage(channel=SHARED, thread_ts="1.000001", text=reply)
    assert unguarded_slack.violations() == []
    # The same words carrying the alert's blocks are an alert, not the reply a person approved.
    await client.chat_postMessage(channel=SHARED, thread_ts="1.000001", text=reply, blocks=ALERT_BLOCKS)
    assert len(unguarded_slack.violations()) == 1
    # Outside a thread it is not the reply "Use draft" sends either.
    await client.chat_postMessage(channel=SHARED, text=reply)
    assert len(unguarded_slack.violations()) == 2


async def test_who_could_read_a_channel_is_decided_when_the_post_arrived(unguarded_slack, client):
    await client.chat_postMessage(channel=ALERTS, text="Acme is red")
    unguarded_slack.set_external(ALERTS, True)  # shared afterwards: that post was internal when made
    await client.chat_postMessage(channel=SHARED, text="Initech is red")
    unguarded_slack.set_external(SHARED, False)  # unshared afterwards: customers had read it
    assert unguarded_slack.violations() == ["chat.postMessage to C_ACME: 'Initech is red'"]


async def test_ephemeral_answers_and_app_homes_reach_outsiders_only_as_the_refusal(unguarded_slack, client):
    unguarded_slack.refusals.add(REFUSAL)
    async with aiohttp.ClientSession() as http:
        for name, user, text in (("staff", STAFF, "Acme is red"), ("customer", CUSTOMER, "Acme is red")):
            await http.post(unguarded_slack.response_url(name, user=user), json={"text": text})
        await http.post(unguarded_slack.response_url("refused", user=CUSTOMER), json={"text": REFUSAL})
    await client.chat_postEphemeral(channel=SHARED, user=CUSTOMER, text="Acme's score fell to -0.8")
    await client.chat_postEphemeral(channel=SHARED, user=CUSTOMER, text=REFUSAL)
    await client.chat_postEphemeral(channel=SHARED, user=STAFF, text="Acme's score fell to -0.8")
    await client.views_publish(user_id=CUSTOMER, view={"type": "home", "blocks": ALERT_BLOCKS})
    await client.views_publish(user_id=STAFF, view={"type": "home", "blocks": ALERT_BLOCKS})
    assert unguarded_slack.violations() == [
        "response_url to customer: 'Acme is red'",
        'chat.postEphemeral to C_ACME: "Acme\'s score fell to -0.8"',
        "views.publish to U_MARIA: '*Acme Corp* (red) · score -0.8, churn risk'",
    ]


async def test_a_chart_uploaded_to_a_shared_channel_is_a_violation(unguarded_slack, client):
    await client.files_upload_v2(channel=SHARED, content=b"\x89PNG chart", filename="trend.png", title="Acme")
    assert len(unguarded_slack.violations()) == 1


# --- Teams -----------------------------------------------------------------------------------------


@pytest.fixture
def unguarded_teams() -> Iterator[FakeBotConnector]:
    connector = FakeBotConnector().start()
    populate_teams(connector)
    try:
        yield connector
    finally:
        connector.close()


async def send(
    connector: FakeBotConnector, conversation: str, activity: dict, reply_to: str | None = None
) -> None:
    path = f"v3/conversations/{conversation}/activities" + (f"/{reply_to}" if reply_to else "")
    async with aiohttp.ClientSession() as http:
        response = await http.post(
            connector.url + path, data=json.dumps(activity), headers={"Content-Type": "application/json"}
        )
        assert response.status < 300


async def test_a_teams_customer_reply_with_any_attachment_is_a_violation(unguarded_teams):
    reply = "Maria, I'm sorry. I'll call you today at 3pm. — Sam"
    unguarded_teams.allow_customer_reply(reply)
    unguarded_teams.allow_customer_reply(reply)
    await send(unguarded_teams, TEAMS_SHARED, {"type": "message", "text": reply}, reply_to="1")
    assert unguarded_teams.violations() == []
    chart = {
        "contentType": "image/png",
        "contentUrl": "data:image/png;base64,iVBORw0KGgo=",
        "name": "trend.png",
    }
    await send(
        unguarded_teams,
        TEAMS_SHARED,
        {"type": "message", "text": reply, "attachments": [chart]},
        reply_to="1",
    )
    assert len(unguarded_teams.violations()) == 1


async def test_a_teams_channel_flagged_shared_counts_as_customer_readable(unguarded_teams):
    """Members of the other organisation may not be listed in a shared channel's roster."""
    unguarded_teams.add_channel("19:partner-shared@thread.tacv2", "partner", [TEAMS_STAFF], shared=True)
    await send(unguarded_teams, TEAMS_ALERTS, {"type": "message", "text": "Acme is red"})
    await send(unguarded_teams, "19:partner-shared@thread.tacv2", {"type": "message", "text": "Acme is red"})
    assert unguarded_teams.violations() == ["send to 19:partner-shared@thread.tacv2: 'Acme is red'"]
