"""Signed Slack requests, payload builders, a condition waiter, and the running-Tonewatch fixture.

Tests drive the real AsyncApp through the real aiohttp server with requests
signed as Slack signs them (`SignatureVerifier.generate_signature`), against
the Web API stand-in of `tests/fakes/slack_api.py`:

    pytest_plugins = ("tests.support.slack_fixtures",)   # the `slack` and `slack_api` fixtures

    async def test_x(slack):
        await slack.event(message_event("C_ACME", "U_CUST", "It broke again"))
        await wait_for(lambda: slack.api.posts("C_ALERTS"))
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer
from slack_sdk.signature import SignatureVerifier
from sqlmodel import select

from bot.composition import Core, Runtime, build_core, build_runtime
from bot.config.settings import load_settings
from bot.runtime.server import build_web_app, mark_ready
from storage.db import session_scope
from storage.models import Alert, CustomerMessage
from tests.fakes.slack_api import APP_ID, BOT_USER, HOME_TEAM, Call, FakeSlackAPI
from tests.support.waiting import wait_for

SIGNING_SECRET = "test-signing-secret-0123456789"
BOT_TOKEN = "xoxb-test-token"
ACME_TEAM = "T_ACME"
STAFF = "U_SAM"
CUSTOMER = "U_MARIA"
GUEST = "U_GUEST"
ALERTS = "C_ALERTS"
SHARED = "C_ACME"
PLAIN = "C_INITECH"

ESCALATION = (
    "I've been waiting three days for someone to respond to my support ticket about the integration issue. "
    "This is the second time this month that your system has failed during our critical processing window. "
    "We're seriously reconsidering our renewal next quarter if reliability doesn't improve."
)

_ids = itertools.count(1)


def signed_headers(
    body: str, content_type: str, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = SignatureVerifier(secret).generate_signature(timestamp=str(timestamp), body=body)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature,
    }


def next_ts() -> str:
    n = next(_ids)
    return f"{1_800_000_000 + n}.{n:06d}"


def message_event(channel: str, user: str, text: str, ts: str | None = None, **extra: Any) -> dict[str, Any]:
    ts = ts or next_ts()
    event = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": "im" if channel.startswith("D") else "channel",
    }
    event.update(extra)
    return event


def event_body(event: dict[str, Any], event_id: str | None = None, team: str = HOME_TEAM) -> dict[str, Any]:
    return {
        "token": "legacy-unused",
        "team_id": team,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team,
                "user_id": BOT_USER,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
    }


def command_form(text: str, user: str, channel: str, response_url: str, team: str = HOME_TEAM) -> str:
    return urlencode(
        {
            "token": "legacy-unused",
            "team_id": team,
            "channel_id": channel,
            "channel_name": channel.lower(),
            "user_id": user,
            "user_name": user.lower(),
            "command": "/tonewatch",
            "text": text,
            "api_app_id": APP_ID,
            "response_url": response_url,
            "trigger_id": f"trigger-{next(_ids)}",
        }
    )


def action_payload(
    action_id: str,
    user: str,
    *,
    value: str | None = None,
    selected: str | None = None,
    channel: str = ALERTS,
    message_ts: str = "1.0",
    team: str = HOME_TEAM,
) -> dict[str, Any]:
    action: dict[str, Any] = {"action_id": action_id, "block_id": "alert", "type": "button", "action_ts": "1"}
    if value is not None:
        action["value"] = value
    if selected is not None:
        action.update(
            type="static_select",
            selected_option={"text": {"type": "plain_text", "text": selected}, "value": selected},
        )
    return {
        "type": "block_actions",
        "team": {"id": team, "domain": "home"},
        "user": {"id": user, "team_id": team},
        "api_app_id": APP_ID,
        "trigger_id": f"trigger-{next(_ids)}",
        "container": {"type": "message", "channel_id": channel, "message_ts": message_ts},
        "channel": {"id": channel},
        "actions": [action],
    }


def submission_payload(
    callback_id: str, user: str, private_metadata: str, values: dict[str, Any], team: str = HOME_TEAM
) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": team, "domain": "home"},
        "user": {"id": user, "team_id": team},
        "api_app_id": APP_ID,
        "view": {
            "id": f"V{next(_ids)}",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "state": {"values": values},
            "team_id": team,
        },
    }


@dataclass
class SlackHarness:
    """Tonewatch running with its Slack surface, and ways to talk to it as Slack does."""

    api: FakeSlackAPI
    http: TestClient
    core: Core
    runtime: Runtime

    async def post(self, body: str, content_type: str, *, retry: int | None = None, **signing: Any):
        headers = signed_headers(body, content_type, **signing)
        if retry:
            headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
        return await self.http.post("/slack/events", data=body.encode(), headers=headers)

    async def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry: int | None = None, **kw
    ):
        response = await self.post(
            json.dumps(event_body(event, event_id)), "application/json", retry=retry, **kw
        )
        return response

    async def command(self, text: str, user: str = STAFF, channel: str = SHARED):
        name = f"cmd{next(_ids)}"
        form = command_form(text, user, channel, self.api.response_url(name, user=user))
        response = await self.post(form, "application/x-www-form-urlencoded")
        assert response.status == 200, await response.text()
        answers = await wait_for(lambda: self.api.responses(name), what=f"the answer to /tonewatch {text}")
        return answers[0]

    async def interact(self, payload: dict[str, Any]):
        form = urlencode({"payload": json.dumps(payload)})
        return await self.post(form, "application/x-www-form-urlencoded")

    def set_up(self) -> None:
        """Acme's shared channel watched, #cs-alerts the alert channel (as the commands would leave it)."""
        self.core.places.watch("slack", SHARED, "acme-shared", "Acme Corp", is_external=True)
        self.core.places.set_alert_channel("slack", ALERTS, "cs-alerts", is_external=False)

    async def alert_posted(self, text: str = "") -> tuple[Call, Call]:
        """Send a customer message and wait for its alert and the alert's thread reply."""
        response = await self.event(message_event(SHARED, CUSTOMER, text or ESCALATION))
        assert response.status == 200
        return await self.posted_alert()

    async def posted_alert(self) -> tuple[Call, Call]:
        """The alert root and its thread reply, once both are posted."""
        root = await wait_for(
            lambda: [c for c in self.api.posts(ALERTS) if c.ok and not c.args.get("thread_ts")][:1],
            what="the alert",
        )
        ts = self.api.messages[ALERTS][0]["ts"]
        thread = await wait_for(
            lambda: [c for c in self.api.posts(ALERTS) if c.ok and c.args.get("thread_ts") == ts][:1],
            what="its thread",
        )
        return root[0], thread[0]

    @property
    def deps(self):
        return self.runtime.platforms["slack"].deps

    # --- database views ---------------------------------------------------------------------

    def messages(self) -> list[CustomerMessage]:
        with session_scope(self.core.engine) as session:
            return list(session.exec(select(CustomerMessage).order_by(CustomerMessage.id)).all())

    def alerts(self) -> list[Alert]:
        with session_scope(self.core.engine) as session:
            return list(session.exec(select(Alert).order_by(Alert.id)).all())


