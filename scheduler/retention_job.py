"""The retention job: once a day, erase customer text older than TONEWATCH_RETENTION_DAYS (scores stay).

The job is looked at every hour and claims the UTC day first (`digest_runs`,
target "retention"), so with several processes the purge runs once a day, soon
after start-up, and a failed run is taken over after the lease. The purge
itself is `bot.privacy.erasure.purge_older_than`: batches, idempotent.

`tonewatch run` wiring (bot/composition.py):

    if settings.retention_days:
        add_retention_job(scheduler, RetentionJob.from_core(core))
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.privacy.erasure import ErasureSummary, purge_older_than
from storage.db import Engine
from storage.run_claims import claim_run, complete_run, fail_run, worker_id
from storage.types import utcnow

log = logging.getLogger(__name__)

RETENTION_JOB_ID = "retention-purge"
RETENTION_TARGET = "retention"
#: How often the job looks whether today's purge is done.
CHECK_EVERY = timedelta(hours=1)


class RetentionJob:
    def __init__(
        self,
        engine: Engine,
        days: int,
        *,
        lease: timedelta = timedelta(minutes=10),
        clock: Callable[[], datetime] = utcnow,
        worker: str | None = None,
    ) -> None:
        self.engine = engine
        self.days = days
        self.lease = lease
        self.clock = clock
        self.worker = worker or worker_id()

    @classmethod
    def from_core(cls, core: Any, clock: Callable[[], datetime] = utcnow) -> RetentionJob:
        settings = core.settings
        return cls(
            core.engine,
            settings.retention_days,
            lease=timedelta(minutes=settings.run_lease_minutes),
            clock=clock,
        )

    async def run(self, now: datetime | None = None) -> ErasureSummary | None:
        """Purge if today's purge is not done (or taken) yet; the summary, or None when skipped or failed."""
        now = now or self.clock()
        claim = await asyncio.to_thread(
            claim_run,
            self.engine,
            RETENTION_TARGET,
            f"day:{now.astimezone(UTC).date().isoformat()}",
            owner=self.worker,
            now=now,
            lease=self.lease,
            payload={"kind": "retention", "days": self.days},
        )
        if claim is None:
            return None
        try:
            summary = await asyncio.to_thread(purge_older_than, self.engine, self.days, now=now)
        except Exception as exc:  # noqa: BLE001 - logged; taken over after the lease
            log.exception("retention purge failed")
            # Only the kind of error is kept: a database error's text can quote the rows it was erasing.
            await asyncio.to_thread(fail_run, self.engine, claim, now, type(exc).__name__)
            return None
        await asyncio.to_thread(complete_run, self.engine, claim, now, {"tables": summary.tally.as_dict()})
        if summary.tally.total:
            log.info("retention: %s", "; ".join(line.strip() for line in summary.lines()))
        return summary


def add_retention_job(scheduler: Any, job: RetentionJob) -> None:
    """Put the retention job on an APScheduler scheduler; the first look is at once."""
    from apscheduler.triggers.interval import IntervalTrigger

    scheduler.add_job(
        job.run,
        IntervalTrigger(seconds=CHECK_EVERY.total_seconds(), timezone=UTC),
        id=RETENTION_JOB_ID,
        replace_existing=True,
        next_run_time=job.clock(),
        max_instances=1,
        coalesce=True,
    )
