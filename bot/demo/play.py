"""`tonewatch demo`: a week of a small portfolio played through the real app, with no keys and no network.

The real composition root builds Tonewatch on the embedded default (a SQLite
file in the output folder, the offline analyzer) with Slack pointed at a
local stand-in of the Web API (`bot.demo.slack_standin`). The app serves HTTP on
loopback; the demo then does what Slack and a team would do:

1. sets Tonewatch up with signed `/tonewatch` commands (alert channel, one
   watched Slack Connect channel per account, the Monday digest);
2. imports four weeks of history (`bot.messages.importer`), then plays the last week
   in time order: conversation as signed Events API requests, survey answers
   and a call transcript through POST /ingest; the worker scores each message
   and posts alerts, threads and drafts into #cs-alerts;
3. asks "how is Acme doing?" in a DM and "who was negative this week?" by
   mention, and runs the scheduler's digest job for Monday 23 Nov 09:00;
4. prints what Slack would show (from the stand-in's recorded calls) and where
   the chart PNG was written, and checks nothing internal reached a customer.

The week is in the past, so the demo runs on a clock of its own: each alert is
dated when its message arrives, and questions and the digest are answered as
of Monday 23 Nov 2026, 09:05 UTC.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from pydantic import SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from bot.composition import Core, build_core, build_runtime
from bot.config.settings import LlmPolicy, Settings
from bot.crm.standins import TOKEN as CRM_TOKEN
from bot.crm.standins import FakeHubSpot
from bot.demo.requests import AppRequests, slack_ts
from bot.demo.script import (
    ALERTS,
    ASKER,
    DEMO_NOW,
    HOME_TEAM,
    LEAD,
    LEADS,
    WEEK_START,
    DemoWorld,
    Row,
    load_rows,
    portfolio_path,
)
from bot.demo.slack_standin import FakeSlackAPI
from bot.messages.importer import inbound_from_record
from bot.runtime.server import build_web_app, mark_ready
from storage.errors import UserError
from storage.queue import due_count, failed_count
from storage.types import utcnow

DEFAULT_OUT = Path("tonewatch-demo")
DATABASE_NAME = "tonewatch-demo.db"
WAIT_SECONDS = 30.0
ACCOUNT_QUESTION = "how is Acme doing?"
CHANNEL_QUESTION = "who was negative this week?"


class DemoClock:
    """The demo's "now": moved forward as the week is played."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


