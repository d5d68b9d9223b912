"""The scheduled jobs. Each takes `now` (time is an input) and claims its run in the database first.

| job              | when                          | claim key (target, period)        |
|------------------|-------------------------------|-----------------------------------|
| digest           | each target's day and time    | (target key, "week:<first day>")  |
| attention list   | each target's daily time      | (target key, "day:<local date>")  |
| SLA escalation   | every few minutes             | ("sla", "message:<id>")           |
| systemic incident| every 15 minutes              | ("incident", "<concern>:<hour>")  |
| colour changes   | hourly                        | ("health", "hour:<UTC hour>")     |
| resume           | every half lease              | takes over stale claims           |

A digest's period comes from the scheduled fire time, not from `now`, so the
09:00 run and a 14:00 catch-up claim the same key. A run is only made on the
local day it was due ("caught up later the same day"): a process that was down
all Monday does not send Monday's digest on Tuesday.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.alerts.replies import unanswered_messages
from bot.config.settings import Settings
from bot.digest.build import (
    DigestOptions,
    DigestPeriod,
    Narrator,
    add_narrative,
    build_attention_list,
    build_digest,
    week_before,
)
from bot.health.changes import record_colour_changes
from bot.health.incidents import Incident, IncidentRules, detect_incidents
from bot.health.rules import load_health_rules
from bot.outbound.port import AlertNotice, Destination, Poster
from bot.runtime.telemetry import Telemetry
from bot.webhooks import NO_EVENTS, WebhookEvents
from scheduler.targets import (
    attention_trigger,
    digest_trigger,
    load_target,
    previous_fire_time,
    same_local_day,
)
from storage.db import Engine, transaction
from storage.records import DigestTargetInfo
from storage.run_claims import (
    RunClaim,
    claim_run,
    complete_run,
    fail_run,
    recent_claim_exists,
    stale_runs,
    worker_id,
)
from storage.tenants import DEFAULT_TENANT, tenants_in_use
from storage.types import utcnow

log = logging.getLogger(__name__)

SLA_TARGET, INCIDENT_TARGET, HEALTH_TARGET = "sla", "incident", "health"


class Outcome(StrEnum):
    posted = "posted"
    skipped = "skipped"  # another process has it, or it is done
    missed = "missed"  # not due today (a late start the next day)
    missing = "missing"  # the target was removed or disabled
    failed = "failed"


@dataclass
class JobConfig:
    options: DigestOptions = field(default_factory=DigestOptions)
    lease: timedelta = timedelta(minutes=10)
    sla_lookback: timedelta = timedelta(hours=24)
    #: A new burst of the same concern within this time is the same incident (not posted again).
    incident_quiet: timedelta = timedelta(hours=12)

    @classmethod
    def from_settings(cls, settings: Settings) -> JobConfig:
        from pathlib import Path

        rules = load_health_rules(settings.health_rules_file, settings.critical_score, settings.warning_score)
        options = DigestOptions(
            rules=rules,
            incident_rules=IncidentRules(
                window_hours=settings.incident_window_hours, min_accounts=settings.incident_min_accounts
            ),
            sla_hours=settings.reply_sla_hours,
            chart_dir=Path(settings.chart_dir),
        )
        return cls(
            options=options,
            lease=timedelta(minutes=settings.run_lease_minutes),
            sla_lookback=timedelta(hours=settings.sla_lookback_hours),
        )


class ScheduledJobs:
    """The job bodies; `scheduler.setup` puts them on an APScheduler."""

    def __init__(
        self,
        engine: Engine,
        poster: Poster,
        config: JobConfig | None = None,
        *,
        narrator: Narrator | None = None,
        clock: Callable[[], datetime] = utcnow,
        worker: str | None = None,
        telemetry: Telemetry | None = None,
        events: WebhookEvents = NO_EVENTS,
    ) -> None:
        self.engine = engine
        self.telemetry = telemetry
        #: Outbound webhook events (colour changes, suppression), recorded with each change.
        self.events = events
        self.poster = poster
        self.config = config or JobConfig()
        self.narrator = narrator
        self.clock = clock
        self.worker = worker or worker_id()

    # -- helpers ---------------------------------------------------------------------------------

    def _claim(
        self, target_key: str, period_key: str, now: datetime, payload: dict | None = None
    ) -> RunClaim | None:
        return claim_run(
            self.engine,
            target_key,
            period_key,
            owner=self.worker,
            now=now,
            lease=self.config.lease,
            payload=payload,
        )

    async def _run_claimed(self, claim: RunClaim, now: datetime, work) -> Outcome:
        """Do `work()` (which posts and returns a record) under a claim; mark done or failed."""
        try:
            record = await work()
        except Exception as exc:  # noqa: BLE001 - logged, retried after the lease
            log.exception("scheduled run %s/%s failed", claim.target_key, claim.period_key)
            await asyncio.to_thread(fail_run, self.engine, claim, now, f"{type(exc).__name__}: {exc}")
            return Outcome.failed
        await asyncio.to_thread(complete_run, self.engine, claim, now, record)
        return Outcome.posted

    # -- the weekly digest -----------------------------------------------------------------------

    async def digest(self, target_key: str, now: datetime | None = None) -> Outcome:
        """The weekly digest for one target, for the fire time at or before `now`, if due today."""
        now = now or self.clock()
        target = await asyncio.to_thread(load_target, self.engine, target_key)
        if target is None:
            return Outcome.missing
        fire = previous_fire_time(digest_trigger(target), now)
        if fire is None or not same_local_day(fire, now, target.timezone):
            return Outcome.missed
        period = week_before(fire.astimezone(ZoneInfo(target.timezone)).date(), target.timezone)
        payload = {"kind": "digest", "scheduled_for": fire.isoformat(), "zone": target.timezone}
        claim = await asyncio.to_thread(self._claim, target.key, period.key, now, payload)
        if claim is None:
            return Outcome.skipped
        return await self._deliver_digest(claim, target, period, now)

    async def _deliver_digest(
        self, claim: RunClaim, target: DigestTargetInfo, period: DigestPeriod, now: datetime
    ) -> Outcome:
        async def work() -> dict:
            digest = await asyncio.to_thread(self._build_digest, target, period)
            await add_narrative(digest, self.narrator)
            receipt = await self.poster.post_digest(Destination.from_target(target), digest)
            if self.telemetry is not None:
                self.telemetry.last_digest_posted.labels(target.key).set(self.clock().timestamp())
            return {"ref": receipt.ref, "poster": receipt.poster, "digest": digest.to_json()}

        return await self._run_claimed(claim, now, work)

    def _build_digest(self, target: DigestTargetInfo, period: DigestPeriod):
        with transaction(self.engine) as tx:
            return build_digest(
                tx,
                period,
                self.config.options,
                owner=target.owner,
                target_key=target.key,
                tenant=target.tenant,
            )

    # -- the daily attention list ------------------------------------------------------------------

    async def attention(self, target_key: str, now: datetime | None = None) -> Outcome:
        """Moderately negative messages needing a reply today, for one target, if due today."""
        now = now or self.clock()
        target = await asyncio.to_thread(load_target, self.engine, target_key)
        if target is None:
            return Outcome.missing
        trigger = attention_trigger(target)
        fire = previous_fire_time(trigger, now) if trigger else None
        if fire is None or not same_local_day(fire, now, target.timezone):
            return Outcome.missed
        day = fire.astimezone(ZoneInfo(target.timezone)).date()
        payload = {"kind": "attention", "scheduled_for": fire.isoformat(), "zone": target.timezone}
        claim = await asyncio.to_thread(self._claim, target.key, f"day:{day.isoformat()}", now, payload)
        if claim is None:
            return Outcome.skipped
        return await self._deliver_attention(claim, target, fire, now)

    async def _deliver_attention(
        self, claim: RunClaim, target: DigestTargetInfo, fire: datetime, now: datetime
    ) -> Outcome:
        async def work() -> dict:
            def build():
                with transaction(self.engine) as tx:
                    return build_attention_list(
                        tx,
                        fire,
                        target.timezone,
                        self.config.options,
                        owner=target.owner,
                        target_key=target.key,
                        tenant=target.tenant,
                    )

            attention = await asyncio.to_thread(build)
            receipt = await self.poster.post_attention(Destination.from_target(target), attention)
            return {"ref": receipt.ref, "poster": receipt.poster, "total": attention.total}

        return await self._run_claimed(claim, now, work)

    # -- SLA escalations -------------------------------------------------------------------------

    async def sla_check(self, now: datetime | None = None) -> int:
        """Escalate each negative message left unanswered past the reply SLA, once; returns how many."""
        now = now or self.clock()
        options = self.config.options
        sla = timedelta(hours=options.sla_hours)

        def find():
            with transaction(self.engine) as tx:
                return unanswered_messages(
                    tx,
                    as_of=now,
                    created_after=now - sla - self.config.sla_lookback,
                    created_before=now - sla,
                    max_score=options.rules.warning_score,
                    sla_hours=options.sla_hours,
                    tenant=None,  # every tenant's; each notice goes to its own tenant's alert channel
                )

        posted = 0
        for waiting in await asyncio.to_thread(find):
            claim = await asyncio.to_thread(self._claim, SLA_TARGET, f"message:{waiting.message_id}", now)
            if claim is None:
                continue
            hours = waiting.hours_waiting(now)
            notice = AlertNotice(
                kind="sla_breach",
                key=f"sla:{waiting.message_id}",
                title=f"No reply for {hours:.0f} h · {waiting.account}",
                lines=[
                    f'"{waiting.quote}" ({waiting.score:+.2f})',
                    f"reply was due {waiting.due_at:%Y-%m-%d %H:%M} UTC",
                ],
                severity="critical" if waiting.score <= options.rules.critical_score else "warning",
                account=waiting.account,
                owner=waiting.owner,
                message_ids=[waiting.message_id],
                data=waiting.to_json(now),
                tenant=waiting.tenant,
            )

            async def work(notice: AlertNotice = notice) -> dict:
                receipt = await self.poster.post_notice(notice)
                return {"ref": receipt.ref, "poster": receipt.poster}

            if await self._run_claimed(claim, now, work) is Outcome.posted:
                posted += 1
        return posted

    # -- systemic incidents ----------------------------------------------------------------------

    async def incident_check(self, now: datetime | None = None) -> int:
        """Post each new cross-account incident once (not one warning per account), tenant by tenant:
        an incident is among one tenant's customers, and goes to that tenant's alert channel."""
        now = now or self.clock()
        rules = self.config.options.incident_rules
        window = timedelta(hours=rules.window_hours)

        def find() -> list[tuple[str, Incident]]:
            with transaction(self.engine) as tx:
                return [
                    (tenant, incident)
                    for tenant in tenants_in_use(tx)
                    for incident in detect_incidents(
                        tx, now - 2 * window, now + timedelta(microseconds=1), rules, tenant=tenant
                    )
                ]

        posted = 0
        for tenant, incident in await asyncio.to_thread(find):
            claims = INCIDENT_TARGET if tenant == DEFAULT_TENANT else f"{INCIDENT_TARGET}:{tenant}"
            seen = await asyncio.to_thread(
                recent_claim_exists,
                self.engine,
                claims,
                f"{incident.concern}:",
                now - self.config.incident_quiet,
            )
            if seen:
                continue
            claim = await asyncio.to_thread(self._claim, claims, incident.key, now)
            if claim is None:
                continue
            notice = AlertNotice(
                kind="systemic_incident",
                key=f"incident:{incident.key}",
                title=f"Systemic: {incident.describe(ZoneInfo('UTC'))}",
                lines=[", ".join(incident.accounts)],
                severity="critical",
                message_ids=list(incident.message_ids),
                data=incident.to_json(ZoneInfo("UTC")),
                tenant=tenant,
            )

            async def work(notice: AlertNotice = notice) -> dict:
                receipt = await self.poster.post_notice(notice)
                return {"ref": receipt.ref, "poster": receipt.poster}

            if await self._run_claimed(claim, now, work) is Outcome.posted:
                posted += 1
        return posted

    # -- colour changes --------------------------------------------------------------------------

    async def record_health(self, now: datetime | None = None) -> int:
        """Store the colour changes since the last run (with their signals and messages)."""
        now = now or self.clock()
        claim = await asyncio.to_thread(self._claim, HEALTH_TARGET, f"hour:{now:%Y-%m-%dT%H}", now)
        if claim is None:
            return 0

        def record() -> int:
            with transaction(self.engine) as tx:
                return len(
                    record_colour_changes(
                        tx, now, self.config.options.rules, now.date().isoformat(), self.events
                    )
                )

        count = 0

        async def work() -> dict:
            nonlocal count
            count = await asyncio.to_thread(record)
            return {"changes": count}

        await self._run_claimed(claim, now, work)
        return count

    # -- crash recovery --------------------------------------------------------------------------

    async def resume_stale(self, now: datetime | None = None) -> int:
        """Finish digests and attention lists whose claimer died mid-run (same local day only)."""
        now = now or self.clock()
        stale = await asyncio.to_thread(
            stale_runs, self.engine, now, self.config.lease, now - timedelta(days=2)
        )
        resumed = 0
        for run in stale:
            payload = run.payload or {}
            kind = payload.get("kind")
            if kind not in ("digest", "attention"):
                continue  # alerts and incidents are retried by their own periodic check
            target = await asyncio.to_thread(load_target, self.engine, run.target_key)
            scheduled = datetime.fromisoformat(payload["scheduled_for"])
            if target is None or not same_local_day(scheduled, now, target.timezone):
                continue
            claim = await asyncio.to_thread(self._claim, run.target_key, run.period_key, now)
            if claim is None:
                continue
            if kind == "digest":
                day = date.fromisoformat(run.period_key.split(":", 1)[1]) + timedelta(days=7)
                outcome = await self._deliver_digest(claim, target, week_before(day, target.timezone), now)
            else:
                outcome = await self._deliver_attention(claim, target, scheduled, now)
            resumed += outcome is Outcome.posted
        return resumed
