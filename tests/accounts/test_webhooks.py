"""Signed outbound webhooks, received by a real HTTP receiver on loopback that verifies each signature."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bot.composition import build_core, build_runtime
from bot.config.settings import load_settings
from bot.health.changes import record_colour_changes
from bot.health.rules import load_health_rules
from bot.runtime.server import build_web_app, mark_ready
from bot.webhooks import WebhookEvents, sign
from storage.book import book_rows
from storage.db import session_scope
from storage.errors import ConfigError
from storage.models import WebhookEvent, WorkItem
from storage.queue import depth
from tests.support.history import History

SECRET = "whsec-test-0123456789abcdef"
TOKEN = "ingest-token-0123456789abcdef"


@dataclass
class Receiver:
    """A webhook endpoint: verifies the signature the way docs/webhooks.md shows, then records."""

    url: str = ""
    fail_first: int = 0
    received: list[dict] = field(default_factory=list)
    attempts: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        timestamp = request.headers["X-Tonewatch-Timestamp"]
        expected = (
            "sha256="
            + hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        )
        if not hmac.compare_digest(expected, request.headers["X-Tonewatch-Signature"]):
            self.refused.append("signature")
            return web.Response(status=401)
        if abs(time.time() - int(timestamp)) > 300:
            self.refused.append("stale")
            return web.Response(status=401)
        event = json.loads(body)
        self.attempts.append(event["id"])
        if len(self.attempts) <= self.fail_first:
            return web.Response(status=503)
        self.received.append(event)
        return web.Response(status=204)

    def of(self, kind: str) -> list[dict]:
        return [event for event in self.received if event["type"] == kind]


@asynccontextmanager
async def receiving(fail_first: int = 0) -> AsyncIterator[Receiver]:
    receiver = Receiver(fail_first=fail_first)
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    receiver.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        yield receiver
    finally:
        await runner.cleanup()


async def wait_for(predicate, timeout: float = 15.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
    return value


@asynccontextmanager
async def running(monkeypatch, sqlite_url: str, receiver: Receiver, events: str = "") -> AsyncIterator:
    for name, value in {
        "DATABASE_URL": sqlite_url,
        "TONEWATCH_INGEST_TOKEN": TOKEN,
        "TONEWATCH_LLM_POLICY": "off",
        "TONEWATCH_WEBHOOK_URLS": receiver.url,
        "TONEWATCH_WEBHOOK_SECRET": SECRET,
        "TONEWATCH_WEBHOOK_EVENTS": events,
    }.items():
        monkeypatch.setenv(name, value)
    core = build_core(load_settings(env_file=None))
    runtime = build_runtime(core, poll_seconds=0.05)
    app = build_web_app(core.engine, core.telemetry, runtime.surfaces)
    http = TestClient(TestServer(app, host="127.0.0.1", port=0))
    await http.start_server()
    mark_ready(app)
    worker = asyncio.create_task(runtime.worker.run_forever())
    try:
        yield core, http
    finally:
        runtime.worker.stop()
        await asyncio.wait_for(worker, 10)
        await http.close()
        await core.aclose()


DETRACTOR = {
    "source": "nps",
    "account": "Acme Corp",
    "score": 2,
    "text": "Support ignored us for a week.",
    "external_id": "nps-1",
}


@pytest.mark.slow
async def test_alert_events_are_signed_and_retried_with_the_same_id(monkeypatch, sqlite_url):
    async with (
        receiving(fail_first=1) as receiver,
        running(monkeypatch, sqlite_url, receiver, events="alert.opened,alert.resolved,message.analyzed") as (
            core,
            http,
        ),
    ):
        response = await http.post("/ingest", json=DETRACTOR, headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status == 201
        [opened] = await wait_for(lambda: receiver.of("alert.opened"), what="alert.opened")
        [analyzed] = await wait_for(lambda: receiver.of("message.analyzed"), what="message.analyzed")
        # The first attempt was refused with 503 and retried: the same event id both times.
        assert receiver.attempts.count(receiver.attempts[0]) == 2
        assert receiver.refused == []
        assert opened["data"]["account"] == "Acme Corp" and opened["data"]["severity"] == "critical"
        assert set(opened) == {"type", "id", "occurred_at", "data"}
        assert datetime.fromisoformat(opened["occurred_at"]).tzinfo is not None
        assert analyzed["data"]["label"] == "negative" and analyzed["data"]["source"] == "nps"
        assert "Support ignored us" not in json.dumps(receiver.received)  # customer text never leaves
        core.alerts.set_status(opened["data"]["alert_id"], "resolved")
        [resolved] = await wait_for(lambda: receiver.of("alert.resolved"), what="alert.resolved")
        assert resolved["data"]["alert_id"] == opened["data"]["alert_id"] and resolved["id"] != opened["id"]
        core.alerts.set_status(opened["data"]["alert_id"], "resolved")  # again: no second event
        with session_scope(core.engine) as session:
            kinds = [e.type for e in session.exec(select(WebhookEvent)).all()]
        assert kinds.count("alert.resolved") == 1 and kinds.count("alert.opened") == 1


async def test_message_analyzed_is_opt_in(monkeypatch, sqlite_url):
    async with receiving() as receiver, running(monkeypatch, sqlite_url, receiver) as (core, http):
        response = await http.post("/ingest", json=DETRACTOR, headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status == 201
        await wait_for(lambda: receiver.of("alert.opened"), what="alert.opened")
        assert receiver.of("message.analyzed") == []


async def test_a_colour_change_emits_light_changed_and_suppression(monkeypatch, sqlite_url):
    async with receiving() as receiver, running(monkeypatch, sqlite_url, receiver) as (core, _):
        now = datetime.now(UTC)
        history = History(core.engine, now)
        for days in (1, 2, 3, 4):
            history.say("Acme Corp", days, -0.8, churn=True)
        rules = load_health_rules(None, -0.6, -0.3)
        with session_scope(core.engine) as session:
            [change] = record_colour_changes(session, now, rules, now.date().isoformat(), core.events)
        assert change.to_light == "red"
        [light] = await wait_for(lambda: receiver.of("account.light_changed"), what="light_changed")
        [flag] = await wait_for(lambda: receiver.of("account.suppression_changed"), what="suppression")
        assert light["data"] == light["data"] | {"account": "Acme Corp", "from": None, "to": "red"}
        assert flag["data"]["suppress_outreach"] is True and flag["data"]["reason"] == "turned red"
        with session_scope(core.engine) as session:
            [row] = book_rows(session)
        assert row.suppress_outreach


def test_webhook_settings_are_checked(monkeypatch):
    monkeypatch.setenv("TONEWATCH_WEBHOOK_URLS", "https://example.test/hook")
    with pytest.raises(ConfigError, match="TONEWATCH_WEBHOOK_SECRET is required"):
        load_settings(env_file=None)
    monkeypatch.setenv("TONEWATCH_WEBHOOK_SECRET", "x" * 20)
    monkeypatch.setenv("TONEWATCH_WEBHOOK_URLS", "ftp://example.test/hook")
    with pytest.raises(ConfigError, match="TONEWATCH_WEBHOOK_URLS"):
        load_settings(env_file=None)
    monkeypatch.setenv("TONEWATCH_WEBHOOK_URLS", "https://example.test/hook")
    monkeypatch.setenv("TONEWATCH_WEBHOOK_EVENTS", "alert.exploded")
    with pytest.raises(ConfigError, match="TONEWATCH_WEBHOOK_EVENTS"):
        load_settings(env_file=None)
    monkeypatch.setenv("TONEWATCH_WEBHOOK_EVENTS", "all")
    settings = load_settings(env_file=None)
    assert "message.analyzed" in settings.webhook_events
    assert WebhookEvents(("http://x.test",), settings.webhook_events).wants("message.analyzed")
    assert not WebhookEvents((), settings.webhook_events).wants("alert.opened")  # no endpoint, no event


def test_signature_matches_the_documented_recipe():
    body = b'{"type":"alert.opened"}'
    expected = hmac.new(SECRET.encode(), b"1700000000." + body, hashlib.sha256).hexdigest()
    assert sign(SECRET, 1700000000, body) == f"sha256={expected}"


async def test_an_unreachable_endpoint_is_retried_not_lost(monkeypatch, sqlite_url):
    async with receiving() as receiver:
        url = receiver.url
    # The receiver is gone: the delivery fails and stays queued for a retry.
    dead = Receiver(url=url)
    async with running(monkeypatch, sqlite_url, dead) as (core, http):
        response = await http.post("/ingest", json=DETRACTOR, headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status == 201
        await wait_for(
            lambda: depth(core.engine).get("pending", 0) >= 1 and _failed_once(core.engine),
            what="a failed delivery waiting for its retry",
        )


def _failed_once(engine) -> bool:
    with session_scope(engine) as session:
        items = session.exec(select(WorkItem).where(WorkItem.kind == "deliver_webhook")).all()
        return any(item.attempts >= 1 and item.status == "pending" and item.last_error for item in items)


def test_forgetting_an_account_drops_its_undelivered_events(sqlite_engine):
    from bot.accounts.suppression import flag
    from bot.privacy.erasure import forget_account
    from storage.queries import find_account

    events = WebhookEvents(("http://127.0.0.1:9/hook",), ("account.suppression_changed",))
    History(sqlite_engine, datetime.now(UTC)).say("Acme Corp", 1, -0.5)
    History(sqlite_engine, datetime.now(UTC)).say("Globex", 1, -0.5)
    with session_scope(sqlite_engine) as session:
        flag(session, find_account(session, "Acme Corp"), "turned red", events)
        flag(session, find_account(session, "Globex"), "turned red", events)
    forget_account(sqlite_engine, "Acme Corp")
    with session_scope(sqlite_engine) as session:
        bodies = [e.body for e in session.exec(select(WebhookEvent)).all()]
    assert len(bodies) == 1 and "Globex" in bodies[0] and "Acme" not in bodies[0]
