# ruff: noqa: F811 - the Teams fixtures are imported by name, and tests take them as parameters
"""`tonewatch forget` also takes back what Tonewatch posted: for an account, each alert card in Slack or
Teams, its drafted reply and the lines of messages that joined it; for an e-mail address, the posts
carrying that person's words, and the cards quoting them are shown again without them. The erasure
queues durable work items in its own transaction; the running worker does them on the platform."""

from __future__ import annotations

import json

from sqlmodel import select

from bot.alerts.service import RETRACT_POST
from bot.privacy.erasure import forget_account, forget_address
from storage.db import session_scope
from storage.models import AlertPost, WorkItem
from tests.fakes.bot_connector import ALERTS as TEAMS_ALERTS
from tests.fakes.bot_connector import CUSTOMER as TEAMS_CUSTOMER
from tests.fakes.bot_connector import ESCALATION as TEAMS_ESCALATION
from tests.fakes.bot_connector import SHARED as TEAMS_SHARED
from tests.fakes.bot_connector import STAFF as TEAMS_STAFF
from tests.fakes.bot_connector import (  # noqa: F401  (fixtures)
    bot_connector,
    teams,
    teams_database_url,
)
from tests.support.slack_requests import (
    ALERTS,
    CUSTOMER,
    ESCALATION,
    GUEST,
    PLAIN,
    SHARED,
    message_event,
    wait_for,
)

pytest_plugins = ("tests.support.slack_fixtures",)

AGAIN = (
    "Still no answer on the integration ticket. This keeps failing and we're seriously reconsidering the "
    "renewal; please escalate today."
)


def alert_posts(core) -> list[AlertPost]:
    with session_scope(core.engine) as session:
        return list(session.exec(select(AlertPost)).all())


async def teams_alert_with_a_line(teams):
    """Acme's alert card, its draft, and the line of Maria's next message: (card, draft, line)."""
    await teams.set_up()
    root, thread, _activity = await teams.alert_posted(TEAMS_ESCALATION)
    await teams.say(TEAMS_SHARED, TEAMS_CUSTOMER, AGAIN)
    line = await wait_for(
        lambda: [p for p in teams.connector.posts(TEAMS_ALERTS, "reply") if "New message" in p.everything],
        what="the joining message's line",
    )
    return root, thread, line[0]


async def joining_line(slack) -> None:
    """Maria writes again on the issue of her posted alert; waits for the line in its thread."""
    await slack.event(message_event(SHARED, CUSTOMER, AGAIN))
    await wait_for(
        lambda: [m for m in slack.api.messages[ALERTS] if "New message on this issue" in (m["text"] or "")],
        what="the joining message's line",
    )


def retractions(core) -> list[WorkItem]:
    with session_scope(core.engine) as session:
        return list(session.exec(select(WorkItem).where(WorkItem.kind == RETRACT_POST)).all())


async def test_forgetting_an_account_deletes_its_alert_threads_from_slack_and_nothing_else(slack):
    slack.set_up()
    slack.core.places.watch("slack", PLAIN, "initech", "Initech", is_external=True)
    await slack.alert_posted()
    acme_root = slack.alerts()[0].post_ref
    await joining_line(slack)
    await slack.event(message_event(PLAIN, GUEST, ESCALATION))
    await wait_for(lambda: len(slack.alerts()) == 2 and slack.alerts()[1].post_ref, what="Initech's alert")
    initech_root = slack.alerts()[1].post_ref
    await wait_for(
        lambda: [m for m in slack.api.messages[ALERTS] if m.get("thread_ts") == initech_root],
        what="Initech's thread",
    )
    acme_posts = [m["ts"] for m in slack.api.messages[ALERTS] if acme_root in (m["ts"], m.get("thread_ts"))]
    assert len(acme_posts) == 3  # the card, its draft, the joining line

    summary = forget_account(slack.core.engine, "Acme Corp")
    assert summary.posts_to_take_back == 3 and "deleted there by `tonewatch run`" in "\n".join(
        summary.lines()
    )
    slack.runtime.worker.wake()

    await wait_for(
        lambda: all(item.status == "done" for item in retractions(slack.core)) and retractions(slack.core),
        what="the retractions",
    )
    left = slack.api.messages[ALERTS]
    assert not [m for m in left if acme_root in (m["ts"], m.get("thread_ts"))]
    assert sorted(ts for _, ts in slack.api.deleted) == sorted(acme_posts)
    assert [m["ts"] for m in left if initech_root in (m["ts"], m.get("thread_ts"))]  # Initech's stays
    assert not any("Acme" in (m["text"] or "") for m in left)


