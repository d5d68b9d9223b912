
"""Outreach suppression: set when an account turns red or worse, cleared when the recovery is recorded."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.accounts.suppression import flag
from bot.health.changes import record_colour_changes
from bot.health.rules import load_health_rules
from handlers.slack.blocks import RECOVERED
from storage.db import session_scope
from storage.queries import find_account
from tests.support.cli import out, tonewatch
from tests.support.history import History
from tests.support.slack_requests import ALERTS, CUSTOMER, STAFF, action_payload, wait_for

pytest_plugins = ("tests.support.slack_fixtures",)

RULES = load_health_rules(None, -0.6, -0.3)


def turn_red(engine, account: str = "Acme Corp", now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    history = History(engine, now)
    for days in (1, 2, 3, 4):
        history.say(account, days, -0.8, churn=True)
    with session_scope(engine) as session:
        record_colour_changes(session, now, RULES, now.date().isoformat())


def test_turning_red_flags_the_account_once_and_recovery_is_recorded(sqlite_engine):
    from bot.accounts.suppression import Suppression

    now = datetime.now(UTC)
    turn_red(sqlite_engine, now=now)
    suppression = Suppression(sqlite_engine)
    with session_scope(sqlite_engine) as session:
        account = find_account(session, "Acme Corp")
        assert account.suppress_outreach and account.suppression_reason == "turned red"
        assert not flag(session, account, "again")  # already flagged: no second change
    row, changed = suppression.recovered("Acme Corp", "Sam (slack:U_SAM)")
    assert changed and not row.suppress_outreach
    _, again = suppression.recovered("Acme Corp", "Sam")
    assert not again
    # Still red an hour later: no new colour change, so the recorded recovery stands.
    with session_scope(sqlite_engine) as session:
        assert record_colour_changes(session, now + timedelta(hours=1), RULES, now.date().isoformat()) == []
        assert not find_account(session, "Acme Corp").suppress_outreach


def test_a_green_account_is_not_flagged_and_account_json_shows_the_flag(
    sqlite_url, sqlite_engine, monkeypatch
):
    now = datetime.now(UTC)
    History(sqlite_engine, now).say("Globex", 1, 0.6)
    turn_red(sqlite_engine, now=now)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)

    def report(name: str) -> dict:
        return json.loads(out(tonewatch("account", name, "--json")))

    assert report("Acme Corp")["suppress_outreach"] is True
    assert report("Globex")["suppress_outreach"] is False


async def test_slack_recovered_verb_clears_the_flag(slack):
    turn_red(slack.core.engine)
    answer = await slack.command("recovered acme", channel=ALERTS)
    assert answer.text == "Recovery recorded for *Acme Corp*: outreach is no longer suppressed."
    assert not slack.core.book.row("Acme Corp").suppress_outreach
    again = await slack.command("recovered Acme Corp", channel=ALERTS)
    assert "was not suppressed" in again.text
    unknown = await slack.command("recovered Nobody Inc", channel=ALERTS)
    assert unknown.text.startswith(":no_entry:") and "Nobody Inc" in unknown.text


async def test_slack_customers_cannot_record_a_recovery(slack):
    turn_red(slack.core.engine)
    await slack.command("recovered Acme Corp", user=CUSTOMER, channel=ALERTS)
    assert slack.core.book.row("Acme Corp").suppress_outreach


async def test_the_recovered_button_on_an_alert_clears_the_flag(slack):
    slack.set_up()
    root_post, _ = await slack.alert_posted()
    [alert] = slack.alerts()
    root = slack.api.messages[ALERTS][0]
    blocks = root_post.json_arg("blocks")
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert RECOVERED in [e.get("action_id") for e in buttons]
    with session_scope(slack.core.engine) as session:
        flag(session, find_account(session, "Acme Corp"), "turned red")
    response = await slack.interact(action_payload(RECOVERED, STAFF, value=str(alert.id)))
    assert response.status == 200
    note = await wait_for(lambda: [c for c in slack.api.posts(ALERTS) if "recorded the recovery" in c.text])
    assert note[0].args["thread_ts"] == root["ts"]
    assert not slack.core.book.row("Acme Corp").suppress_outreach
