"""The composition root: the one place that builds clients, stores and analyzers from settings.

Nothing is created at import time anywhere else; handlers, the CLI and the
scheduler receive what they need from here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config.settings import LlmPolicy, Settings
from storage.errors import ConfigError, UserError

if TYPE_CHECKING:
    from bot.accounts.book import AccountBook
    from bot.accounts.suppression import Suppression
    from bot.alerts.delivery import AlertDelivery
    from bot.alerts.service import AlertService
    from bot.analysis.base import Analyzer
    from bot.analysis.offline import OfflineAnalyzer
    from bot.crm.sync import CrmSync
    from bot.health.rules import HealthRules
    from bot.messages.pipeline import MessagePipeline
    from bot.messages.places import PlaceRegistry
    from bot.outbound.port import Poster
    from bot.runtime.server import Surface
    from bot.runtime.telemetry import Telemetry
    from bot.runtime.threads import BackgroundThreads
    from bot.runtime.worker import Worker
    from bot.webhooks import WebhookEvents
    from storage.db import Engine

log = logging.getLogger(__name__)


@dataclass
class Core:
    """Everything platform-free the process needs, built once by `build_core`."""

    settings: Settings
    engine: Engine
    offline: OfflineAnalyzer
    analyzer: Analyzer
    #: Threads for background work (the worker's blocking calls), apart from the requests' executor.
    threads: BackgroundThreads
    events: WebhookEvents
    alerts: AlertService
    pipeline: MessagePipeline
    places: PlaceRegistry
    book: AccountBook
    suppression: Suppression
    telemetry: Telemetry
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def aclose(self) -> None:
        for close in self.closers:
            await close()
        self.threads.close()
        self.engine.dispose()


def build_events(settings: Settings) -> WebhookEvents:
    """Outbound webhook events for TONEWATCH_WEBHOOK_URLS (none when unset)."""
    from bot.webhooks import WebhookEvents

    return WebhookEvents(settings.webhook_urls, settings.webhook_events)


def build_crm_sync(
    settings: Settings, engine: Engine, offload: Callable[..., Awaitable[Any]] = asyncio.to_thread
) -> CrmSync:
    """The CRM sync for the configured CRMs (`tonewatch crm sync`, its job, its task work items)."""
    from bot.crm.factory import build_crm_clients
    from bot.crm.sync import CrmSync

    clients, pushed = build_crm_clients(settings)
    return CrmSync(engine, clients, pushed, health_rules(settings), offload=offload)


def health_rules(settings: Settings) -> HealthRules:
    from bot.health.rules import load_health_rules

    return load_health_rules(settings.health_rules_file, settings.critical_score, settings.warning_score)


def sqlite_file_missing(url: str) -> bool:
    if not url.startswith("sqlite") or url in ("sqlite://", "sqlite:///:memory:"):
        return False
    return not Path(url.split(":///", 1)[-1]).expanduser().exists()


def build_engine(settings: Settings, *, read_only: bool = False) -> Engine:
    """The database engine, once its schema is at the newest revision (storage/migrate.py's rule).

    A database with no Tonewatch schema gets one, unless `read_only` (then: a clear error). A schema that
    is behind stops the command, naming `tonewatch db upgrade`; with TONEWATCH_AUTO_MIGRATE=true a
    command that writes migrates it first. A read-only command never changes the schema."""
    from storage.db import create_db_engine
    from storage.migrate import Status, ensure_schema

    engine = create_db_engine(settings.database_url)
    try:
        auto_migrate = settings.auto_migrate and not read_only
        state = ensure_schema(engine, create=not read_only, auto_migrate=auto_migrate)
        if state.status is Status.EMPTY:
            raise UserError(
                "the database has no Tonewatch schema yet: import history first (tonewatch import FILE) "
                "or create it with: tonewatch db upgrade"
            )
    except BaseException:
        engine.dispose()
        raise
    return engine


def unchecked_engine(settings: Settings) -> Engine:
    """The engine whatever its schema's revision: for `tonewatch db`, which reports or changes it."""
    from storage.db import create_db_engine

    return create_db_engine(settings.database_url)


def engine_if_schema(settings: Settings) -> Engine | None:
    """The engine when the database holds a Tonewatch schema at the newest revision; None when it has no
    schema at all (nothing to read, and nothing is created); a schema that is behind stops the command."""
    from storage.db import create_db_engine
    from storage.migrate import Status, ensure_schema

    engine = create_db_engine(settings.database_url)
    try:
        if ensure_schema(engine, create=False).status is Status.EMPTY:
            engine.dispose()
            return None
    except BaseException:
        engine.dispose()
        raise
    return engine


def build_offline_analyzer(settings: Settings, engine: Engine | None) -> OfflineAnalyzer:
    # Imported here: the rules compile their cue index on import, which the commands that only read
    # the database (account, digest, db) never need.
    from bot.analysis.offline import OfflineAnalyzer

    """The offline analyzer, using the active model from `tonewatch train` when there is one."""
    learned = None
    if engine is None:  # `tonewatch analyze` with no database loads no database code
        return OfflineAnalyzer(learned=learned, competitors=settings.competitor_names)
    from bot.analysis.learned import LearnedModel
    from storage.db import transaction
    from storage.migrate import is_up_to_date
    from storage.queries import active_trained_model

    if is_up_to_date(engine):
        with transaction(engine) as tx:
            stored = active_trained_model(tx)
            if stored is not None:
                # Named by its row in the store, as `tonewatch train` reports it.
                learned = replace(LearnedModel.from_bytes(stored.blob), model_id=str(stored.id))
    return OfflineAnalyzer(learned=learned, competitors=settings.competitor_names)


def build_analyzer(settings: Settings, offline: OfflineAnalyzer) -> tuple[Analyzer, list]:
    """The analyzer the policy asks for: offline only, or offline with Claude (hybrid / all)."""
    if settings.llm_policy == LlmPolicy.off or not settings.claude_configured:
        return offline, []
    from anthropic import AsyncAnthropic

    from bot.analysis.claude import ClaudeAnalyzer
    from bot.analysis.policy import PolicyAnalyzer
    from bot.analysis.prompts import load_prompt

    assert settings.anthropic_api_key is not None
    client = AsyncAnthropic(
        api_key=settings.anthropic_api_key.get_secret_value(),
        base_url=settings.anthropic_base_url,
        timeout=settings.llm_timeout_seconds,
        max_retries=settings.llm_max_retries,
    )
    claude = ClaudeAnalyzer(
        client=client,
        model=settings.analysis_model,
        prompt=load_prompt("analyze_message"),
        offline=offline,
        max_text_chars=settings.max_text_chars,
    )
    policy = PolicyAnalyzer(
        policy=settings.llm_policy.value,
        offline=offline,
        claude=claude,
        low_confidence=settings.llm_low_confidence,
    )
    return policy, [client.close]


#: Threads for the worker's blocking calls: one, on SQLite and on PostgreSQL alike. Every further
#: thread only competes with the event loop and the acknowledgements' stores for the GIL. On SQLite
#: (one writer) three made Slack's acknowledgements wait seconds at 50 events/s; on PostgreSQL, with
#: the worker's reads, saves and completions batched, two gave an acknowledgement p99 of ~100 ms and
#: one ~40 ms, draining as fast (bench/load.py).
BACKGROUND_THREADS = 1


def build_core(settings: Settings, clock: Callable[[], datetime] | None = None) -> Core:
    """The core; `clock` is what "now" is for alert decisions (the demo replays its week on its own)."""
    from bot.accounts.book import AccountBook
    from bot.accounts.suppression import Suppression
    from bot.alerts.policy import PolicyThresholds
    from bot.alerts.service import AlertService
    from bot.messages.pipeline import MessagePipeline
    from bot.messages.places import PlaceRegistry
    from bot.runtime.telemetry import Telemetry
    from bot.runtime.threads import BackgroundThreads

    engine = build_engine(settings)
    offline = build_offline_analyzer(settings, engine)
    analyzer, closers = build_analyzer(settings, offline)
    # Background work gets its own threads so it never queues in front of a request's "store before ack".
    threads = BackgroundThreads(BACKGROUND_THREADS)
    events = build_events(settings)
    alerts = AlertService(
        engine,
        PolicyThresholds(critical_score=settings.critical_score, warning_score=settings.warning_score),
        reply_sla=timedelta(hours=settings.reply_sla_hours),
        events=events,
        value_rules=health_rules(settings).value,
        crm_systems=settings.crm_systems,
        **({"clock": clock} if clock is not None else {}),
    )
    pipeline = MessagePipeline(
        engine,
        analyzer,
        max_text_chars=settings.max_text_chars,
        offload=threads.run,
        # Decisions made in one transaction take their alerts' locks in key order (no deadlocks).
        decision_order=alerts.decision_order,
        on_deleted=alerts.follow_deletion_in,
    )
    return Core(
        settings=settings,
        engine=engine,
        offline=offline,
        analyzer=analyzer,
        threads=threads,
        events=events,
        alerts=alerts,
        pipeline=pipeline,
        places=PlaceRegistry(engine),
        book=AccountBook(engine, events),
        suppression=Suppression(engine, events),
        telemetry=Telemetry(),
        closers=closers,
    )


def check_batch_settings(settings: Settings) -> None:
    """`import --batch` needs Claude (ANTHROPIC_API_KEY) and a policy that asks it (`hybrid` or `all`)."""
    if not settings.claude_configured:
        raise UserError("import --batch needs Claude's Message Batches API: set ANTHROPIC_API_KEY")
    if settings.llm_policy == LlmPolicy.off:
        raise UserError("import --batch sends analyses to Claude, but TONEWATCH_LLM_POLICY=off")


def build_batch_backfill(core: Core, **options):
    """`tonewatch import --batch`: the core's pending messages through the Message Batches API."""
    from bot.analysis.policy import PolicyAnalyzer
    from bot.backfill.batches import BatchBackfill

    settings = core.settings
    check_batch_settings(settings)
    if not isinstance(core.analyzer, PolicyAnalyzer) or core.analyzer.claude is None:
        raise UserError("import --batch sends analyses to Claude: set ANTHROPIC_API_KEY")
    claude = core.analyzer.claude
    return BatchBackfill(
        core.pipeline,
        core.offline,
        claude,
        policy=settings.llm_policy.value,
        low_confidence=settings.llm_low_confidence,
        **options,
    )


# --- the running process: worker, surfaces, posters ------------------------------------------------


@dataclass
class Runtime:
    """What `tonewatch run` serves: the worker, the surfaces and the posters that deliver alerts."""

    core: Core
    worker: Worker
    surfaces: list[Surface]
    #: Each platform's outbound port, by platform name.
    posters: dict[str, Poster]
    delivery: AlertDelivery
    #: What scheduled digests, lists and notices go through: the one platform's poster, a router over
    #: several, or None when no platform is configured.
    scheduled: Poster | None = None
    #: Per platform, what its builder returned (e.g. the Slack app, for tests).
    platforms: dict[str, Any] = field(default_factory=dict)


def configured_surfaces(settings: Settings) -> list[str]:
    """The surfaces the settings turn on (nothing is served when this is empty)."""
    surfaces = ["slack"] if settings.slack_configured else []
    if settings.teams_configured:
        surfaces.append("teams")
    if settings.ingest_token is not None:
        surfaces.append("ingest")
    if settings.inboxes:
        surfaces.append("inboxes")
    return surfaces


def build_slack_runtime(core: Core, worker: Worker, clock: Callable[[], datetime] | None = None):
    """The Slack app and its poster (imports slack_bolt only when Slack is configured)."""
    from handlers.slack.app import build_slack

    return build_slack(
        core.settings,
        core.engine,
        core.pipeline,
        core.places,
        core.alerts,
        core.telemetry,
        worker.wake,
        book=core.book,
        suppression=core.suppression,
        **({"clock": clock} if clock is not None else {}),
    )


TEAMS_EXTRA_MISSING = (
    "Microsoft Teams is configured (TEAMS_APP_ID or TEAMS_LOCAL_DEV) but its SDK is not installed: "
    "pip install 'tonewatch[teams]' (or unset the TEAMS_ settings for a Slack-only install)"
)


def require_platform_libraries(settings: Settings) -> None:
    """Stop start-up with one clear line when a configured platform's optional extra is missing."""
    if settings.teams_configured:
        try:
            import microsoft_agents.authentication.msal  # noqa: F401
            import microsoft_agents.hosting.aiohttp  # noqa: F401
            import microsoft_agents.hosting.core  # noqa: F401
        except ImportError:
            raise ConfigError(TEAMS_EXTRA_MISSING) from None


def build_teams_runtime(core: Core, worker: Worker):
    """The Teams bot, its surface and posters (imports the Agents SDK only when Teams is configured)."""
    require_platform_libraries(core.settings)
    from handlers.teams.app import build_teams

    return build_teams(
        core.settings,
        core.engine,
        core.pipeline,
        core.places,
        core.alerts,
        core.telemetry,
        worker.wake,
        offload=worker.offload,
        book=core.book,
        suppression=core.suppression,
    )


def build_runtime(
    core: Core,
    *,
    poll_seconds: float | None = None,
    concurrency: int | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Runtime:
    """What `tonewatch run` serves, built inside its running event loop (`poll_seconds` and
    `concurrency` override the worker's settings, and `clock` what "now" is for Slack's answers and
    App Home: for tests and the demo)."""
    from bot.alerts.analysis_job import AnalysisJob
    from bot.alerts.delivery import AlertDelivery
    from bot.health.light import AccountLight
    from bot.outbound.routing import one_poster
    from bot.runtime.server import Surface
    from bot.runtime.threads import size_default_executor
    from bot.runtime.worker import Worker
    from bot.webhooks.delivery import WebhookDelivery

    worker = Worker(
        core.engine,
        poll_seconds=poll_seconds if poll_seconds is not None else 2.0,
        concurrency=concurrency or core.settings.worker_concurrency,
        lease_seconds=core.settings.work_lease_seconds,
        offload=core.threads.run,
    )
    # The requests' pool is sized so that work items waiting in it (MSAL's Teams tokens) cannot fill it.
    size_default_executor(worker.concurrency)
    AnalysisJob(core.pipeline, core.alerts, core.events, core.telemetry, worker.wake).register(worker)
    surfaces: list[Surface] = []
    posters: dict[str, Poster] = {}
    platforms: dict[str, Any] = {}
    if core.settings.slack_configured:
        slack = build_slack_runtime(core, worker, clock)
        surfaces.append(slack.surface)
        posters["slack"] = slack.poster
        platforms["slack"] = slack
    if core.settings.teams_configured:
        teams = build_teams_runtime(core, worker)
        surfaces.append(teams.surface)
        posters["teams"] = teams.poster
        platforms["teams"] = teams
    if core.settings.ingest_token is not None:
        from handlers.ingest.routes import IngestDeps, ingest_routes

        deps = IngestDeps.from_core(core, telemetry=core.telemetry, on_stored=worker.wake)
        surfaces.append(Surface("ingest", routes=ingest_routes(deps), describe="http POST /ingest"))
    if core.settings.webhook_urls and core.settings.webhook_secret is not None:
        webhooks = WebhookDelivery(
            core.engine,
            core.settings.webhook_urls,
            core.settings.webhook_secret.get_secret_value(),
            timeout=core.settings.webhook_timeout,
            offload=core.threads.run,
        )
        webhooks.register(worker)
        core.closers.append(webhooks.aclose)
    if core.settings.crm_systems:
        build_crm_sync(core.settings, core.engine, offload=core.threads.run).register(worker)
    delivery = AlertDelivery(
        core.alerts,
        core.places,
        posters,
        light_of=AccountLight(core.engine, health_rules(core.settings)),
        offload=core.threads.run,
        telemetry=core.telemetry,
    )
    delivery.register(worker)
    scheduled = one_poster(posters, core.places)
    return Runtime(core, worker, surfaces, posters, delivery, scheduled, platforms)


def build_scheduler(runtime: Runtime):
    """The scheduler: digests and checks when a platform can post them, inbox polling when inboxes are set,
    the retention purge when TONEWATCH_RETENTION_DAYS is set."""
    from scheduler import build_scheduler as digest_scheduler
    from scheduler.inbox_jobs import add_inbox_job, build_inbox_jobs

    poster = runtime.scheduled
    scheduler = digest_scheduler(runtime.core, poster) if poster is not None else None
    if poster is None:
        log.warning("scheduled digests and checks are off: no platform can post them yet")
    # Inbox polling runs whether or not any platform can post digests.
    inbox_jobs = build_inbox_jobs(runtime.core, on_stored=runtime.worker.wake)
    retention = runtime.core.settings.retention_days
    if scheduler is None and (inbox_jobs is not None or retention):
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        scheduler = AsyncIOScheduler(timezone=UTC)
    if inbox_jobs is not None:
        add_inbox_job(scheduler, inbox_jobs, runtime.core.settings.inbox_poll_seconds)
    crm_systems = runtime.core.settings.crm_systems
    if scheduler is None and crm_systems:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        scheduler = AsyncIOScheduler(timezone=UTC)
    if crm_systems:
        from scheduler.crm_job import add_crm_job

        crm = build_crm_sync(runtime.core.settings, runtime.core.engine)
        add_crm_job(scheduler, crm, runtime.core.settings.crm_sync_minutes)
    # So does the daily retention purge (TONEWATCH_RETENTION_DAYS).
    if retention:
        from scheduler.retention_job import RetentionJob, add_retention_job

        add_retention_job(scheduler, RetentionJob.from_core(runtime.core))
    return scheduler