def populate(api: FakeSlackAPI) -> None:
    """A small world: our CSM Sam, Maria at Acme (Slack Connect), a guest, three channels."""
    from handlers.slack.blocks import REFUSAL

    api.refusals.add(REFUSAL)  # what someone outside the team may be told (see FakeSlackAPI.violations)
    api.add_team(ACME_TEAM, "Acme Corp")
    api.add_user(STAFF, email="sam@home.test", name="sam")
    api.add_user(CUSTOMER, team_id=ACME_TEAM, email="maria@acme.test", name="maria")
    api.add_user(GUEST, email="pat@initech.test", name="pat", restricted=True)
    api.add_user("U_BOB", email="bob@initech.test", name="bob")
    api.add_channel(ALERTS, "cs-alerts", members=(STAFF,))
    api.add_channel(SHARED, "acme-shared", external=True, connected_team=ACME_TEAM, members=(STAFF, CUSTOMER))
    api.add_channel(PLAIN, "initech", members=(STAFF, GUEST, "U_BOB"))


def slack_environment(
    monkeypatch: pytest.MonkeyPatch, api: FakeSlackAPI, database_url: str, **extra: str
) -> None:
    """Settings for one workspace; pass NAME="" to leave a setting out."""
    for name, value in {**base_environment(api, database_url), **extra}.items():
        if value:
            monkeypatch.setenv(name, value)
        else:
            monkeypatch.delenv(name, raising=False)


def base_environment(api: FakeSlackAPI, database_url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api.url,
        "TONEWATCH_LLM_POLICY": "off",
    }


@asynccontextmanager
async def running_tonewatch(
    api: FakeSlackAPI, database_url: str, monkeypatch: pytest.MonkeyPatch, **environment: str
) -> AsyncIterator[SlackHarness]:
    """Tonewatch built by the composition root, served on an ephemeral port, its worker running."""
    populate(api)
    slack_environment(monkeypatch, api, database_url, **environment)
    core = build_core(load_settings(env_file=None))
    runtime = build_runtime(core, poll_seconds=0.2)
    app = build_web_app(core.engine, core.telemetry, runtime.surfaces)
    http = TestClient(TestServer(app, host="127.0.0.1", port=0))
    await http.start_server()
    started = [s for s in runtime.surfaces if s.start is not None]
    for surface in started:
        await surface.start()
    mark_ready(app)
    worker = asyncio.create_task(runtime.worker.run_forever())
    try:
        yield SlackHarness(api, http, core, runtime)
    finally:
        runtime.worker.stop()
        await asyncio.wait_for(worker, 10)
        for surface in runtime.surfaces:
            if surface.stop is not None:
                await surface.stop()
        await http.close()
        await core.aclose()
