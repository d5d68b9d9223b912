"""Stand-ins for tests: the Messages API (a real local HTTP server) and a scripted baseline analyzer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.analysis.base import AnalysisOutcome, AnalysisRequest, Analyzer, clean_text
from bot.analysis.contract import AnalysisResult, Intensity, Label, Urgency
from tests.fakes.messages_api import FakeMessagesAPI, Reply, messages_api, running_messages_api

__all__ = [
    "FakeMessagesAPI",
    "Reply",
    "ScriptedAnalyzer",
    "baseline_result",
    "messages_api",
    "running_messages_api",
]


def baseline_result(**overrides: Any) -> AnalysisResult:
    """An offline-style result (neutral, confident English unless overridden)."""
    fields: dict[str, Any] = {
        "score": 0.0,
        "label": Label.neutral,
        "intensity": Intensity.mild,
        "urgency": Urgency.low,
        "confidence": 0.9,
        "language": "en",
        "provider": "offline",
        "model": "scripted",
    }
    fields.update(overrides)
    return AnalysisResult(**fields)


class ScriptedAnalyzer(Analyzer):
    """A baseline analyzer whose result for a text is given by `rule(text)`.

    Routing and guard tests need to control exactly what the offline side
    says; this plays that part with the same input rules (`clean_text`) as a
    real analyzer, so an invalid text raises `InvalidText` here too.
    """

    name = "offline"

    def __init__(self, rule: Callable[[str], AnalysisResult]) -> None:
        self._rule = rule
        self.calls = 0

    async def analyze(self, request: AnalysisRequest) -> AnalysisOutcome:
        text = clean_text(request.text)
        self.calls += 1
        return AnalysisOutcome(result=self._rule(text), latency_ms=0.1, extra={"baseline": True})
