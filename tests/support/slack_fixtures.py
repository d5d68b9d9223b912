"""The Slack fixtures, as a plugin test modules load with
`pytest_plugins = ("tests.support.slack_fixtures",)`.

`slack_api` is the Web API stand-in (it checks at teardown that nothing
internal reached a customer); `slack` is Tonewatch running against it, on a
SQLite file of its own (copied from one migrated per session, which keeps the
set fast).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import create_db_engine
from storage.migrate import upgrade
from tests.fakes.slack_api import FakeSlackAPI, slack_api  # noqa: F401  (the fixture, re-exported)
from tests.support.slack_requests import SlackHarness, running_tonewatch


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("slack-template") / "migrated.db"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def slack_database_url(migrated_database: Path, tmp_path: Path) -> str:
    """A fresh, already migrated SQLite database for this test."""
    path = tmp_path / "tonewatch-slack.db"
    shutil.copyfile(migrated_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
async def slack(
    slack_api: FakeSlackAPI,  # noqa: F811  (the fixture imported above)
    slack_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[SlackHarness]:
    """Tonewatch in single-workspace mode, talking to the Slack stand-in."""
    async with running_tonewatch(slack_api, slack_database_url, monkeypatch) as harness:
        yield harness
