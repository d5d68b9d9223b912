"""Starting `tonewatch run` as an operator would: a separate process, on a free port, until SIGTERM."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import sys
import time
from collections import Counter
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import Engine

from bot.messages.places import PlaceRegistry
from tests.fakes.messages_api import Reply, neutral_analysis, tool_use
from tests.fakes.slack_api import Call, FakeSlackAPI
from tests.support.slack_requests import (
    ACME_TEAM,
    ALERTS,
    CUSTOMER,
    STAFF,
    base_environment,
    event_body,
    message_event,
    populate,
    signed_headers,
)


async def start_tonewatch_run(environment: dict[str, str], cwd: Path, timeout: float = 60.0):
    """(the process, its base URL) once it says it is listening; its stderr stays readable."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--port",
        "0",
        cwd=cwd,
        env=environment,
        stderr=asyncio.subprocess.PIPE,
    )
    banner = ""
    while "listening on" not in banner:
        line = await asyncio.wait_for(process.stderr.readline(), timeout)
        if not line:
            raise RuntimeError("tonewatch run exited before listening")
        banner = line.decode()
    return process, banner.split("listening on ", 1)[1].strip()


# --- crash and multi-process tests: a drained, killable process, its settings and its Slack world ----------


@dataclass
class TonewatchProcess:
    """A running `tonewatch run`: its base URL and its stderr (read all along, so it never blocks)."""

    process: asyncio.subprocess.Process
    url: str
    stderr: list[str] = field(default_factory=list)
    _reader: asyncio.Task | None = None

    @property
    def running(self) -> bool:
        return self.process.returncode is None

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash or an OOM kill."""
        if self.running:
            self.process.kill()
        await self.process.wait()
        await self._stop_reading()

    async def terminate(self, timeout: float = 20.0) -> int:
        """SIGTERM, and the exit code once in-flight work is finished."""
        if self.running:
            self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), timeout)
        await self._stop_reading()
        return code

    async def _stop_reading(self) -> None:
        if self._reader is not None:
            await asyncio.wait_for(self._reader, 5)


async def run_tonewatch(environment: dict[str, str], cwd: Path) -> TonewatchProcess:
    """Start `tonewatch run` and keep reading its stderr in the background."""
    process, url = await start_tonewatch_run(environment, cwd)
    started = TonewatchProcess(process, url)

    async def read() -> None:
        assert process.stderr is not None
        while line := await process.stderr.readline():
            started.stderr.append(line.decode(errors="replace"))

    started._reader = asyncio.create_task(read())
    return started


@asynccontextmanager
async def tonewatch_processes(environment: dict[str, str], cwd: Path, count: int = 1):
    """`count` processes of `tonewatch run` on the same settings, each killed at exit if still running."""
    started = list(await asyncio.gather(*(run_tonewatch(environment, cwd) for _ in range(count))))
    try:
        yield started
    finally:
        for one in started:
            await one.kill()


#: Settings a test sets itself; the developer's own never leak into the process.
_PROJECT_SETTINGS = ("SLACK_", "ANTHROPIC_", "TEAMS_", "TONEWATCH_", "DATABASE_URL")


def process_environment(**settings: str) -> dict[str, str]:
    """This machine's environment without any project setting, plus `settings`."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(_PROJECT_SETTINGS)}
    return {**inherited, **settings}


def run_environment(
    slack_api: FakeSlackAPI, database_url: str, messages_url: str, cwd: Path, **extra: str
) -> dict[str, str]:
    """One Slack workspace on the Slack stand-in, Claude for every message on the Messages API stand-in."""
    settings = {
        **base_environment(slack_api, database_url),
        "ANTHROPIC_API_KEY": "test-key",
        "ANTHROPIC_BASE_URL": messages_url,
        "TONEWATCH_LLM_POLICY": "all",
        "TONEWATCH_DIGEST_NARRATIVE": "false",
        "TONEWATCH_CHART_DIR": str(cwd / "charts"),
        "TONEWATCH_LOG_LEVEL": "WARNING",
        **extra,
    }
    return process_environment(**settings)


