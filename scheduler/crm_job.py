"""The CRM sync on a schedule (TONEWATCH_CRM_SYNC_MINUTES): pull the account book, push health back."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger(__name__)

CRM_JOB_ID = "crm-sync"


def add_crm_job(scheduler: Any, sync: Any, minutes: int) -> None:
    """Run `sync` every `minutes`, the first time at once; one run at a time."""
    from apscheduler.triggers.interval import IntervalTrigger

    async def run() -> None:
        try:
            summaries = await sync.offload(sync.sync)
        except Exception:  # noqa: BLE001 - the next run tries again
            log.warning("the CRM sync failed; it runs again in %s minutes", minutes, exc_info=True)
            return
        for summary in summaries:
            log.info(
                "CRM sync with %s: %s matched, %s pushed, %s unchanged, %s error(s)",
                summary.system,
                summary.matched,
                summary.pushed,
                summary.unchanged,
                len(summary.errors),
            )

    scheduler.add_job(
        run,
        IntervalTrigger(minutes=minutes, timezone=UTC),
        id=CRM_JOB_ID,
        replace_existing=True,
        next_run_time=datetime.now(UTC),
        max_instances=1,
        coalesce=True,
    )
