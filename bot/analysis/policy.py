"""When Claude is asked: never (`off`), always (`all`), or where it can change a decision (`hybrid`).

In `hybrid` the offline analyzer scores every message first; Claude is asked
only when the offline result is one a CSM may act on or one the offline model
is weak at: negative, medium or high urgency, churn risk, a competitor, low
confidence, suspected sarcasm, a language other than English, or an abstention
because of the language. Plain positive and neutral English messages — most of
the traffic — never leave the process.
"""

from __future__ import annotations

from collections import Counter

from bot.analysis.base import AnalysisOutcome, AnalysisRequest, Analyzer
from bot.analysis.claude import ClaudeAnalyzer
from bot.analysis.contract import AnalysisResult, Label, Urgency
from bot.config import LlmPolicy
from bot.errors import ConfigError

DEFAULT_LOW_CONFIDENCE = 0.55

#: Language values that mean "unknown", not "not English".
_UNKNOWN_LANGUAGES = frozenset({"", "und", "unknown", "xx"})


def claude_triggers(result: AnalysisResult, low_confidence: float = DEFAULT_LOW_CONFIDENCE) -> list[str]:
    """Why an offline result should be checked by Claude; empty when it need not be."""
    triggers = []
    language = (result.language or "").split("-")[0].strip().lower()
    if result.abstained:
        if "language" in (result.abstain_reason or "").lower():
            triggers.append("language_abstained")
        elif language not in _UNKNOWN_LANGUAGES and language != "en":
            triggers.append("non_english")
        # Other abstentions (auto-replies, log pastes) have nothing Claude could add.
        return triggers
    if result.label is Label.negative:
        triggers.append("negative")
    if result.urgency in (Urgency.high, Urgency.medium):
        triggers.append(f"urgency_{result.urgency.value}")
    if result.churn_risk:
        triggers.append("churn_risk")
    if result.competitor_mentioned:
        triggers.append("competitor")
    if result.confidence < low_confidence:
        triggers.append("low_confidence")
    if result.sarcasm:
        triggers.append("sarcasm")
    if language not in _UNKNOWN_LANGUAGES and language != "en":
        triggers.append("non_english")
    return triggers


class PolicyAnalyzer(Analyzer):
    """Routes each message to the offline analyzer, Claude, or both, and counts what it did."""

    name = "policy"

    def __init__(
        self,
        offline: Analyzer,
        claude: ClaudeAnalyzer | None,
        policy: LlmPolicy | str = LlmPolicy.hybrid,
        low_confidence: float = DEFAULT_LOW_CONFIDENCE,
    ) -> None:
        self.policy = LlmPolicy(policy)
        if self.policy is not LlmPolicy.off and claude is None:
            raise ConfigError(
                f"TONEWATCH_LLM_POLICY={self.policy.value} needs Claude: set ANTHROPIC_API_KEY "
                "or set TONEWATCH_LLM_POLICY=off"
            )
        self._offline = offline
        self._claude = claude
        self.low_confidence = low_confidence
        self.total = 0
        self.sent_to_claude = 0
        self.fallbacks: Counter[str] = Counter()
        self.triggers: Counter[str] = Counter()
        self.injection_guarded = 0

    @property
    def share_sent_to_claude(self) -> float:
        return self.sent_to_claude / self.total if self.total else 0.0

    def stats(self) -> dict:
        return {
            "policy": self.policy.value,
            "total": self.total,
            "sent_to_claude": self.sent_to_claude,
            "share_sent_to_claude": round(self.share_sent_to_claude, 4),
            "fallbacks": dict(self.fallbacks),
            "triggers": dict(self.triggers),
            "injection_guarded": self.injection_guarded,
        }

    async def analyze(self, request: AnalysisRequest) -> AnalysisOutcome:
        # The offline analyzer raises InvalidText for a bad input; that is the caller's to report.
        baseline = await self._offline.analyze(request)
        self.total += 1
        if self.policy is LlmPolicy.off or self._claude is None:
            return baseline
        if self.policy is LlmPolicy.hybrid:
            triggers = claude_triggers(baseline.result, self.low_confidence)
            if not triggers:
                return baseline
            self.triggers.update(triggers)
        self.sent_to_claude += 1
        outcome = await self._claude.analyze_with_baseline(request, baseline)
        if outcome.fallback_reason:
            # Count by kind ("invalid_output"), not by the detail after the colon.
            self.fallbacks[outcome.fallback_reason.split(":")[0]] += 1
        if outcome.extra.get("injection_guard"):
            self.injection_guarded += 1
        return outcome
