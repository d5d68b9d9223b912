"""Alerts reach the account's owners by direct message, in Slack and in Teams, unless an owner opts out."""

from __future__ import annotations

from bot.accounts.entry import BookEntry
from storage.book import PersonInfo
from tests.support.slack_requests import ALERTS, STAFF, wait_for

pytest_plugins = ("tests.support.slack_fixtures",)


async def test_the_owner_gets_the_alert_by_dm_in_slack(slack):
    slack.set_up()
    answer = await slack.command(f"account Acme Corp owner <@{STAFF}|sam>", channel=ALERTS)
    assert "owner Sam" in answer.text
    root, _thread = await slack.alert_posted()
    dm = await wait_for(lambda: slack.api.posts(f"D_{STAFF}"), what="the owner's DM")
    assert "An alert on *Acme Corp*, an account you own" in dm[0].blocks_text
    assert [c.args["users"] for c in slack.api.calls_to("conversations.open")] == [STAFF]
    assert len(slack.api.posts(f"D_{STAFF}")) == 1  # once per alert


async def test_an_owner_who_opted_out_gets_no_dm(slack):
    slack.set_up()
    answer = await slack.command(f"account Acme Corp owner <@{STAFF}|sam> dm off", channel=ALERTS)
    assert "owner Sam" in answer.text
    book = slack.core.book.row("Acme Corp")
    assert book.owners[0].dm_alerts is False
    await slack.alert_posted()
    # The alert and its thread are posted; the work queue is drained; no DM was opened.
    await wait_for(lambda: not _pending(slack), what="idle queue")
    assert slack.api.calls_to("conversations.open") == []


def _pending(slack) -> int:
    from storage.queue import depth

    return depth(slack.core.engine).get("pending", 0) + depth(slack.core.engine).get("running", 0)


async def test_an_owner_known_only_by_email_gets_no_slack_dm(slack):
    slack.set_up()
    slack.core.book.apply(BookEntry("Acme Corp", owners=[PersonInfo(email="nobody@home.test")]))
    await slack.alert_posted()
    await wait_for(lambda: not _pending(slack), what="idle queue")
    assert slack.api.calls_to("conversations.open") == []
