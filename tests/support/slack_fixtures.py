"""The Slack fixtures, as a plugin test modules load with
`pytest_plugins = ("tests.support.slack_fixtures",)`.

`slack_api` is the Web API stand-in (it checks at teardown that nothing
internal reached a customer); `slack` is Tonewatch running against it, on a
SQLite file of its own (a copy of the one `tests/conftest.py` migrates per session).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import copy_of_migrated
from tests.fakes.slack_api import FakeSlackAPI, slack_api  # noqa: F401  (the fixture, re-exported)
from tests.support.slack_requests import SlackHarness, running_tonewatch


@pytest.fixture
def slack_database_url(migrated_sqlite_file: Path, tmp_path: Path) -> str:
    """A fresh, already migrated SQLite database for this test."""
    return copy_of_migrated(migrated_sqlite_file, f"sqlite:///{tmp_path / 'tonewatch-slack.db'}")


@pytest.fixture
async def slack(
    slack_api: FakeSlackAPI,  # noqa: F811  (the fixture imported above)
    slack_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[SlackHarness]:
    """Tonewatch in single-workspace mode, talking to the Slack stand-in."""
    async with running_tonewatch(slack_api, slack_database_url, monkeypatch) as harness:
        yield harness
