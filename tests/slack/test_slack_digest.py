"""Digests and attention lists in Slack, through the scheduler's job functions: Block Kit, the chart, once."""

from __future__ import annotations

from datetime import UTC, datetime

from handlers.slack.poster import SlackPoster
from scheduler.jobs import JobConfig, Outcome, ScheduledJobs
from scheduler.targets import add_target
from tests.support.history import History
from tests.support.slack_requests import ALERTS, SHARED, STAFF, wait_for

pytest_plugins = ("tests.support.slack_fixtures",)

NOW = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)  # a Monday, just after a 09:00 digest is due


def portfolio(engine) -> dict[str, int]:
    """Acme turning red this week with one complaint unanswered; Globex content."""
    history = History(engine, NOW)
    history.account("Acme Corp", owner="Sam")
    for day in range(60, 8, -4):
        history.say("Acme Corp", day, 0.3)
        history.say("Globex", day, 0.4)
    ids = {
        "sync": history.say("Acme Corp", 3, -0.85, "The sync failed again.", concerns=("reliability",)),
        "renewal": history.say("Acme Corp", 2, -0.8, "We may not renew.", churn=True),
    }
    history.say("Globex", 2, 0.6, "Lovely new dashboard.")
    return ids


def jobs_for(slack) -> ScheduledJobs:
    poster = slack.runtime.scheduled
    assert isinstance(poster, SlackPoster)  # what composition.build_scheduler hands the scheduler
    return ScheduledJobs(slack.core.engine, poster, JobConfig.from_settings(slack.core.settings))


def digests(slack, channel: str) -> list:
    return [c for c in slack.api.posts(channel) if c.ok and "Customer sentiment" in c.blocks_text]


async def test_the_digest_is_posted_with_blocks_and_its_chart_exactly_once(slack) -> None:
    slack.set_up()
    answer = await slack.command("digest here mon 09:00 UTC", channel=ALERTS)
    assert "every Monday at 09:00 (UTC)" in answer.text
    portfolio(slack.core.engine)
    jobs = jobs_for(slack)
    target = f"slack:T_HOME:{ALERTS}"

    assert await jobs.digest(target, now=NOW) is Outcome.posted
    [digest] = digests(slack, ALERTS)
    blocks = digest.json_arg("blocks")
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Customer sentiment · week of Nov 16–22", "emoji": True},
    }
    shown = digest.blocks_text
    assert "Portfolio: 1 green · 0 yellow · 1 red" in shown and "*Needs attention*" in shown
    assert ":red_circle: *Acme Corp* — red" in shown and "Unanswered past the reply SLA:* 2" in shown
    [upload] = await wait_for(lambda: slack.api.calls_to("files.completeUploadExternal"), what="the chart")
    assert upload.args["channel_id"] == ALERTS and slack.api.uploads[-1].startswith(b"\x89PNG")

    # A second run for the same target and week (a catch-up, another process) posts nothing.
    assert await jobs.digest(target, now=NOW.replace(hour=11)) is Outcome.skipped
    assert len(digests(slack, ALERTS)) == 1 and len(slack.api.calls_to("files.completeUploadExternal")) == 1


async def test_no_digest_where_customers_can_read(slack) -> None:
    slack.set_up()
    portfolio(slack.core.engine)
    add_target(
        slack.core.engine,
        "slack:T_HOME:shared",
        platform="slack",
        destination=SHARED,
        settings=slack.core.settings,
    )
    assert await jobs_for(slack).digest("slack:T_HOME:shared", now=NOW) is Outcome.failed
    assert slack.api.posts(SHARED) == [] and slack.api.calls_to("files.completeUploadExternal") == []


async def test_a_csms_digest_goes_to_their_dm_with_only_their_accounts(slack) -> None:
    portfolio(slack.core.engine)
    add_target(
        slack.core.engine,
        "slack:sam",
        platform="slack",
        destination=STAFF,
        kind="owner_dm",
        owner="Sam",
        settings=slack.core.settings,
    )
    assert await jobs_for(slack).digest("slack:sam", now=NOW) is Outcome.posted
    [digest] = digests(slack, f"D_{STAFF}")
    assert "Sam's accounts" in digest.blocks_text and "Acme Corp" in digest.blocks_text
    assert "Globex" not in digest.blocks_text


async def test_the_daily_attention_list_and_sla_escalations_go_to_slack(slack) -> None:
    slack.set_up()
    history = History(slack.core.engine, NOW)
    history.say("Hooli", 0.2, -0.4, "The invoice total looks wrong.", concerns=("billing",))
    history.say("Initech", 1.5, -0.7, "Nobody answered about the outage.", concerns=("reliability",))
    add_target(
        slack.core.engine,
        "slack:alerts",
        platform="slack",
        destination=ALERTS,
        attention_time="09:00",
        settings=slack.core.settings,
    )
    jobs = jobs_for(slack)
    assert await jobs.attention("slack:alerts", now=NOW) is Outcome.posted
    [posted] = [c for c in slack.api.posts(ALERTS) if "Needs a reply today" in c.blocks_text]
    assert "Hooli" in posted.blocks_text and "The invoice total looks wrong." in posted.blocks_text
    assert await jobs.attention("slack:alerts", now=NOW) is Outcome.skipped
    # An SLA escalation has no target: it goes to the Slack alert channel.
    assert await jobs.sla_check(now=NOW) == 1
    [escalation] = [c for c in slack.api.posts(ALERTS) if "No reply for" in c.blocks_text]
    assert (
        "Initech" in escalation.blocks_text and "Nobody answered about the outage." in escalation.blocks_text
    )
