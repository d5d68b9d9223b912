"""The ANALYZE work item: score a stored message, then let the alert service decide, in one commit."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from bot.alerts.service import AlertChange, AlertService
from bot.analysis.base import AnalysisOutcome
from bot.messages.pipeline import ANALYZE, MessagePipeline
from bot.runtime.telemetry import Telemetry
from bot.runtime.worker import Worker
from bot.webhooks import WebhookEvents
from bot.webhooks.payloads import MESSAGE_ANALYZED
from storage.db import Transaction
from storage.webhooks import analyzed_message_data

log = logging.getLogger(__name__)


def observe_analysis(telemetry: Telemetry, message_id: int, outcome: AnalysisOutcome, seconds: float) -> None:
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


class AnalysisJob:
    """ANALYZE: score the stored message, then let the alert service decide; wake the worker for the post."""

    def __init__(
        self,
        pipeline: MessagePipeline,
        alerts: AlertService,
        events: WebhookEvents,
        telemetry: Telemetry,
        wake: Callable[[], None],
    ) -> None:
        self.pipeline = pipeline
        self.alerts = alerts
        self.events = events
        self.telemetry = telemetry
        #: Starts queued work now (the worker's `wake`): a decided alert is posted without a poll's wait.
        self.wake = wake

    def register(self, worker: Worker) -> None:
        worker.register(ANALYZE, self.analyze)

    async def analyze(self, subject: str, attempts: int) -> None:
        message_id = int(subject)
        started = time.perf_counter()
        changes: list[AlertChange] = []

        def decide(tx: Transaction, analyzed_id: int) -> None:
            if self.events.wants(MESSAGE_ANALYZED):
                self.events.emit(tx, MESSAGE_ANALYZED, analyzed_message_data(tx, analyzed_id))
            if change := self.alerts.decide_in(tx, analyzed_id):
                changes.append(change)

        # The decision commits with the analysis: a retry after a crash finds the message analyzed
        # and decided, or neither.
        outcome = await self.pipeline.analyze_message(message_id, then=decide)
        if outcome is not None:
            observe_analysis(self.telemetry, message_id, outcome, time.perf_counter() - started)
        if outcome is not None and outcome.fallback_reason:
            # By kind ("invalid_output"), not by the detail after the colon: a label per cause, not per text.
            self.telemetry.llm_fallbacks.labels(outcome.fallback_reason.split(":")[0]).inc()
        if changes:
            self.wake()
