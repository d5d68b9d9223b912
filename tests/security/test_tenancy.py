# ruff: noqa: F811 - the Teams fixtures are imported by name, and tests take them as parameters
"""Tenants never see each other: two Slack workspaces installed over OAuth, two Teams tenants.

Each workspace (and each Teams tenant) has its own customer called "Acme" — two accounts — and
workspace A also has Globex. Questions, the App Home, alerts, digests, `/tonewatch` commands and the
CLI's forget and export each stay inside the asker's tenant.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

from click.testing import CliRunner
from sqlmodel import select

from bot.cli import cli
from bot.questions.answer import AnswerOptions
from bot.questions.claude import StoreTools
from scheduler.jobs import JobConfig, Outcome, ScheduledJobs
from storage.db import session_scope
from storage.models import Account, Alert, CustomerMessage
from tests.fakes.bot_connector import (  # noqa: F401  (fixtures)
    HOME_TENANT,
    Member,
    bot_connector,
    teams_database_url,
)
from tests.fakes.bot_connector import running_tonewatch as running_teams
from tests.fakes.bot_connector import wait_for as wait_for_teams
from tests.support.slack_requests import (
    ESCALATION,
    command_form,
    event_body,
    message_event,
    running_tonewatch,
    wait_for,
)

pytest_plugins = ("tests.support.slack_fixtures",)

OAUTH = {"SLACK_BOT_TOKEN": "", "SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "client-secret"}
TEAM_A, TEAM_B = "T_ALPHA", "T_BRAVO"
TOKEN_A, TOKEN_B = "xoxb-alpha", "xoxb-bravo"
#: Per workspace: its CSM, its alert channel, its Acme channel, Acme's customer (of Acme's own team).
WORLD = {
    TEAM_A: ("U_ANNA", "C_A_ALERTS", "C_A_ACME", "U_A_CUST", "T_ACME_ONE", TOKEN_A),
    TEAM_B: ("U_BEN", "C_B_ALERTS", "C_B_ACME", "U_B_CUST", "T_ACME_TWO", TOKEN_B),
}
SECRET_A = "the Zephyr migration of project Halcyon keeps failing"
SECRET_B = "the Quokka invoices from project Bramble are all wrong"
_counter = itertools.count(1)


def ts_at(moment: float) -> str:
    n = next(_counter)
    return f"{int(moment)}.{n:06d}"


def populate_workspaces(api) -> None:
    for team, (staff, alerts, acme, customer, customer_team, _token) in WORLD.items():
        api.add_team(customer_team, f"Acme of {team}")
        api.add_user(staff, team_id=team, email=f"{staff.lower()}@{team.lower()}.test")
        api.add_user(customer, team_id=customer_team, email=f"{customer.lower()}@acme.test")
        api.add_channel(alerts, f"alerts-{team}", members=(staff,), team=team)
        api.add_channel(
            acme,
            f"acme-{team}",
            external=True,
            connected_team=customer_team,
            members=(staff, customer),
            team=team,
        )
        api.channels[f"D_{staff}"] = {"id": f"D_{staff}", "is_im": True, "user": staff}
    api.add_user("U_A_GLOBEX", team_id="T_GLOBEX", email="g@globex.test")
    api.add_channel(
        "C_A_GLOBEX",
        "globex",
        external=True,
        connected_team="T_GLOBEX",
        members=("U_ANNA", "U_A_GLOBEX"),
        team=TEAM_A,
    )


async def install(slack, code: str, team: str, token: str) -> None:
    """The OAuth install flow, as a workspace admin clicks through it."""
    page = await slack.http.get("/slack/install", allow_redirects=False)
    link = next(part for part in (await page.text()).split('"') if "oauth/v2/authorize" in part)
    state = parse_qs(urlparse(link.replace("&amp;", "&")).query)["state"][0]
    cookie = page.headers["Set-Cookie"].split(";")[0]
    slack.api.add_oauth_install(code, team, f"Workspace {team}", token)
    done = await slack.http.get(
        "/slack/oauth_redirect", params={"code": code, "state": state}, headers={"Cookie": cookie}
    )
    assert done.status == 200, await done.text()


async def event(slack, team: str, body: dict) -> None:
    response = await slack.post(json.dumps(event_body(body, team=team)), "application/json")
    assert response.status == 200, await response.text()


async def command(slack, team: str, text: str, channel: str) -> str:
    staff = WORLD[team][0]
    name = f"cmd{next(_counter)}"
    form = command_form(text, staff, channel, slack.api.response_url(name, user=staff, team=team), team=team)
    response = await slack.post(form, "application/x-www-form-urlencoded")
    assert response.status == 200, await response.text()
    answers = await wait_for(lambda: slack.api.responses(name), what=f"/tonewatch {text} in {team}")
    return answers[0].text


def shown(calls) -> str:
    return "\n".join(f"{c.text}\n{c.blocks_text}" for c in calls)


def last_monday_nine() -> datetime:
    now = datetime.now(UTC)
    monday = (now - timedelta(days=now.weekday())).replace(hour=9, minute=5, second=0, microsecond=0)
    return monday if monday <= now else monday - timedelta(days=7)


async def test_two_slack_workspaces_share_nothing(slack_api, slack_database_url, monkeypatch, tmp_path):
    async with running_tonewatch(slack_api, slack_database_url, monkeypatch, **OAUTH) as slack:
        populate_workspaces(slack_api)
        await install(slack, "code-a", TEAM_A, TOKEN_A)
        await install(slack, "code-b", TEAM_B, TOKEN_B)
        for team, (_staff, alerts, acme, *_rest) in WORLD.items():
            assert "Alerts go to" in await command(slack, team, f"alerts <#{alerts}|alerts>", alerts)
            assert "Watching" in await command(slack, team, "watch Acme", acme)
        assert "Watching" in await command(slack, TEAM_A, "watch Globex", "C_A_GLOBEX")

        # Each workspace's Acme customer complains, now and during last week (for the digest).
        fire = last_monday_nine()
        week = (fire - timedelta(days=2)).timestamp()
        for team, secret in ((TEAM_A, SECRET_A), (TEAM_B, SECRET_B)):
            _staff, _alerts, acme, customer, *_ = WORLD[team]
            await event(
                slack, team, message_event(acme, customer, f"{ESCALATION} Also {secret}.", ts=ts_at(week))
            )
            await event(
                slack,
                team,
                message_event(acme, customer, f"{secret}! {ESCALATION}", ts=ts_at(time.time() - 60)),
            )
        await event(
            slack,
            TEAM_A,
            message_event("C_A_GLOBEX", "U_A_GLOBEX", f"Globex here: {ESCALATION}", ts=ts_at(week)),
        )

        # Two accounts called Acme, one per workspace; every row carries its workspace.
        with session_scope(slack.core.engine) as session:
            accounts = sorted((a.tenant, a.name) for a in session.exec(select(Account)).all())
            messages = session.exec(select(CustomerMessage)).all()
        assert accounts == [("slack:T_ALPHA", "Acme"), ("slack:T_ALPHA", "Globex"), ("slack:T_BRAVO", "Acme")]
        assert {m.tenant for m in messages if m.place_key == "C_B_ACME"} == {"slack:T_BRAVO"}

        # Alerts: each to its own workspace's alert channel, with its own token, quoting its own customer.
        def alerts_in(channel: str):
            return [c for c in slack_api.posts(channel) if c.ok and not c.args.get("thread_ts")]

        await wait_for(
            lambda: alerts_in("C_A_ALERTS") and alerts_in("C_B_ALERTS"), timeout=20, what="both alerts"
        )
        await wait_for(lambda: len(slack.alerts()) >= 3, timeout=20, what="the alerts stored")
        posted_a, posted_b = shown(slack_api.posts("C_A_ALERTS")), shown(slack_api.posts("C_B_ALERTS"))
        assert "Halcyon" in posted_a and "Bramble" not in posted_a
        assert "Bramble" in posted_b and "Halcyon" not in posted_b and "Globex" not in posted_b
        assert {c.token for c in slack_api.posts("C_A_ALERTS")} == {TOKEN_A}
        assert {c.token for c in slack_api.posts("C_B_ALERTS")} == {TOKEN_B}
        assert {a.tenant for a in slack.alerts()} == {"slack:T_ALPHA", "slack:T_BRAVO"}

        # Questions in B (a DM and a mention) read B's data only.
        await event(
            slack, TEAM_B, message_event("D_U_BEN", "U_BEN", "how is Acme doing?", ts=ts_at(time.time()))
        )
        await event(
            slack,
            TEAM_B,
            message_event("D_U_BEN", "U_BEN", "who was negative this month?", ts=ts_at(time.time())),
        )
        await wait_for(lambda: len(slack_api.posts("D_U_BEN")) == 2, timeout=10, what="B's answers")
        in_b = shown(slack_api.posts("D_U_BEN"))
        assert "Bramble" in in_b and "Halcyon" not in in_b and "Globex" not in in_b
        await event(
            slack,
            TEAM_A,
            message_event("D_U_ANNA", "U_ANNA", "who was negative this month?", ts=ts_at(time.time())),
        )
        [in_a] = await wait_for(lambda: slack_api.posts("D_U_ANNA"), timeout=10, what="A's answer")
        assert "Globex" in shown([in_a]) and "Bramble" not in shown([in_a])

        # Claude's tools, asked on B's behalf, list and search B's data only.
        now = datetime.now(UTC)
        options = AnswerOptions.from_settings(slack.core.settings)
        tools_b = StoreTools(slack.core.engine, now, options, "slack:T_BRAVO")
        assert [row["account"] for row in tools_b.run("list_accounts", {})] == ["Acme"]
        found = tools_b.run("search_messages", {"text": "project", "days": 30})
        assert found and all("Bramble" in row["text"] for row in found)
        assert tools_b.run("search_messages", {"text": "Halcyon", "days": 30}) == []

        # App Home: B's CSM sees B's portfolio.
        await event(
            slack, TEAM_B, {"type": "app_home_opened", "user": "U_BEN", "tab": "home", "event_ts": "1.0"}
        )
        [home] = await wait_for(lambda: slack_api.calls_to("views.publish"), timeout=10, what="B's App Home")
        assert home.token == TOKEN_B
        assert (
            "Acme" in home.blocks_text
            and "Globex" not in home.blocks_text
            and "Halcyon" not in home.blocks_text
        )

        # Commands: B's workspace knows nothing of A's accounts or channels.
        status = await command(slack, TEAM_B, "status", "C_B_ACME")
        assert "Channels watched in all: 1" in status and "C_B_ALERTS" in status
        assert "no account named" in await command(slack, TEAM_B, "account Globex", "C_B_ALERTS")

        # Digests: B's digest target reads B's accounts only.
        assert "The digest comes here" in await command(
            slack, TEAM_B, "digest here mon 09:00 UTC", "C_B_ALERTS"
        )
        assert "The digest comes here" in await command(
            slack, TEAM_A, "digest here mon 09:00 UTC", "C_A_ALERTS"
        )
        jobs = ScheduledJobs(
            slack.core.engine, slack.runtime.scheduled, JobConfig.from_settings(slack.core.settings)
        )
        assert await jobs.digest(f"slack:{TEAM_B}:C_B_ALERTS", now=fire) is Outcome.posted
        assert await jobs.digest(f"slack:{TEAM_A}:C_A_ALERTS", now=fire) is Outcome.posted
        digest_b = [c for c in slack_api.posts("C_B_ALERTS") if "Customer sentiment" in c.blocks_text]
        digest_a = [c for c in slack_api.posts("C_A_ALERTS") if "Customer sentiment" in c.blocks_text]
        assert digest_b and digest_a
        assert "Globex" not in shown(digest_b) and "Halcyon" not in shown(digest_b)
        assert "Globex" in shown(digest_a)

        # SLA and incident checks post to each tenant's own channel (nothing of B's in A's and back).
        await jobs.sla_check(now=datetime.now(UTC) + timedelta(days=2))
        await jobs.incident_check()
        assert "Bramble" not in shown(slack_api.posts("C_A_ALERTS"))
        assert "Halcyon" not in shown(slack_api.posts("C_B_ALERTS"))

        engine_url = slack_database_url

    # Export and forget (the CLI) name the tenant; the other workspace's Acme is untouched.
    env = {"DATABASE_URL": engine_url, "TONEWATCH_LLM_POLICY": "off"}
    runner = CliRunner()
    listed = runner.invoke(cli, ["accounts", "list", "--json", "--tenant", "slack:T_BRAVO"], env=env)
    assert listed.exit_code == 0, listed.output
    assert [row["account"] for row in json.loads(listed.stdout)] == ["Acme"]
    forgot = runner.invoke(
        cli, ["forget", "--account", "Acme", "--tenant", "slack:T_BRAVO", "--yes"], env=env
    )
    assert forgot.exit_code == 0, forgot.output
    missing = runner.invoke(
        cli, ["forget", "--account", "Globex", "--tenant", "slack:T_BRAVO", "--yes"], env=env
    )
    assert missing.exit_code == 1 and "no account named 'Globex'" in missing.stderr
    bad = runner.invoke(cli, ["forget", "--account", "Acme", "--tenant", "bad tenant", "--yes"], env=env)
    assert bad.exit_code == 2 and "a tenant is" in bad.output
    history = tmp_path / "bravo.jsonl"
    history.write_text(
        json.dumps({"account": "Initech", "text": "All good here.", "created_at": "2026-11-20T10:00:00Z"})
        + "\n"
    )
    # `import` runs its own event loop: from this test's loop, in a thread.
    imported = await asyncio.to_thread(
        runner.invoke, cli, ["import", str(history), "--no-analyze", "--tenant", "slack:T_BRAVO"], env=env
    )
    assert imported.exit_code == 0, imported.output
    listed_a = runner.invoke(cli, ["accounts", "list", "--json", "--tenant", "slack:T_ALPHA"], env=env)
    assert [row["account"] for row in json.loads(listed_a.stdout)] == ["Acme", "Globex"]
    from storage.db import create_db_engine

    engine = create_db_engine(engine_url)
    try:
        with session_scope(engine) as session:
            left = sorted((a.tenant, a.name) for a in session.exec(select(Account)).all())
            texts = [m.text or "" for m in session.exec(select(CustomerMessage)).all()]
            alerts = session.exec(select(Alert)).all()
        assert left == [("slack:T_ALPHA", "Acme"), ("slack:T_ALPHA", "Globex"), ("slack:T_BRAVO", "Initech")]
        assert any("Halcyon" in t for t in texts) and not any("Bramble" in t for t in texts)
        assert alerts and {a.tenant for a in alerts} == {"slack:T_ALPHA"}
    finally:
        engine.dispose()


# --- Teams: one multi-tenant app, two organizations --------------------------------------------------

TENANT_TWO = "7e7e7e7e-5555-6666-7777-888888888888"
ACME_TWO = "acac2222-5555-6666-7777-888888888888"
TEAMS_WORLD = {
    HOME_TENANT: ("29:sam", "19:cs-alerts@thread.tacv2", "19:acme-shared@thread.tacv2", "29:maria-acme"),
    TENANT_TWO: ("29:tara", "19:two-alerts@thread.tacv2", "19:two-acme@thread.tacv2", "29:joe-acme"),
}


async def test_two_teams_tenants_share_nothing(bot_connector, teams_database_url, monkeypatch):
    connector = bot_connector
    # Multi-tenant: no TEAMS_TENANT_ID, each activity's tenant is its own.
    async with running_teams(connector, teams_database_url, monkeypatch, TEAMS_TENANT_ID="") as teams:
        connector.add_user(Member("29:tara", "Tara", tenant_id=TENANT_TWO, email="tara@two.test"))
        connector.add_user(Member("29:joe-acme", "Joe", tenant_id=ACME_TWO, email="joe@acme-two.test"))
        connector.add_channel("19:two-alerts@thread.tacv2", "two-alerts", ["29:tara"], home_tenant=TENANT_TWO)
        connector.add_channel(
            "19:two-acme@thread.tacv2", "two-acme", ["29:tara", "29:joe-acme"], home_tenant=TENANT_TWO
        )
        for staff, alerts, acme, _customer in TEAMS_WORLD.values():
            for channel in (alerts, acme):
                await teams.add_bot(channel, staff)
            await teams.say(alerts, staff, "alerts", mention=True)
            await teams.say(acme, staff, "watch Acme", mention=True)
        await teams.idle()

        for tenant, secret in ((HOME_TENANT, SECRET_A), (TENANT_TWO, SECRET_B)):
            _staff, _alerts, acme, customer = TEAMS_WORLD[tenant]
            await teams.say(acme, customer, f"{secret}! {ESCALATION}")

        with session_scope(teams.core.engine) as session:
            accounts = sorted((a.tenant, a.name) for a in session.exec(select(Account)).all())
        assert accounts == [(f"teams:{HOME_TENANT}", "Acme"), (f"teams:{TENANT_TWO}", "Acme")]

        def cards(channel: str) -> list:
            return [p for p in connector.posts(channel, "new_thread") if "Acknowledge" in p.everything]

        home_alerts, two_alerts = TEAMS_WORLD[HOME_TENANT][1], TEAMS_WORLD[TENANT_TWO][1]
        await wait_for_teams(lambda: cards(home_alerts) and cards(two_alerts), timeout=20, what="both alerts")
        posted_home = "\n".join(p.everything for p in connector.posts(home_alerts))
        posted_two = "\n".join(p.everything for p in connector.posts(two_alerts))
        assert "Halcyon" in posted_home and "Bramble" not in posted_home
        assert "Bramble" in posted_two and "Halcyon" not in posted_two

        # A question and a command in tenant two read tenant two's data only.
        await teams.say(two_alerts, "29:tara", "how is Acme doing?", mention=True)
        await teams.say(TEAMS_WORLD[TENANT_TWO][2], "29:tara", "status", mention=True)
        await teams.idle()
        replies = [p for p in connector.posts(two_alerts, "reply") if "Acme" in p.everything]
        assert replies and all("Halcyon" not in p.everything for p in replies)
        assert any("Bramble" in p.everything for p in replies)
        # Asked in a channel customers read: the answer comes in the asker's 1:1 chat.
        status = connector.posts("a:29:tara")[-1].everything
        assert "Conversations watched in all: 1" in status and "two-alerts" in status
