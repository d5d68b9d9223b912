"""Prometheus metrics, one registry per process core (nothing global at import)."""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
)

from bot.runtime.logs import RefusedRequests


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
        # The process's own: process_* (CPU, memory, open files, start time), python_gc_*, python_info.
        for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
            self.registry.register(collector)
        self.build_info = Gauge(
            "tonewatch_build_info", "Always 1; the running version", ["version"], registry=self.registry
        )
        self.build_info.labels(running_version()).set(1)
        self.platform_api_errors = Counter(
            "tonewatch_platform_api_errors",
            "Failed calls to a chat platform's API (Slack Web API, Teams Bot Connector), every attempt; "
            "status: the HTTP status, Slack's error code, or 'connection'",
            ["platform", "method", "status"],
            registry=self.registry,
        )
        self.platform_rate_limits = Counter(
            "tonewatch_platform_api_rate_limits",
            "Calls to a chat platform's API answered 429 (rate limited), every attempt",
            ["platform", "method"],
            registry=self.registry,
        )
        self.last_digest_posted = Gauge(
            "tonewatch_last_digest_posted_timestamp_seconds",
            "When this process last posted the weekly digest of each target (Unix time)",
            ["target"],
            registry=self.registry,
        )

    def refused(self, path: str, reason: str, status: int) -> None:
        """A request refused: counted, and said in a rate-limited WARNING (route and reason only)."""
        self.requests_rejected.labels(path, reason).inc()
        self.refusals(path, reason, status)

    def platform_api_failed(self, platform: str, method: str, status: str | int) -> None:
        """One failed attempt at a platform API call: a 429 is a rate limit, anything else an error."""
        if str(status) == "429":
            self.platform_rate_limits.labels(platform, method).inc()
        else:
            self.platform_api_errors.labels(platform, method, str(status)).inc()


def running_version() -> str:
    try:
        return version("tonewatch")
    except PackageNotFoundError:
        return "unknown"