class _DemoSettings(Settings):
    """Settings from the demo alone: no environment, no .env (no keys are read, none are needed)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def demo_settings(
    database: Path,
    slack_api_url: str,
    chart_dir: Path,
    signing_secret: str,
    token: str,
    hubspot_url: str | None,
) -> Settings:
    # The CRM sync plays only where the hubspot extra is installed (a Slack-only install has no client).
    crm: dict[str, Any] = {}
    if hubspot_url:
        crm = {"TONEWATCH_HUBSPOT_TOKEN": SecretStr(CRM_TOKEN), "TONEWATCH_HUBSPOT_URL": hubspot_url}
    return _DemoSettings(
        **crm,
        DATABASE_URL=f"sqlite:///{database}",
        SLACK_BOT_TOKEN=SecretStr("xoxb-tonewatch-demo"),
        SLACK_SIGNING_SECRET=SecretStr(signing_secret),
        SLACK_API_URL=slack_api_url,
        TONEWATCH_INGEST_TOKEN=SecretStr(token),
        TONEWATCH_LLM_POLICY=LlmPolicy.off,
        TONEWATCH_CHART_DIR=str(chart_dir),
        TONEWATCH_COMPETITORS="Relaybase",
        TONEWATCH_DIGEST_TIMEZONE="UTC",
    )


@dataclass
class DayPlayed:
    day: datetime
    slack: int = 0
    ingested: int = 0
    alerts: int = 0


@dataclass
class DemoRun:
    """What happened, for the printout (and the test)."""

    out: Path
    api: FakeSlackAPI
    world: DemoWorld
    history: int = 0
    setup: list[tuple[str, str, str]] = field(default_factory=list)
    #: The account book set from chat: (command, channel, answer).
    book: list[tuple[str, str, str]] = field(default_factory=list)
    #: The HubSpot stand-in the CRM sync talks to.
    crm: FakeHubSpot | None = None
    crm_sync: list[dict] = field(default_factory=list)
    days: list[DayPlayed] = field(default_factory=list)
    digest_outcomes: list[str] = field(default_factory=list)
    chart: Path | None = None
    account_chart: Path | None = None
    failed_work: int = 0
    seconds: float = 0.0


#: The account book, as a CSM sets it from chat: owners (their alerts also come by DM), value, renewal.
BOOK_COMMANDS = (
    f"account Acme Corp owner <@{LEAD}> arr 240k renews 2027-01-15 tier enterprise crm hubspot:101",
    f"account Globex owner <@{LEAD}> arr 85000 renews 2027-06-30 crm hubspot:102",
)


def hubspot_installed() -> bool:
    """Whether the `hubspot` extra's client is importable (the demo's CRM part needs it)."""
    return importlib.util.find_spec("hubspot") is not None


def crm_stand_in() -> FakeHubSpot:
    """HubSpot with the two companies the book links to (started)."""
    crm = FakeHubSpot().start()
    crm.companies["101"] = {"name": "Acme Corp"}
    crm.companies["102"] = {"name": "Globex"}
    return crm


def fresh_database(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    database = out / DATABASE_NAME
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    return database


async def until(predicate: Callable[[], Any], what: str, timeout: float = WAIT_SECONDS) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise UserError(f"demo: gave up after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.02)


def _due_work(engine) -> int:
    """Work items running, or pending and due now (a retry waiting for its backoff is not counted)."""
    return due_count(engine, utcnow())


class Demo:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.signing_secret = secrets.token_hex(16)
        self.ingest_token = secrets.token_urlsafe(24)
        self.clock = DemoClock(WEEK_START)
        self.serial = 0

    async def settle(self, core: Core, deps: Any) -> None:
        """Wait until the worker and the Slack listeners have nothing left to do."""
        deadline = time.monotonic() + WAIT_SECONDS
        while await asyncio.to_thread(_due_work, core.engine) or deps.background.tasks:
            if time.monotonic() > deadline:
                raise UserError("demo: the worker did not finish in time")
            await asyncio.sleep(0.02)

    def ts(self, moment: datetime) -> str:
        self.serial += 1
        return slack_ts(moment, self.serial)

    async def run(self) -> DemoRun:
        started = time.monotonic()
        database = fresh_database(self.out)
        rows = load_rows(portfolio_path())
        world = DemoWorld.from_rows(rows)
        api = FakeSlackAPI().start()
        run = DemoRun(self.out, api, world)
        run.crm = crm_stand_in() if hubspot_installed() else None
        try:
            world.populate(api)
            settings = demo_settings(
                database, api.url, self.out / "charts", self.signing_secret, self.ingest_token,
                run.crm.url if run.crm is not None else None,
            )
            core = build_core(settings, clock=self.clock)
            run.history = await self._import_history(core, [r for r in rows if r.created_at < WEEK_START])
            await self._serve(core, run, [r for r in rows if r.created_at >= WEEK_START])
        except BaseException:
            api.close()
            if run.crm is not None:
                run.crm.close()
            raise
        run.seconds = time.monotonic() - started
        return run

    async def _import_history(self, core: Core, history: list[Row]) -> int:
        messages = [inbound_from_record(row.record, core.settings.max_text_chars) for row in history]
        await asyncio.to_thread(core.pipeline.store_many, messages)
        await core.pipeline.analyze_pending()
        return len(messages)

    async def _serve(self, core: Core, run: DemoRun, week: list[Row]) -> None:
        runtime = build_runtime(core, poll_seconds=0.05, concurrency=4, clock=self.clock)
        slack = runtime.platforms["slack"]
        app = build_web_app(core.engine, core.telemetry, runtime.surfaces)
        runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        port = runner.addresses[0][1]
        worker = asyncio.create_task(runtime.worker.run_forever(), name="tonewatch-demo-worker")
        mark_ready(app)
        try:
            async with aiohttp.ClientSession() as http:
                requests = AppRequests(
                    http, f"http://127.0.0.1:{port}", self.signing_secret, self.ingest_token, run.api
                )
                await self._set_up(requests, run, core, slack.deps)
                await self._play(requests, run, week, core, slack.deps)
                await self._ask(requests, run, core, slack.deps)
            await self._digest(runtime, run)
            if run.crm is not None:
                await self._crm(runtime, run)
            run.failed_work = await asyncio.to_thread(_failed_work, core.engine)
        finally:
            mark_ready(app, False)
            runtime.worker.stop()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(worker, 10)
            for surface in runtime.surfaces:
                if surface.stop is not None:
                    with contextlib.suppress(Exception):
                        await surface.stop()
            await runner.cleanup()
            await core.aclose()

    async def _command(self, requests: AppRequests, run: DemoRun, text: str, user: str, channel: str) -> None:
        name = await requests.command(text, user, channel)
        answers = await until(lambda: run.api.responses(name), f"the answer to /tonewatch {text}")
        run.setup.append((f"/tonewatch {text}", channel, answers[0].text))

    async def _set_up(self, requests: AppRequests, run: DemoRun, core: Core, deps: Any) -> None:
        await self._command(requests, run, "alerts", ASKER, ALERTS)
        for space in run.world.spaces.values():
            await self._command(requests, run, f"watch {space.account}", ASKER, space.channel_id)
        await self._command(requests, run, "digest here mon 09:00 UTC", LEAD, LEADS)
        for text in BOOK_COMMANDS:
            await self._command(requests, run, text, ASKER, ALERTS)
            run.book.append(run.setup.pop())
        await self.settle(core, deps)

    async def _play(
        self, requests: AppRequests, run: DemoRun, week: list[Row], core: Core, deps: Any
    ) -> None:
        threads: dict[tuple[str, str], str] = {}
        for row in week:
            day = row.created_at.replace(hour=0, minute=0, second=0, microsecond=0)
            if not run.days or run.days[-1].day != day:
                run.days.append(DayPlayed(day))
            played = run.days[-1]
            before = _alert_roots(run.api)
            self.clock.moment = row.created_at + timedelta(minutes=1)
            if row.in_slack:
                space, person = run.world.spaces[row.account], run.world.person(row)
                ts = self.ts(row.created_at)
                thread_ts = threads.setdefault((row.account, row.thread), ts)
                await requests.message(
                    space.channel_id,
                    person.user_id,
                    row.text,
                    ts,
                    thread_ts=None if thread_ts == ts else thread_ts,
                    user_team=person.team_id if person.team_id != HOME_TEAM else None,
                )
                played.slack += 1
            else:
                await requests.ingest(_ingest_item(row))
                played.ingested += 1
            await self.settle(core, deps)
            played.alerts += _alert_roots(run.api) - before

    async def _ask(self, requests: AppRequests, run: DemoRun, core: Core, deps: Any) -> None:
        self.clock.moment = DEMO_NOW
        dm = f"D_{ASKER}"
        await requests.message(dm, ASKER, ACCOUNT_QUESTION, self.ts(DEMO_NOW))
        await until(lambda: [c for c in run.api.posts(dm) if c.ok], "the answer in the DM")
        await self.settle(core, deps)
        mention = f"<@{run.api.bot_user_id}> {CHANNEL_QUESTION}"
        await requests.message(LEADS, LEAD, mention, self.ts(DEMO_NOW), kind="app_mention")
        await until(
            lambda: [c for c in run.api.posts(LEADS) if c.ok and c.args.get("thread_ts")], "the answer"
        )
        await self.settle(core, deps)
        charts = sorted((self.out / "charts").glob("account-acme-corp-*.png"))
        run.account_chart = charts[-1] if charts else None

    async def _digest(self, runtime: Any, run: DemoRun) -> None:
        from scheduler.jobs import JobConfig, ScheduledJobs

        poster = runtime.scheduled
        if poster is None:
            raise UserError("demo: no platform offers a digest poster")
        jobs = ScheduledJobs(
            runtime.core.engine,
            poster,
            JobConfig.from_settings(runtime.core.settings),
            clock=self.clock,
            events=runtime.core.events,
        )
        # The hourly colour check: changes recorded, accounts turned red flagged suppress_outreach.
        await jobs.record_health(now=DEMO_NOW)
        target = f"slack:{HOME_TEAM}:{LEADS}"
        monday_nine = DEMO_NOW.replace(hour=9, minute=0)
        for attempt in (DEMO_NOW, DEMO_NOW + timedelta(minutes=10)):
            run.digest_outcomes.append(str(await jobs.digest(target, now=attempt)))
        charts = sorted(
            (self.out / "charts").glob(f"digest-*-{(monday_nine - timedelta(days=7)):%Y-%m-%d}.png")
        )
        run.chart = charts[-1].resolve() if charts else None


    async def _crm(self, runtime: Any, run: DemoRun) -> None:
        """The scheduled CRM sync, once: the book's accounts get their health and suppression in HubSpot."""
        from bot.composition import build_crm_sync

        sync = build_crm_sync(runtime.core.settings, runtime.core.engine)
        summaries = await asyncio.to_thread(sync.sync, DEMO_NOW)
        run.crm_sync = [s.to_json() for s in summaries]


def _ingest_item(row: Row) -> dict[str, Any]:
    item: dict[str, Any] = {
        "source": row.source,
        "account": row.account,
        "text": row.text,
        "created_at": row.created_at.isoformat(),
        "external_id": row.external_id,
        "author": row.author,
        "thread": row.thread,
        "is_customer": row.is_customer,
    }
    if row.score is not None:
        item["score"] = row.score
    return item


def _alert_roots(api: FakeSlackAPI) -> int:
    return sum(1 for c in api.posts(ALERTS) if c.ok and not c.args.get("thread_ts"))


def _failed_work(engine) -> int:
    return failed_count(engine)


async def run_demo(out: Path = DEFAULT_OUT) -> DemoRun:
    """Play the demo into `out`; the caller prints the run (`bot.demo.report`) and closes `run.api`."""
    return await Demo(out).run()
