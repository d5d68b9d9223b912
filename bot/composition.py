"""The composition root: the one place that builds clients, stores and analyzers from settings.

Nothing is created at import time anywhere else; handlers, the CLI and the
scheduler receive what they need from here.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from bot.accounts.book import AccountBook
from bot.accounts.suppression import Suppression
from bot.alerts.delivery import AlertDelivery, AlertPoster
from bot.alerts.policy import PolicyThresholds
from bot.alerts.service import AlertChange, AlertService
from bot.analysis.base import Analyzer
from bot.analysis.offline import OfflineAnalyzer
from bot.config.settings import LlmPolicy, Settings
from bot.health.rules import load_health_rules
from bot.messages.pipeline import ANALYZE, MessagePipeline
from bot.messages.places import PlaceRegistry
from bot.outbound.port import AlertNotice, Destination, Poster, PostReceipt
from bot.runtime.server import Surface
from bot.runtime.telemetry import Telemetry
from bot.runtime.threads import BackgroundThreads, size_default_executor
from bot.runtime.worker import Worker
from bot.webhooks import WebhookEvents
from bot.webhooks.delivery import WebhookDelivery
from bot.webhooks.payloads import MESSAGE_ANALYZED, analyzed_event
from storage.db import create_db_engine, session_scope
from storage.errors import ConfigError, UserError
from storage.migrate import Status, ensure_schema, is_up_to_date
from storage.queries import active_trained_model
from storage.tenants import DEFAULT_TENANT

log = logging.getLogger(__name__)


@dataclass
class Core:
    """Everything platform-free the process needs, built once."""

    settings: Settings
    engine: Engine
    offline: OfflineAnalyzer
    analyzer: Analyzer
    pipeline: MessagePipeline
    closers: list = field(default_factory=list)
    places: PlaceRegistry = field(init=False)
    alerts: AlertService = field(init=False)
    telemetry: Telemetry = field(init=False)
    events: WebhookEvents = field(init=False)
    book: AccountBook = field(init=False)
    suppression: Suppression = field(init=False)

    def __post_init__(self) -> None:
        self.places = PlaceRegistry(self.engine)
        self.events = build_events(self.settings)
        self.alerts = AlertService(
            self.engine,
            PolicyThresholds(
                critical_score=self.settings.critical_score, warning_score=self.settings.warning_score
            ),
            reply_sla=timedelta(hours=self.settings.reply_sla_hours),
            events=self.events,
            value_rules=load_health_rules(
                self.settings.health_rules_file, self.settings.critical_score, self.settings.warning_score
            ).value,
            crm_systems=self.settings.crm_systems,
        )
        self.book = AccountBook(self.engine, self.events)
        self.suppression = Suppression(self.engine, self.events)
        self.telemetry = Telemetry()

    async def aclose(self) -> None:
        for close in self.closers:
            await close()
        self.engine.dispose()


def build_events(settings: Settings) -> WebhookEvents:
    """Outbound webhook events for TONEWATCH_WEBHOOK_URLS (none when unset)."""
    return WebhookEvents(settings.webhook_urls, settings.webhook_events)


def build_crm_sync(core_or_settings, engine: Engine | None = None):
    """The CRM sync for the configured CRMs (`tonewatch crm sync`, its job, its task work items)."""
    from bot.crm.factory import build_crm_clients
    from bot.crm.sync import CrmSync

    settings = getattr(core_or_settings, "settings", core_or_settings)
    engine = engine or core_or_settings.engine
    clients, pushed = build_crm_clients(settings)
    rules = load_health_rules(settings.health_rules_file, settings.critical_score, settings.warning_score)
    return CrmSync(engine, clients, pushed, rules)


def sqlite_file_missing(url: str) -> bool:
    if not url.startswith("sqlite") or url in ("sqlite://", "sqlite:///:memory:"):
        return False
    return not Path(url.split(":///", 1)[-1]).expanduser().exists()


def build_engine(settings: Settings, *, read_only: bool = False) -> Engine:
    """The database engine, once its schema is at the newest revision (storage/migrate.py's rule).

    A database with no Tonewatch schema gets one, unless `read_only` (then: a clear error). A schema that
    is behind stops the command, naming `tonewatch db upgrade`; with TONEWATCH_AUTO_MIGRATE=true a
    command that writes migrates it first. A read-only command never changes the schema."""
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
    return create_db_engine(settings.database_url)


def engine_if_schema(settings: Settings) -> Engine | None:
    """The engine when the database holds a Tonewatch schema at the newest revision; None when it has no
    schema at all (nothing to read, and nothing is created); a schema that is behind stops the command."""
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
    """The offline analyzer, using the active model from `tonewatch train` when there is one."""
    learned = None
    if engine is not None and is_up_to_date(engine):
        from bot.analysis.learned import LearnedModel

        with session_scope(engine) as session:
            stored = active_trained_model(session)
            if stored is not None:
                learned = LearnedModel.from_bytes(stored.blob)
                learned.model_id = str(stored.id)
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


def build_core(settings: Settings) -> Core:
    engine = build_engine(settings)
    offline = build_offline_analyzer(settings, engine)
    analyzer, closers = build_analyzer(settings, offline)
    pipeline = MessagePipeline(engine, analyzer, max_text_chars=settings.max_text_chars)
    return Core(settings, engine, offline, analyzer, pipeline, closers)


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
    posters: dict[str, AlertPoster]
    delivery: AlertDelivery
    #: Per platform, what its builder returned (e.g. the Slack runtime): where `scheduled_poster`, the demo
    #: and the tests find the platform's pieces.
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


def account_light(core: Core):
    """A callable(account name) -> its light now, for alert cards (blocking: run it in a thread)."""
    from datetime import datetime

    from bot.health.rules import load_health_rules
    from bot.health.scoring import compute_health
    from storage.queries import find_account

    settings = core.settings
    rules = load_health_rules(settings.health_rules_file, settings.critical_score, settings.warning_score)

    def light_of(account: str, tenant: str) -> str | None:
        with session_scope(core.engine) as session:
            found = find_account(session, account, tenant)
            if found is None or found.id is None:
                return None
            health = compute_health(session, datetime.now(UTC), rules, account_ids=[found.id], tenant=tenant)
            return health[0].light.value if health else None

    return light_of


def _closing(threads: BackgroundThreads):
    async def close() -> None:
        threads.close()

    return close


def observe_analysis(telemetry: Telemetry, message_id: int, outcome, seconds: float) -> None:
    """One analysis: its latency in /metrics, by the provider whose result was kept, and a debug line."""
    provider = outcome.result.provider or "unknown"
    telemetry.analysis_seconds.labels(provider).observe(seconds)
    if outcome.extra.get("injection_guard"):
        # Claude's far more reassuring reading was replaced by the cautious one (bot/analysis/claude.py
        # logs which): someone may be trying to steer the model, and an operator should see how often.
        telemetry.injection_guarded.inc()
    for event in outcome.result.guard_events:
        # By kind ("risk_floor"), not by the detail: a bounded set of labels.
        telemetry.guard_events.labels(event.split(":")[0]).inc()
    log.debug(
        "message %s analyzed (%s, %s)",
        message_id,
        provider,
        outcome.result.label.value,
        extra={
            "message_id": message_id,
            "provider": provider,
            "fallback_reason": outcome.fallback_reason,
            "seconds": round(seconds, 4),
        },
    )


def register_analysis(worker: Worker, core: Core) -> None:
    """ANALYZE: score the stored message, then let the alert service decide; wake the worker for the post."""

    async def analyze(subject: str, attempts: int) -> None:
        message_id = int(subject)
        started = time.perf_counter()
        changes: list[AlertChange] = []

        def decide(session: Session, analyzed_id: int) -> None:
            if core.events.wants(MESSAGE_ANALYZED):
                core.events.emit(session, MESSAGE_ANALYZED, analyzed_event(session, analyzed_id))
            if change := core.alerts.decide_in(session, analyzed_id):
                changes.append(change)

        # The decision commits with the analysis: a retry after a crash finds the message analyzed
        # and decided, or neither.
        outcome = await core.pipeline.analyze_message(message_id, then=decide)
        if outcome is not None:
            observe_analysis(core.telemetry, message_id, outcome, time.perf_counter() - started)
        if outcome is not None and outcome.fallback_reason:
            # By kind ("invalid_output"), not by the detail after the colon: a label per cause, not per text.
            core.telemetry.llm_fallbacks.labels(outcome.fallback_reason.split(":")[0]).inc()
        if changes:
            worker.wake()

    # Decisions made in one transaction take their alerts' locks in key order (no deadlocks).
    core.pipeline.decision_order = core.alerts.decision_order
    core.pipeline.on_deleted = core.alerts.follow_deletion_in
    worker.register(ANALYZE, analyze)


def build_slack_runtime(core: Core, worker: Worker):
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


#: Threads for the worker's blocking calls: one, on SQLite and on PostgreSQL alike. Every further
#: thread only competes with the event loop and the acknowledgements' stores for the GIL. On SQLite
#: (one writer) three made Slack's acknowledgements wait seconds at 50 events/s; on PostgreSQL, with
#: the worker's reads, saves and completions batched, two gave an acknowledgement p99 of ~100 ms and
#: one ~40 ms, draining as fast (bench/load.py).
BACKGROUND_THREADS = 1


def build_runtime(core: Core, worker: Worker | None = None) -> Runtime:
    """What `tonewatch run` serves, built inside its running event loop."""
    worker = worker or Worker(
        core.engine,
        concurrency=core.settings.worker_concurrency,
        lease_seconds=core.settings.work_lease_seconds,
    )
    # Background work gets its own threads so it never queues in front of a request's "store before ack";
    # the requests' pool is sized so that work items waiting in it (MSAL's Teams tokens) cannot fill it.
    size_default_executor(worker.concurrency)
    threads = BackgroundThreads(BACKGROUND_THREADS)
    core.closers.append(_closing(threads))
    worker.offload = core.pipeline.offload = threads.run
    register_analysis(worker, core)
    surfaces: list[Surface] = []
    posters: dict[str, AlertPoster] = {}
    platforms: dict[str, Any] = {}
    if core.settings.slack_configured:
        slack = build_slack_runtime(core, worker)
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
        )
        webhooks.offload = threads.run
        webhooks.register(worker)
        core.closers.append(webhooks.aclose)
    if core.settings.crm_systems:
        crm = build_crm_sync(core)
        crm.offload = threads.run
        crm.register(worker)
    delivery = AlertDelivery(core.alerts, core.places, posters, light_of=account_light(core))
    delivery.offload = threads.run
    delivery.telemetry = core.telemetry
    delivery.register(worker)
    return Runtime(core, worker, surfaces, posters, delivery, platforms)


def scheduled_poster(runtime: Runtime):
    """The `bot.outbound.port.Poster` scheduled digests and notices go through, if a platform provides one.

    A platform offers it as `scheduled_poster` on what its builder returned (Slack's digest posting
    sets `SlackRuntime.scheduled_poster`; Teams sets `TeamsRuntime.scheduled_poster`).
    """
    offered = {
        name: poster
        for name, platform in runtime.platforms.items()
        if (poster := getattr(platform, "scheduled_poster", None)) is not None
    }
    if len(offered) > 1:
        return PosterByPlatform(offered)
    return next(iter(offered.values()), None)


class PosterByPlatform(Poster):
    """With several platforms posting, each digest target goes to its own platform's poster.

    A notice without a target goes to its tenant's platform (a Slack workspace's to Slack, a Teams
    tenant's to Teams); the default tenant's to the first platform's alert route (Slack's when both are set).
    """

    name = "by-platform"

    def __init__(self, posters: dict[str, Poster]) -> None:
        self.posters = posters

    def _for(self, target: Destination | None, tenant: str = DEFAULT_TENANT) -> Poster:
        if target is not None and target.platform in self.posters:
            return self.posters[target.platform]
        platform = tenant.partition(":")[0]
        return self.posters.get(platform) or next(iter(self.posters.values()))

    async def post_digest(self, target: Destination, digest) -> PostReceipt:
        return await self._for(target).post_digest(target, digest)

    async def post_alert(self, alert: AlertNotice, target: Destination | None = None) -> PostReceipt:
        return await self._for(target, alert.tenant).post_alert(alert, target)

    async def post_attention(self, target: Destination, attention) -> PostReceipt:
        return await self._for(target).post_attention(target, attention)


def build_scheduler(runtime: Runtime):
    """The scheduler: digests and checks when a platform can post them, inbox polling when inboxes are set,
    the retention purge when TONEWATCH_RETENTION_DAYS is set."""
    from scheduler import build_scheduler as digest_scheduler
    from scheduler.inbox_jobs import add_inbox_job, build_inbox_jobs

    poster = scheduled_poster(runtime)
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

        add_crm_job(scheduler, build_crm_sync(runtime.core), runtime.core.settings.crm_sync_minutes)
    # So does the daily retention purge (TONEWATCH_RETENTION_DAYS).
    if retention:
        from scheduler.retention_job import RetentionJob, add_retention_job

        add_retention_job(scheduler, RetentionJob.from_core(runtime.core))
    return scheduler
