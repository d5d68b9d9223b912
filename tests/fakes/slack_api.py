"""The Slack Web API stand-in for tests, and the `slack_api` fixture.

The stand-in itself is `bot/demo_slack.py` (`tonewatch demo` runs against it
too); this module re-exports it under the names tests import, and adds the
fixture that fails a test when anything internal reached a customer.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.demo_slack import (  # noqa: F401  (re-exported for the tests)
    APP_ID,
    BOT_ID,
    BOT_USER,
    CHANNEL_POSTS,
    HOME_TEAM,
    Call,
    FakeSlackAPI,
    Reply,
    api_error,
    rate_limited,
    server_error,
)


@pytest.fixture
def slack_api() -> Iterator[FakeSlackAPI]:
    """A started Slack stand-in; at teardown, no internal post may have reached a customer."""
    api = FakeSlackAPI().start()
    try:
        yield api
        violations = api.violations()
        assert not violations, f"internal content posted where customers can read it: {violations}"
    finally:
        api.close()
