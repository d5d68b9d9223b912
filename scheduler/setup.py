"""Putting the jobs on an APScheduler 3.11 `AsyncIOScheduler` in the running process.

Every process builds the same in-memory schedule (APScheduler 3 cannot share a
job store between processes); the claims in the database make each run happen
once. Defaults follow the platform brief: `coalesce` (missed runs collapse to
one), `max_instances=1`, and a misfire grace long enough that a process busy
or restarting at 09:00 still runs the 09:00 digest. A process that starts
after a target's fire time on the same local day catches the run up at once.

`tonewatch run` wiring:

    scheduler = build_scheduler(core, poster)      # inside the running event loop
    scheduler.start()
    ...
    scheduler.shutdown(wait=False)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.digest.build import Narrator
from bot.outbound.port import Poster
from scheduler.jobs import JobConfig, ScheduledJobs
from scheduler.targets import (
    attention_trigger,
    digest_trigger,
    load_targets,
    previous_fire_time,
    same_local_day,
)
from storage.records import DigestTargetInfo
from storage.types import utcnow

log = logging.getLogger(__name__)

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
TARGET_PREFIXES = ("digest:", "attention:", "catchup-digest:", "catchup-attention:")


def build_scheduler(
    core: Any,
    poster: Poster,
    *,
    narrator: Narrator | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> AsyncIOScheduler:
    """A scheduler with every job of `core`'s settings and stored targets (not started).

    Without an explicit `narrator`, digests open with a Claude paragraph when Claude is
    configured and TONEWATCH_DIGEST_NARRATIVE is on, else with the template line.
    """
    if narrator is None:
        narrator = narrator_from_settings(core)
    jobs = ScheduledJobs(
        core.engine,
        poster,
        JobConfig.from_settings(core.settings),
        narrator=narrator,
        clock=clock,
        telemetry=core.telemetry,
        events=core.events,
    )
    seed_digest_times(core)
    settings = core.settings
    return schedule_jobs(jobs, clock(), sla_minutes=settings.sla_check_minutes)


def seed_digest_times(core: Any) -> None:
    """tonewatch_last_digest_posted_timestamp_seconds from the database's record, so that a restart does not
    leave the gauge empty until next week's digest."""
    from storage.db import read_transaction
    from storage.queries import last_digests_posted

    with read_transaction(core.engine) as tx:
        for target, posted in last_digests_posted(tx).items():
            core.telemetry.last_digest_posted.labels(target).set(posted.timestamp())


def narrator_from_settings(core: Any) -> Narrator | None:
    """A Claude narrator with its own client (closed with the core), or None for the template."""
    settings = core.settings
    if not (settings.digest_narrative and settings.claude_configured):
        return None
    from anthropic import AsyncAnthropic

    from bot.digest.narrative import ClaudeNarrator

    client = AsyncAnthropic(
        api_key=settings.anthropic_api_key.get_secret_value(),
        base_url=settings.anthropic_base_url,
        timeout=settings.llm_timeout_seconds,
        max_retries=settings.llm_max_retries,
    )
    core.closers.append(client.close)
    return ClaudeNarrator(client, settings.reasoning_model)


def schedule_jobs(
    jobs: ScheduledJobs,
    now: datetime,
    *,
    sla_minutes: float = 15,
    incident_minutes: float = 15,
    health_minutes: float = 60,
    refresh_minutes: float = 5,
    scheduler: AsyncIOScheduler | None = None,
) -> AsyncIOScheduler:
    """Put every job on `scheduler` (a new one by default); targets are re-read every `refresh_minutes`."""
    scheduler = scheduler or AsyncIOScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS)
    target_jobs = TargetJobs(scheduler, jobs)
    target_jobs.sync(load_targets(jobs.engine), now)
    resume_minutes = max(1.0, jobs.config.lease.total_seconds() / 120)
    periodic = [
        ("sla-check", jobs.sla_check, sla_minutes),
        ("incident-check", jobs.incident_check, incident_minutes),
        ("health-changes", jobs.record_health, health_minutes),
        ("resume-stale", jobs.resume_stale, resume_minutes),
        ("refresh-targets", target_jobs.refresh, refresh_minutes),
    ]
    for job_id, func, minutes in periodic:
        scheduler.add_job(
            func, IntervalTrigger(minutes=minutes, timezone=UTC), id=job_id, replace_existing=True
        )
    return scheduler


class TargetJobs:
    """Keeps the per-target jobs (digest, attention list) in step with the stored targets."""

    def __init__(self, scheduler: AsyncIOScheduler, jobs: ScheduledJobs) -> None:
        self.scheduler = scheduler
        self.jobs = jobs
        self.known: dict[str, tuple] = {}

    async def refresh(self) -> None:
        targets = await asyncio.to_thread(load_targets, self.jobs.engine)
        self.sync(targets, self.jobs.clock())

    def sync(self, targets: list[DigestTargetInfo], now: datetime) -> None:
        """Add, update or remove jobs to match `targets`; catch up runs due earlier today for new targets."""
        wanted = {t.key: t for t in targets}
        for key in list(self.known):
            if key not in wanted:
                for prefix in TARGET_PREFIXES:
                    self._remove(prefix + key)
                del self.known[key]
        for key, target in wanted.items():
            signature = (target.timezone, target.day_of_week, target.send_time, target.attention_time)
            if self.known.get(key) == signature:
                continue
            first_time = key not in self.known
            self.known[key] = signature
            self.scheduler.add_job(
                self.jobs.digest,
                digest_trigger(target),
                id=f"digest:{key}",
                kwargs={"target_key": key},
                replace_existing=True,
            )
            attention = attention_trigger(target)
            if attention is not None:
                self.scheduler.add_job(
                    self.jobs.attention,
                    attention,
                    id=f"attention:{key}",
                    kwargs={"target_key": key},
                    replace_existing=True,
                )
            else:
                self._remove(f"attention:{key}")
            if first_time:
                self._catch_up(target, now)

    def _catch_up(self, target: DigestTargetInfo, now: datetime) -> None:
        """Run today's digest / list now if its time passed earlier today (the claim stops a second run)."""
        for name, trigger, func in (
            ("digest", digest_trigger(target), self.jobs.digest),
            ("attention", attention_trigger(target), self.jobs.attention),
        ):
            if trigger is None:
                continue
            fire = previous_fire_time(trigger, now)
            if fire is None or fire == now or not same_local_day(fire, now, target.timezone):
                continue
            log.info("catching up the %s for %s due at %s", name, target.key, fire.isoformat())
            self.scheduler.add_job(
                func,
                DateTrigger(run_date=now, timezone=UTC),
                id=f"catchup-{name}:{target.key}",
                kwargs={"target_key": target.key},
                replace_existing=True,
                misfire_grace_time=None,
            )

    def _remove(self, job_id: str) -> None:
        try:
            self.scheduler.remove_job(job_id)
        except JobLookupError:
            pass
