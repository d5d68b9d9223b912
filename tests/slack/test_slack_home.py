"""The App Home tab: the portfolio by light and the open alerts, for our own people only."""

from __future__ import annotations

import time

from storage.types import utcnow
from tests.support.history import History
from tests.support.slack_requests import ALERTS, CUSTOMER, ESCALATION, SHARED, STAFF, message_event, wait_for

pytest_plugins = ("tests.support.slack_fixtures",)


def opened(user: str) -> dict:
    return {"type": "app_home_opened", "user": user, "channel": f"D_{user}", "tab": "home"}


async def test_staff_see_accounts_by_light_and_open_alerts_with_links(slack) -> None:
    slack.set_up()
    history = History(slack.core.engine, utcnow())
    for day in range(60, 3, -4):
        history.say("Acme Corp", day, 0.3)
        history.say("Globex", day, 0.4)
    history.say("Initech", 2, -0.2)
    await slack.event(message_event(SHARED, CUSTOMER, ESCALATION, ts=f"{time.time():.6f}"))
    await slack.posted_alert()
    alert_ts = slack.api.messages[ALERTS][0]["ts"]

    await slack.event(opened(STAFF))
    [published] = await wait_for(lambda: slack.api.calls_to("views.publish"), what="the home view")
    view = published.json_arg("view")
    shown = published.blocks_text
    assert published.args["user_id"] == STAFF and view["type"] == "home"
    assert "2 green · 0 yellow · 1 red" in shown
    assert ":red_circle: *Red* (1)" in shown and "*Acme Corp* — " in shown
    assert "*Green* (2): Globex" in shown and "Initech" in shown
    assert "*Open alerts* (1)" in shown and "I've been waiting three days" in shown
    assert f"archives/{ALERTS}/p{alert_ts.replace('.', '')}|View alert" in shown
    assert "how is ACCOUNT doing?" in shown and len(view["blocks"]) <= 100


async def test_an_empty_portfolio_says_how_to_start(slack) -> None:
    await slack.event(opened(STAFF))
    [published] = await wait_for(lambda: slack.api.calls_to("views.publish"), what="the home view")
    assert "No accounts yet" in published.blocks_text and "/tonewatch watch" in published.blocks_text


async def test_people_outside_the_team_are_shown_nothing(slack) -> None:
    slack.set_up()
    History(slack.core.engine, utcnow()).say("Acme Corp", 1, -0.8, "Still broken.")
    response = await slack.event(opened(CUSTOMER))
    assert response.status == 200
    await slack.deps.background.drain()
    assert slack.api.calls_to("views.publish") == []
