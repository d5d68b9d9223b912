"""Requests the demo makes to the running app, as Slack and the ingest clients make them.

Slack signs each request (docs.slack.dev "Verifying requests from Slack"):
`v0=` + HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing secret. The
app's Bolt listener checks exactly that, so these requests take the same
path as real ones.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import aiohttp

from bot.demo.slack_standin import APP_ID, BOT_USER, HOME_TEAM


def slack_signature(secret: str, timestamp: str, body: str) -> str:
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


def slack_ts(moment: datetime, serial: int) -> str:
    """A message ts at `moment`; the serial keeps two messages of the same second apart."""
    return f"{int(moment.timestamp())}.{serial:06d}"


class AppRequests:
    """Signed Events API and slash-command requests, and POST /ingest, to the app at `base_url`."""

    def __init__(
        self, http: aiohttp.ClientSession, base_url: str, signing_secret: str, ingest_token: str, api
    ) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.signing_secret = signing_secret
        self.ingest_token = ingest_token
        self.api = api
        self._ids = itertools.count(1)

    async def _slack(self, body: str, content_type: str) -> None:
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": slack_signature(self.signing_secret, timestamp, body),
        }
        async with self.http.post(
            f"{self.base_url}/slack/events", data=body.encode(), headers=headers
        ) as reply:
            if reply.status != 200:
                raise RuntimeError(
                    f"the app answered {reply.status} to a Slack request: {await reply.text()}"
                )

    async def event(self, event: dict[str, Any]) -> None:
        body = {
            "token": "unused",
            "team_id": HOME_TEAM,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": f"EvDEMO{next(self._ids):06d}",
            "event_time": int(time.time()),
            "authorizations": [
                {"team_id": HOME_TEAM, "user_id": BOT_USER, "is_bot": True, "is_enterprise_install": False}
            ],
        }
        await self._slack(json.dumps(body), "application/json")

    async def message(
        self,
        channel: str,
        user: str,
        text: str,
        ts: str,
        thread_ts: str | None = None,
        user_team: str | None = None,
        kind: str = "message",
    ) -> None:
        event: dict[str, Any] = {
            "type": kind,
            "channel": channel,
            "user": user,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "channel_type": "im" if channel.startswith("D") else "channel",
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        if user_team:
            event["user_team"] = user_team
        await self.event(event)

    async def command(self, text: str, user: str, channel: str) -> str:
        """Run `/tonewatch text`; returns the name its answer comes under (`FakeSlackAPI.responses`)."""
        name = f"demo-cmd-{next(self._ids)}"
        form = urlencode(
            {
                "token": "unused",
                "team_id": HOME_TEAM,
                "channel_id": channel,
                "user_id": user,
                "command": "/tonewatch",
                "text": text,
                "api_app_id": APP_ID,
                "response_url": self.api.response_url(name),
                "trigger_id": f"trigger-{name}",
            }
        )
        await self._slack(form, "application/x-www-form-urlencoded")
        return name

    async def ingest(self, item: dict[str, Any]) -> None:
        headers = {"Authorization": f"Bearer {self.ingest_token}"}
        async with self.http.post(f"{self.base_url}/ingest", json=item, headers=headers) as reply:
            if reply.status not in (200, 201):
                raise RuntimeError(f"/ingest answered {reply.status}: {await reply.text()}")
