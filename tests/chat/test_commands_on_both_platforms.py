"""The same command typed in Slack (`/tonewatch …`, signed HTTP) and in Teams (`@Tonewatch …`, a Bot
Connector activity) does the same thing and says the same words, each in its platform's markup.

One Tonewatch process serves both surfaces over one database, as `tonewatch run` does with both
platforms configured."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from scheduler.targets import load_target
from tests.fakes.bot_connector import ALERTS as TEAMS_ALERTS
from tests.fakes.bot_connector import STAFF as TEAMS_STAFF
from tests.fakes.bot_connector import (
    FakeBotConnector,
    TeamsHarness,
    bot_connector,  # noqa: F401  (the fixture)
    populate,
    teams_environment,
)
from tests.support.slack_requests import ALERTS as SLACK_ALERTS
from tests.support.slack_requests import SlackHarness, running_tonewatch

pytest_plugins = ("tests.support.slack_fixtures",)

COMES = "The digest comes here every"


@pytest.fixture
async def both(
    slack_api,
    bot_connector: FakeBotConnector,  # noqa: F811  (the fixture imported above)
    slack_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[tuple[SlackHarness, TeamsHarness]]:
    populate(bot_connector)
    teams_settings = {k: v for k, v in teams_environment(slack_database_url).items() if k != "DATABASE_URL"}
    async with running_tonewatch(slack_api, slack_database_url, monkeypatch, **teams_settings) as slack:
        assert set(slack.runtime.platforms) == {"slack", "teams"}
        teams = TeamsHarness(bot_connector, slack.http, slack.core, slack.runtime)
        await teams.add_bot(TEAMS_ALERTS)
        yield slack, teams


async def in_slack(slack: SlackHarness, text: str) -> str:
    return (await slack.command(text, channel=SLACK_ALERTS)).text


async def in_teams(teams: TeamsHarness, text: str) -> str:
    before = len(teams.connector.posts(TEAMS_ALERTS, "reply"))
    await teams.say(TEAMS_ALERTS, TEAMS_STAFF, text, mention=True)
    await teams.idle()
    replies = teams.connector.posts(TEAMS_ALERTS, "reply")
    assert len(replies) == before + 1, "Teams answered the command once"
    return replies[-1].text


def words(answer: str) -> str:
    """The answer without its leading emoji (":calendar:" in Slack, "📅" in Teams) and markup."""
    return answer.split(" ", 1)[1].replace("**", "").replace("*", "").replace("\\", "").replace("`", "")


@pytest.mark.parametrize(
    ("command", "stored", "said"),
    [
        (
            "digest here mon 9am",
            ("mon", "09:00", "UTC"),
            "The digest comes here every Monday at 09:00 (UTC).",
        ),
        (
            "digest here Friday 5:30pm Europe/Paris",
            ("fri", "17:30", "Europe/Paris"),
            f"{COMES} Friday at 17:30 (Europe/Paris).",
        ),
        (
            "digest here thurs 08:15",
            ("thu", "08:15", "UTC"),
            "The digest comes here every Thursday at 08:15 (UTC).",
        ),
    ],
)
async def test_a_digest_schedule_is_read_and_answered_alike(both, command, stored, said) -> None:
    slack, teams = both
    slack_answer, teams_answer = await in_slack(slack, command), await in_teams(teams, command)
    assert words(slack_answer) == words(teams_answer) == said
    slack_target = load_target(slack.core.engine, f"slack:T_HOME:{SLACK_ALERTS}")
    teams_target = load_target(teams.core.engine, f"teams:{TEAMS_ALERTS}")
    assert slack_target is not None and teams_target is not None
    for target in (slack_target, teams_target):
        assert (target.day_of_week, target.send_time, target.timezone) == stored


@pytest.mark.parametrize(
    "command",
    ["digest here someday", "digest here 25:00", "digest there mon", "digest here 13pm"],
)
async def test_a_bad_schedule_is_refused_alike_and_nothing_is_stored(both, command) -> None:
    slack, teams = both
    slack_answer, teams_answer = await in_slack(slack, command), await in_teams(teams, command)
    assert words(slack_answer).replace("/tonewatch", "@Tonewatch") == words(teams_answer)
    assert slack_answer.startswith(":no_entry:") and teams_answer.startswith("⛔")
    assert load_target(slack.core.engine, f"slack:T_HOME:{SLACK_ALERTS}") is None
    assert load_target(teams.core.engine, f"teams:{TEAMS_ALERTS}") is None
