"""The Slack Web API stand-in for tests, and the `slack_api` fixture.

The stand-in itself is `bot/demo/slack_standin.py` (`tonewatch demo` runs against it
too); this module re-exports it under the names tests import, and adds the
fixture that fails a test when anything internal reached a customer.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from collections.abc import Iterator

import pytest
from aiohttp import web

from bot.demo.slack_standin import (  # noqa: F401  (re-exported for the tests)
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


# --- posting faults (tests/runtime/test_posting_faults.py) ------------------------------------------------


class FaultySlackAPI(FakeSlackAPI):
    """The Slack stand-in, plus the faults the posting tests need and the lookups a retry makes.

    - `answer_late(method, seconds, carry_out=..., in_thread=...)`: the next call of `method`
      (with `in_thread`, the next one with a `thread_ts`) is done at once (Slack accepted it) or
      not at all, and answered only after `seconds`, longer than the client waits: the caller
      sees a timeout either way.
    - `outage(reply, hang=...)`: until `end_outage()`, every Web API call is answered with
      `reply` (after `hang` seconds) and nothing is done.
    """

    def __init__(self) -> None:
        super().__init__()
        self._late: dict[tuple[str, bool], deque[tuple[float, bool]]] = defaultdict(deque)
        self._outage: tuple[Reply, float] | None = None

    def answer_late(
        self, method: str, seconds: float, *, carry_out: bool = True, in_thread: bool = False
    ) -> None:
        with self._lock:
            self._late[(method, in_thread)].append((seconds, carry_out))

    def outage(self, reply: Reply, *, hang: float = 0.0) -> None:
        with self._lock:
            self._outage = (reply, hang)

    def end_outage(self) -> None:
        with self._lock:
            self._outage = None

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._arguments(request)  # aiohttp keeps the body: the stand-in reads it again
        with self._lock:
            outage = self._outage
            queue = self._late[(method, bool(args.get("thread_ts")))]
            late = queue.popleft() if queue and outage is None else None
        if outage is not None:
            reply, hang = outage
            call = Call(method, args, None, dict(request.headers))
            with self._lock:
                self.calls.append(call)
            await asyncio.sleep(hang)
            return web.json_response(reply.body, status=reply.status, headers=reply.headers)
        if late is None:
            return await super()._api(request)
        seconds, carry_out = late
        if carry_out:
            response = await super()._api(request)
        else:
            call = Call(method, args, None, dict(request.headers))
            with self._lock:
                self.calls.append(call)
            response = web.json_response({"ok": False, "error": "request_dropped"}, status=503)
        await asyncio.sleep(seconds)
        return response


@pytest.fixture
def faulty_slack_api() -> Iterator[FaultySlackAPI]:
    """A started `FaultySlackAPI`; at teardown, no internal post may have reached a customer."""
    api = FaultySlackAPI().start()
    try:
        yield api
        violations = api.violations()
        assert not violations, f"internal content posted where customers can read it: {violations}"
    finally:
        api.close()
