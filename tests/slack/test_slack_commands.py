"""`/tonewatch`: setting Tonewatch up from chat, as our own people (and only they) can."""

from __future__ import annotations

from sqlmodel import select

from bot.chat.commands import parse_schedule
from handlers.slack.blocks import REFUSAL
from storage.db import session_scope
from storage.models import DigestTarget
from tests.support.slack_requests import (
    ALERTS,
    CUSTOMER,
    HOME_TEAM,
    PLAIN,
    SHARED,
    STAFF,
)

#: The `slack` and `slack_api` fixtures (a running Tonewatch, the Slack stand-in).
pytest_plugins = ("tests.support.slack_fixtures",)


async def test_watch_in_a_slack_connect_channel_defaults_to_the_partners_name(slack):
    answer = await slack.command("watch", channel=SHARED)
    assert "Watching <#C_ACME> for *Acme Corp*" in answer.text
    assert answer.args["response_type"] == "ephemeral"
    place = slack.core.places.get("slack", SHARED)
    assert place.watched and place.account == "Acme Corp" and place.is_external
    assert [c.args["team"] for c in slack.api.calls_to("team.info")] == ["T_ACME"]


async def test_watch_names_the_account_where_there_is_no_partner(slack):
    asked = await slack.command("watch", channel=PLAIN)
    assert "name the account" in asked.text and slack.core.places.get("slack", PLAIN) is None
    answer = await slack.command("watch Initech Ltd", channel=PLAIN)
    assert "for *Initech Ltd*" in answer.text
    assert slack.core.places.get("slack", PLAIN).account == "Initech Ltd"


async def test_alerts_go_only_to_a_channel_customers_cannot_read(slack):
    shared = await slack.command(f"alerts <#{SHARED}|acme-shared>", channel=ALERTS)
    with_guest = await slack.command(f"alerts <#{PLAIN}|initech>", channel=ALERTS)
    assert "refused" in shared.text and "refused" in with_guest.text  # shared; has a guest
    assert slack.core.places.alert_channel("slack") is None
    accepted = await slack.command(f"alerts <#{ALERTS}|cs-alerts>", channel=SHARED)
    assert "Alerts go to <#C_ALERTS>" in accepted.text
    assert slack.core.places.alert_channel("slack").external_id == ALERTS


async def test_alerts_with_no_channel_named_means_this_channel(slack):
    answer = await slack.command("alerts", channel=ALERTS)
    assert "Alerts go to <#C_ALERTS>" in answer.text


async def test_unwatch_and_status(slack):
    await slack.command("watch", channel=SHARED)
    await slack.command(f"alerts <#{ALERTS}|cs-alerts>", channel=ALERTS)
    status = await slack.command("status", channel=SHARED)
    assert "watched for *Acme Corp*" in status.text and "Alerts go to <#C_ALERTS>" in status.text
    assert "Open alerts for this account: 0" in status.text
    stopped = await slack.command("unwatch", channel=SHARED)
    assert "Stopped watching" in stopped.text and not slack.core.places.get("slack", SHARED).watched
    status = await slack.command("status", channel=SHARED)
    assert "is not watched" in status.text
    assert "wasn't watched" in (await slack.command("unwatch", channel=SHARED)).text


async def test_digest_here_stores_the_target_with_its_schedule(slack):
    answer = await slack.command("digest here tue 10:30 Europe/Paris", channel=ALERTS)
    assert "every Tuesday at 10:30 (Europe/Paris)" in answer.text
    await slack.command("digest here", channel=ALERTS)  # again: the same target, back to the defaults
    with session_scope(slack.core.engine) as session:
        targets = session.exec(select(DigestTarget)).all()
    assert [(t.key, t.platform, t.destination, t.day_of_week, t.send_time, t.timezone) for t in targets] == [
        (f"slack:{HOME_TEAM}:{ALERTS}", "slack", ALERTS, "mon", "09:00", "UTC")
    ]


async def test_digest_is_refused_where_customers_read_and_bad_schedules_are_explained(slack):
    shared = await slack.command("digest here", channel=SHARED)
    assert "customers can read this channel" in shared.text
    bad = await slack.command("digest here mon 9:00 Mars/Olympus", channel=ALERTS)
    assert "Mars/Olympus" in bad.text
    with session_scope(slack.core.engine) as session:
        assert session.exec(select(DigestTarget)).all() == []


def test_schedules_read_days_times_and_zones_in_any_order():
    assert parse_schedule(["America/New_York", "9am", "friday"]).__dict__ == {
        "day_of_week": "fri",
        "send_time": "09:00",
        "timezone": "America/New_York",
    }
    assert parse_schedule(["5:45pm"]).send_time == "17:45"
    assert parse_schedule([]).day_of_week is None  # the settings' default applies


async def test_help_and_unknown_words_show_the_commands(slack):
    for text in ("help", "", "frobnicate"):
        answer = await slack.command(text, channel=ALERTS)
        assert "/tonewatch watch" in answer.text and "/tonewatch digest here" in answer.text


async def test_external_people_get_a_polite_refusal_and_change_nothing(slack):
    answer = await slack.command("watch Evil Corp", user=CUSTOMER, channel=SHARED)
    assert answer.text == REFUSAL and answer.args["response_type"] == "ephemeral"
    assert slack.core.places.get("slack", SHARED) is None
    answer = await slack.command(f"alerts <#{ALERTS}|cs-alerts>", user=CUSTOMER, channel=SHARED)
    assert answer.text == REFUSAL and slack.core.places.alert_channel("slack") is None
    assert STAFF not in [c.args.get("user") for c in slack.api.calls_to("chat.postEphemeral")]