def customer_channels(slack_api: FakeSlackAPI, engine: Engine, count: int) -> dict[str, str]:
    """`count` Slack Connect channels, each watched for its own account, and #cs-alerts.

    Returns {channel: account}.
    """
    populate(slack_api)
    places = PlaceRegistry(engine)
    channels = {}
    for n in range(count):
        channel, account = f"C_CUST{n:02d}", f"Customer {n:02d}"
        slack_api.add_channel(
            channel, f"cust-{n:02d}", external=True, connected_team=ACME_TEAM, members=(STAFF, CUSTOMER)
        )
        places.watch("slack", channel, f"cust-{n:02d}", account, is_external=True)
        channels[channel] = account
    places.set_alert_channel("slack", ALERTS, "cs-alerts", is_external=False)
    return channels


#: What Claude says about every message in these tests: a critical reliability escalation.
ESCALATION_ANALYSIS = neutral_analysis(
    score=-0.85,
    label="negative",
    intensity="strong",
    emotions=["frustration"],
    urgency="high",
    concerns=["reliability"],
    churn_risk=True,
    confidence=0.9,
    recommended_action="escalate",
    recommended_response="Call them today.",
)


def escalation_analysis(body: dict[str, Any]) -> Reply:
    """The Messages API stand-in's answer to every request: `ESCALATION_ANALYSIS`."""
    return tool_use(ESCALATION_ANALYSIS)


_message_numbers = itertools.count(1)


def customer_message(channel: str, account: str) -> dict[str, Any]:
    """A Slack message event from the customer, with a fresh ts and a text naming its account."""
    n = next(_message_numbers)
    ts = f"{int(time.time())}.{n:06d}"
    text = f"{account}: the sync failed again (#{n}). We are reconsidering the renewal if this goes on."
    return message_event(channel, CUSTOMER, text, ts=ts)


async def deliver(
    http: aiohttp.ClientSession, url: str, event: dict[str, Any], event_id: str, retry: int | None = None
) -> int:
    """Deliver an event as Slack does (signed; a redelivery carries X-Slack-Retry-Num); the HTTP status."""
    body = json.dumps(event_body(event, event_id))
    headers = signed_headers(body, "application/json")
    if retry:
        headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
    async with http.post(f"{url}/slack/events", data=body.encode(), headers=headers) as response:
        return response.status


def alert_roots(slack_api: FakeSlackAPI) -> list[Call]:
    """Alert posts (not thread replies, not digests) Slack carried out in #cs-alerts."""
    return [
        call
        for call in slack_api.posts(ALERTS)
        if call.ok and not call.args.get("thread_ts") and not call.text.startswith(DIGEST_HEADING)
    ]


def alert_thread_replies(slack_api: FakeSlackAPI) -> list[Call]:
    return [call for call in slack_api.posts(ALERTS) if call.ok and call.args.get("thread_ts")]


def alerts_in_slack(slack_api: FakeSlackAPI, accounts: list[str]) -> tuple[Counter, dict[str, list[str]]]:
    """What #cs-alerts shows: alert posts per account, and the texts in each account's alert threads."""

    def account_in(text: str) -> str | None:
        return next((account for account in accounts if f"· {account}:" in text), None)

    posted = list(slack_api.messages[ALERTS])
    roots = {m["ts"]: account_in(m["text"]) for m in posted if not m.get("thread_ts")}
    threads: dict[str, list[str]] = {}
    for m in posted:
        if m.get("thread_ts"):
            threads.setdefault(roots.get(m["thread_ts"]) or "?", []).append(m["text"])
    return Counter(account for account in roots.values() if account), threads


#: How a digest post's text begins (bot/digest/render.py).
DIGEST_HEADING = "Customer sentiment · "
