"""`tonewatch import PATH --batch`: the backfill's Claude analyses through the Message Batches API.

The Message Batches API answers within 24 hours at half the price of live calls, which suits history.
Every pending message is judged offline first; those the configured policy sends to Claude (`hybrid`:
`claude_triggers` with the offline signals; `all`: every one) become requests of one batch (split at
the API's limits, 100,000 requests or 256 MB), whose `params` are exactly what `ClaudeAnalyzer` sends
for a live message: the same cached system prompt and tool, the same redaction, the same thread
context. The others are stored with their offline analysis at once.

Resumable: a batch and its messages are recorded (storage/batches.py) before it is submitted, and its
API id as soon as the API accepted it, all before any waiting. Running the command again polls the
recorded batch instead of submitting a new one. Answers become analyses through the same code as a
live answer (validation, the injection guard, `hold_to_contract`); an errored, expired or canceled
request, or an answer that fails validation, keeps the offline analysis with a `fallback_reason`.
A message is stored once: an answer for a message analyzed, edited or erased meanwhile is not used.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import anthropic

from bot.analysis.base import AnalysisOutcome, Analyzer
from bot.analysis.claude import ClaudeAnalyzer, _reason_for_exception
from bot.analysis.policy import DEFAULT_LOW_CONFIDENCE, claude_triggers
from bot.config.settings import LlmPolicy
from bot.messages.pipeline import ANALYZE, MessagePipeline
from storage.batches import (
    BatchItem,
    batch_items,
    finish_batch,
    forget_batch,
    held_message_ids,
    open_batches,
    pending_message_ids,
    record_batch,
    set_batch_id,
)
from storage.db import read_transaction, transaction
from storage.errors import UserError

log = logging.getLogger(__name__)

#: The Message Batches API's limits on one batch.
MAX_BATCH_REQUESTS = 100_000
MAX_BATCH_BYTES = 256 * 1024 * 1024
#: Room left in a batch's body for what surrounds the requests (`{"requests": [...]}`).
ENVELOPE_BYTES = 1024
#: Messages read, judged and stored at a time.
PAGE = 500

Progress = Callable[[str], object]


class BatchNotFinished(UserError):
    """The batch was still processing when the maximum wait ran out; running again resumes it."""


@dataclass
class BatchReport:
    """What a run did: analyses stored offline at once, requests sent, answers stored, fallbacks."""

    offline: int = 0
    sent: int = 0
    from_claude: int = 0
    fallbacks: Counter[str] = field(default_factory=Counter)
    #: Answers not used: the message was analyzed, edited or erased meanwhile.
    unused: int = 0
    submitted: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)

    @property
    def analyzed(self) -> int:
        return self.offline + self.from_claude + sum(self.fallbacks.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "offline": self.offline,
            "sent_to_claude": self.sent,
            "from_claude": self.from_claude,
            "fallbacks": dict(self.fallbacks),
            "unused_answers": self.unused,
            "batches": self.submitted,
            "resumed_batches": self.resumed,
        }


def custom_id_for(message_id: int) -> str:
    return f"message-{message_id}"


def sent_hash(params: dict[str, Any]) -> str:
    """A fingerprint of the words a request carries (message and thread context, redacted)."""
    encoded = json.dumps(params["messages"], sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


@dataclass
class _Request:
    item: BatchItem
    body: dict[str, Any]


class BatchBackfill:
    """Analyzes every pending message: offline at once, or through a Message Batch (see the module)."""

    def __init__(
        self,
        pipeline: MessagePipeline,
        offline: Analyzer,
        claude: ClaudeAnalyzer,
        policy: LlmPolicy | str = LlmPolicy.hybrid,
        low_confidence: float = DEFAULT_LOW_CONFIDENCE,
        *,
        poll_interval: float = 60.0,
        max_wait: float | None = None,
        progress: Progress | None = None,
        max_requests: int = MAX_BATCH_REQUESTS,
        max_bytes: int = MAX_BATCH_BYTES,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.policy = LlmPolicy(policy)
        if self.policy is LlmPolicy.off:
            raise UserError("import --batch sends analyses to Claude, but TONEWATCH_LLM_POLICY=off")
        self._pipeline = pipeline
        self._engine = pipeline.engine
        self._offline = offline
        self._claude = claude
        self._client = claude.client
        self.low_confidence = low_confidence
        self.poll_interval = poll_interval
        self.max_wait = max_wait
        self._progress = progress or (lambda line: None)
        self.max_requests = max_requests
        self.max_bytes = max_bytes
        self._clock = clock
        self._sleep = sleep
        self._deadline: float | None = None

    async def run(self) -> BatchReport:
        """Resume the batches a previous run left, then batch what is still pending; store every answer."""
        report = BatchReport()
        self._deadline = None if self.max_wait is None else self._clock() + self.max_wait
        with read_transaction(self._engine) as tx:
            left = open_batches(tx)
        for batch in left:
            if batch.batch_id is None:
                # Recorded, but the API never confirmed it: its messages are submitted again below.
                self._progress("a batch recorded earlier was never accepted; sending its messages again")
                with transaction(self._engine) as tx:
                    forget_batch(tx, batch.row_id, ANALYZE)
                continue
            self._progress(f"resuming batch {batch.batch_id} ({batch.request_count} request(s))")
            report.resumed.append(batch.batch_id)
            await self._collect(batch.row_id, batch.batch_id, report)
        for row_id, batch_id in await self._submit_pending(report):
            await self._collect(row_id, batch_id, report)
        return report

    def _reason(self, exc: Exception) -> str:
        return _reason_for_exception(exc, self._claude.model)

    # --- submitting ------------------------------------------------------------------------------

    def _to_claude(self, baseline: AnalysisOutcome) -> bool:
        if self.policy is LlmPolicy.all:
            return True
        return bool(claude_triggers(baseline.result, self.low_confidence, baseline.extra.get("signals")))

    async def _submit_pending(self, report: BatchReport) -> list[tuple[int, str]]:
        """Judge every pending message not held by a batch; store the offline ones, batch the others."""
        with read_transaction(self._engine) as tx:
            held = held_message_ids(tx)
        submitted: list[tuple[int, str]] = []
        waiting: list[_Request] = []
        size = 0
        after = 0
        while True:
            with read_transaction(self._engine) as tx:
                ids = pending_message_ids(tx, after, PAGE)
            if not ids:
                break
            after = ids[-1]
            requests = self._pipeline.load_requests([i for i in ids if i not in held])
            offline: dict[int, AnalysisOutcome] = {}
            baselines = await self._offline.analyze_many(list(requests.values()))
            for (message_id, request), baseline in zip(requests.items(), baselines, strict=True):
                if not self._to_claude(baseline):
                    offline[message_id] = baseline
                    continue
                params = self._claude.request_params(self._claude.prepare(request))
                custom_id = custom_id_for(message_id)
                body = {"custom_id": custom_id, "params": params}
                length = len(json.dumps(body).encode("utf-8")) + 1
                if waiting and (
                    len(waiting) >= self.max_requests or size + length > self.max_bytes - ENVELOPE_BYTES
                ):
                    submitted.append(await self._submit(waiting, report))
                    waiting, size = [], 0
                waiting.append(_Request(BatchItem(custom_id, message_id, sent_hash(params)), body))
                size += length
            report.offline += len(self._pipeline.save_outcomes(offline))
            self._progress(
                f"judged messages up to id {after}: {report.offline} stored with the offline analysis, "
                f"{report.sent + len(waiting)} for Claude"
            )
        if waiting:
            submitted.append(await self._submit(waiting, report))
        return submitted

    async def _submit(self, waiting: Sequence[_Request], report: BatchReport) -> tuple[int, str]:
        """Record the batch, submit it, record its id: a crash at any point leaves a resumable state."""
        with transaction(self._engine) as tx:
            row_id = record_batch(tx, self._claude.model, [r.item for r in waiting], ANALYZE)
        try:
            # The bodies are the JSON the API takes, built as dicts rather than the SDK's TypedDicts.
            batch = await self._client.messages.batches.create(requests=[r.body for r in waiting])  # type: ignore[misc]
        except anthropic.APIStatusError as exc:
            # Refused with an answer: no batch exists. The messages stay pending, on the work queue again.
            with transaction(self._engine) as tx:
                forget_batch(tx, row_id, ANALYZE)
            raise UserError(
                f"the Message Batches API refused the batch ({self._reason(exc)}, HTTP {exc.status_code}); "
                "the messages stay pending: run the command again"
            ) from None
        except Exception as exc:  # noqa: BLE001 — no answer: the batch may or may not exist
            raise UserError(
                f"could not submit the batch ({self._reason(exc)}); the messages stay pending: "
                "run the command again"
            ) from None
        with transaction(self._engine) as tx:
            set_batch_id(tx, row_id, batch.id)
        report.submitted.append(batch.id)
        report.sent += len(waiting)
        self._progress(f"submitted batch {batch.id} with {len(waiting)} request(s)")
        return row_id, batch.id

    # --- waiting and storing ---------------------------------------------------------------------

    async def _wait(self, batch_id: str) -> bool:
        """Poll until the batch ended (True), or it is unknown to the API (False)."""
        last = ""
        while True:
            try:
                batch = await self._client.messages.batches.retrieve(batch_id)
            except anthropic.NotFoundError:
                return False
            except Exception as exc:  # noqa: BLE001
                raise UserError(
                    f"could not check batch {batch_id} ({self._reason(exc)}); "
                    "run the same command again to resume it"
                ) from None
            counts = batch.request_counts
            line = (
                f"batch {batch_id}: {batch.processing_status} — {counts.processing} processing, "
                f"{counts.succeeded} succeeded, {counts.errored} errored, {counts.expired} expired, "
                f"{counts.canceled} canceled"
            )
            if line != last:
                self._progress(line)
                last = line
            if batch.processing_status == "ended":
                return True
            remaining = None if self._deadline is None else self._deadline - self._clock()
            if remaining is not None and remaining <= 0:
                raise BatchNotFinished(
                    f"batch {batch_id} is still {batch.processing_status} after {self.max_wait:g} s; "
                    "run the same command again to resume it"
                )
            await self._sleep(self.poll_interval if remaining is None else min(self.poll_interval, remaining))

    async def _collect(self, row_id: int, batch_id: str, report: BatchReport) -> None:
        """Wait for the batch, store an analysis for each of its messages, and mark it done."""
        ended = await self._wait(batch_id)
        with read_transaction(self._engine) as tx:
            items = {item.custom_id: item for item in batch_items(tx, row_id)}
        seen: set[str] = set()
        if ended:
            chunk: list[tuple[BatchItem, Any]] = []
            try:
                async for entry in await self._client.messages.batches.results(batch_id):
                    item = items.get(entry.custom_id)
                    if item is None or entry.custom_id in seen:
                        continue
                    seen.add(entry.custom_id)
                    chunk.append((item, entry.result))
                    if len(chunk) >= PAGE:
                        await self._store(chunk, report)
                        chunk = []
            except anthropic.NotFoundError:
                log.warning("the results of batch %s are no longer available", batch_id)
            except Exception as exc:  # noqa: BLE001 — what was stored stays; a second run stores the rest
                raise UserError(
                    f"could not read the results of batch {batch_id} "
                    f"({self._reason(exc)}); run the same command again to resume it"
                ) from None
            await self._store(chunk, report)
        else:
            log.warning("batch %s is unknown to the API; its messages keep their offline analysis", batch_id)
        missing = [(item, None) for custom_id, item in items.items() if custom_id not in seen]
        for start in range(0, len(missing), PAGE):
            await self._store(missing[start : start + PAGE], report)
        with transaction(self._engine) as tx:
            finish_batch(tx, row_id, ANALYZE)
        self._progress(
            f"batch {batch_id} done: {report.from_claude} analysis(es) from Claude, "
            f"{sum(report.fallbacks.values())} kept the offline analysis"
        )

    async def _store(self, pairs: Sequence[tuple[BatchItem, Any]], report: BatchReport) -> None:
        """Turn results (None: no result at all) into analyses, the way a live answer is, and store them."""
        if not pairs:
            return
        requests = self._pipeline.load_requests([item.message_id for item, _ in pairs])
        outcomes: dict[int, AnalysisOutcome] = {}
        for item, result in pairs:
            request = requests.get(item.message_id)
            if request is None:  # analyzed, erased or unreadable meanwhile
                report.unused += 1
                continue
            started = time.perf_counter()
            prepared = self._claude.prepare(request)
            if sent_hash(self._claude.request_params(prepared)) != item.sent_hash:
                report.unused += 1  # edited since it was sent: it stays pending, on the work queue again
                continue
            baseline = await self._offline.analyze(request)
            if result is None:
                outcome = self._claude.fallback(prepared, baseline, "batch_missing_result", started)
            else:
                outcome = self._claude.batch_outcome(prepared, baseline, result, started)
            outcomes[item.message_id] = outcome
        saved = self._pipeline.save_outcomes(outcomes)
        report.unused += len(outcomes) - len(saved)
        for message_id in saved:
            outcome = outcomes[message_id]
            if outcome.fallback_reason:
                report.fallbacks[outcome.fallback_reason.split(":")[0]] += 1
            else:
                report.from_claude += 1
