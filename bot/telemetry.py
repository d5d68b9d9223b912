"""Prometheus metrics, one registry per process core (nothing global at import)."""

from __future__ import annotations

import logging

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from bot.logs import RefusedRequests


class Telemetry:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.refusals = RefusedRequests(logging.getLogger("tonewatch.refused"))
        self.messages_stored = Counter(
            "tonewatch_messages_stored", "Customer messages stored", ["platform"], registry=self.registry
        )
        self.duplicates = Counter(
            "tonewatch_duplicate_deliveries",
            "Redeliveries recognised and not stored again",
            ["platform"],
            registry=self.registry,
        )
        self.analysis_seconds = Histogram(
            "tonewatch_analysis_seconds",
            "Time to analyze one message",
            ["provider"],
            registry=self.registry,
            buckets=(0.001, 0.005, 0.02, 0.1, 0.5, 1, 2, 5, 10, 30),
        )
        self.llm_fallbacks = Counter(
            "tonewatch_llm_fallbacks",
            "Claude calls that fell back to the offline result",
            ["reason"],
            registry=self.registry,
        )
        self.guard_events = Counter(
            "tonewatch_analysis_guard_events",
            "Where Claude's reading was held to the contract, by kind (risk_floor, label_recomputed, "
            "draft_commitment, injection_guard)",
            ["kind"],
            registry=self.registry,
        )
        self.injection_guarded = Counter(
            "tonewatch_injection_guarded",
            "Analyses where Claude's much more reassuring reading was replaced by the cautious one",
            registry=self.registry,
        )
        self.alerts_posted = Counter(
            "tonewatch_alerts_posted", "Alerts posted", ["platform", "severity"], registry=self.registry
        )
        self.queue_depth = Gauge(
            "tonewatch_queue_depth", "Work items not yet done", ["status"], registry=self.registry
        )
        self.requests_rejected = Counter(
            "tonewatch_requests_rejected",
            "Inbound requests refused",
            ["path", "reason"],
            registry=self.registry,
        )

    def refused(self, path: str, reason: str, status: int) -> None:
        """A request refused: counted, and said in a rate-limited WARNING (route and reason only)."""
        self.requests_rejected.labels(path, reason).inc()
        self.refusals(path, reason, status)