async def test_forgetting_an_account_deletes_every_post_of_its_alerts_from_teams(teams):
    root, thread, line = await teams_alert_with_a_line(teams)
    other = "19:globex-shared@thread.tacv2"
    teams.connector.add_channel(other, "globex-shared", [TEAMS_STAFF, TEAMS_CUSTOMER])
    await teams.add_bot(other)
    teams.core.places.watch("teams", other, "globex-shared", "Globex", is_external=True)
    await teams.say(other, TEAMS_CUSTOMER, TEAMS_ESCALATION)  # Globex's alert must stay
    globex = await wait_for(lambda: teams.alert_cards()[1:], what="Globex's alert")
    await wait_for(
        lambda: [p for p in teams.connector.posts(TEAMS_ALERTS, "reply") if p.thread == globex[0].id],
        what="Globex's draft",
    )
    # Each card with its draft, and Acme's line: five references kept (Teams cannot list a thread).
    await wait_for(lambda: len(alert_posts(teams.core)) == 5, what="the posts' references")

    summary = forget_account(teams.core.engine, "Acme Corp")
    teams.runtime.worker.wake()

    expected = {root.id, thread.id, line.id}
    await wait_for(
        lambda: expected <= {p.id for p in teams.connector.posts(TEAMS_ALERTS, "delete")},
        what="the Acme posts deleted",
    )
    deleted = [p.id for p in teams.connector.posts(TEAMS_ALERTS, "delete")]
    assert sorted(deleted) == sorted(expected)  # once each, and nothing of Globex's
    assert summary.posts_to_take_back == 3
    assert {p.alert_id for p in alert_posts(teams.core)} == {teams.alerts()[0].id}  # Globex's, kept


async def test_forgetting_an_address_deletes_the_posts_with_its_words_and_redraws_the_card(slack):
    """`forget --email`: the draft answering the person's message and the line quoting their next one
    are deleted; the card, which quoted them, is shown again without their words. The alert stays."""
    slack.set_up()
    await slack.alert_posted()
    root = slack.alerts()[0].post_ref
    await joining_line(slack)
    await wait_for(lambda: len(alert_posts(slack.core)) == 3, what="the posts' references")
    assert "waiting three days" in slack.api.messages[ALERTS][0]["text"]  # the card quotes the first

    summary = forget_address(slack.core.engine, "maria@acme.test")
    assert (summary.posts_to_take_back, summary.cards_to_redraw) == (2, 1)
    slack.runtime.worker.wake()

    await wait_for(lambda: [m["ts"] for m in slack.api.messages[ALERTS]] == [root], what="the thread emptied")
    await wait_for(
        lambda: "waiting three days" not in slack.api.messages[ALERTS][0]["text"], what="the card redrawn"
    )
    shown = json.dumps(slack.api.messages[ALERTS]) + json.dumps(slack.api.calls_to("chat.update")[-1].args)
    for words in ("waiting three days", "Still no answer", "reconsidering"):
        assert words not in shown
    assert len(slack.alerts()) == 1 and slack.alerts()[0].post_ref == root  # the alert itself stays


async def test_forgetting_an_address_in_teams_deletes_its_words_and_redraws_the_card(teams):
    root, thread, line = await teams_alert_with_a_line(teams)
    await wait_for(lambda: len(alert_posts(teams.core)) == 3, what="the posts' references")
    updates_before = len(teams.connector.posts(TEAMS_ALERTS, "update"))

    summary = forget_address(teams.core.engine, "maria@acme.test")
    teams.runtime.worker.wake()

    assert (summary.posts_to_take_back, summary.cards_to_redraw) == (2, 1)
    await wait_for(
        lambda: {thread.id, line.id} == {p.id for p in teams.connector.posts(TEAMS_ALERTS, "delete")},
        what="the draft and the line deleted",
    )
    redrawn = await wait_for(
        lambda: teams.connector.posts(TEAMS_ALERTS, "update")[updates_before:], what="the card redrawn"
    )
    assert redrawn[-1].id == root.id and "(message erased)" in redrawn[-1].everything
    for words in ("waiting three days", "Still no answer", "reconsidering"):
        assert words not in redrawn[-1].everything
