"""The inbox polling job: every TONEWATCH_INBOX_POLL_SECONDS, read new mail from each connected inbox.

Inboxes are polled side by side, each in a worker thread (IMAPClient blocks),
so one slow or unreachable server does not hold up the others. An inbox that
fails is retried with a growing backoff and its error kept for status; the job
itself never raises. The database lease in `inbox_states` keeps two processes
from reading the same inbox at once.

`tonewatch run` wiring (inside the running event loop):

    jobs = build_inbox_jobs(core, on_stored=worker.wake)
    if jobs is not None:
        add_inbox_job(scheduler, jobs, core.settings.inbox_poll_seconds)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.config.inboxes import InboxConfig
from handlers.email.inbox import InboxPoller, MailConverter, PollResult
from handlers.email.senders import AccountDirectory
from storage.types import utcnow

log = logging.getLogger(__name__)

INBOX_JOB_ID = "inbox-poll"
#: Inboxes read at the same time at most.
MAX_PARALLEL_POLLS = 4


class InboxJobs:
    def __init__(
        self,
        poller: InboxPoller,
        inboxes: list[InboxConfig],
        *,
        on_stored: Callable[[], None] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.poller = poller
        self.inboxes = inboxes
        self.on_stored = on_stored
        self.clock = clock
        self._gate = asyncio.Semaphore(MAX_PARALLEL_POLLS)

    async def poll_inboxes(self, now: datetime | None = None) -> list[PollResult]:
        """Poll every inbox that is due at `now`; returns one result per inbox."""
        now = now or self.clock()

        async def poll(config: InboxConfig) -> PollResult:
            async with self._gate:
                try:
                    return await asyncio.to_thread(self.poller.poll, config, now)
                except Exception as exc:  # noqa: BLE001 - e.g. the database is briefly away; try next time
                    log.exception("polling inbox %s failed before it started", config.label)
                    return PollResult(inbox=config.label, status="failed", error=type(exc).__name__)

        results = list(await asyncio.gather(*(poll(config) for config in self.inboxes)))
        stored = sum(result.stored for result in results)
        if stored:
            log.info("inboxes: %s new message(s) stored", stored)
            if self.on_stored is not None:
                self.on_stored()
        return results


def build_inbox_jobs(
    core: Any, on_stored: Callable[[], None] | None = None, clock: Callable[[], datetime] = utcnow
) -> InboxJobs | None:
    """The polling job for `core`'s configured inboxes, or None when none are configured."""
    settings = core.settings
    if not settings.inboxes:
        return None
    directory = AccountDirectory(core.engine, settings.our_domains, settings.domain_accounts)
    converter = MailConverter(core.engine, directory, settings.max_text_chars)
    poller = InboxPoller(
        core.engine, core.pipeline, converter, retry_base_seconds=settings.inbox_poll_seconds
    )
    return InboxJobs(poller, list(settings.inboxes), on_stored=on_stored, clock=clock)


def add_inbox_job(scheduler: Any, jobs: InboxJobs, seconds: float) -> None:
    """Put the polling job on an APScheduler scheduler; the first poll runs at once."""
    from apscheduler.triggers.interval import IntervalTrigger

    scheduler.add_job(
        jobs.poll_inboxes,
        IntervalTrigger(seconds=seconds, timezone=UTC),
        id=INBOX_JOB_ID,
        replace_existing=True,
        next_run_time=jobs.clock(),
        max_instances=1,
        coalesce=True,
    )
