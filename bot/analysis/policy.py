"""When Claude is asked: never (`off`), always (`all`), or where it can change a decision (`hybrid`).

In `hybrid` the offline analyzer scores every message first; Claude is asked
where a misreading would hide a risk or where the offline reading is unsure:
any commercial, security or escalation signal of the risk layer (strong or a
mere hint), churn risk, a competitor, the rules, the reading model and the
lexicon disagreeing, a calibrated confidence under the threshold, suspected
sarcasm, a language other than English, or an abstention because of the
language. A reading every layer agrees on with confidence — a plain thank-you,
a how-to question, a clear product complaint — stays in the process.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from bot.analysis.base import AnalysisOutcome, AnalysisRequest, Analyzer
from bot.analysis.claude import ClaudeAnalyzer
from bot.analysis.contract import AnalysisResult, Label, Urgency
from bot.config.settings import LlmPolicy
from storage.errors import ConfigError

DEFAULT_LOW_CONFIDENCE = 0.55
#: Risk kinds a confident offline reading still sends to Claude (operational impact is plain enough).
ROUTED_RISKS = frozenset({"commercial", "security", "escalation"})

#: Language values that mean "unknown", not "not English".
_UNKNOWN_LANGUAGES = frozenset({"", "und", "unknown", "xx"})


def claude_triggers(
    result: AnalysisResult,
    low_confidence: float = DEFAULT_LOW_CONFIDENCE,
    signals: Mapping | None = None,
) -> list[str]:
    """Why an offline result should be checked by Claude; empty when it need not be.

    `signals` is what the offline layers saw (`OfflineSignals.to_dict()`): risk kinds and each layer's
    label. Without it (an offline result from elsewhere) every negative or urgent reading is sent.
    """
    triggers = []
    language = (result.language or "").split("-")[0].strip().lower()
    if result.abstained:
        if "language" in (result.abstain_reason or "").lower():
            triggers.append("language_abstained")
        elif language not in _UNKNOWN_LANGUAGES and language != "en":
            triggers.append("non_english")
        # Other abstentions (auto-replies, log pastes) have nothing Claude could add.
        return triggers
    if signals is None:
        if result.label is Label.negative:
            triggers.append("negative")
        if result.urgency in (Urgency.high, Urgency.medium):
            triggers.append(f"urgency_{result.urgency.value}")
    else:
        kinds = sorted({risk.rstrip("?") for risk in signals.get("risks", ())} & ROUTED_RISKS)
        triggers.extend(f"risk_{kind}" for kind in kinds)
        labels = [signals.get(layer) for layer in ("rules", "model", "lexicon")]
        final = result.label.value
        opposite = {"positive": "negative", "negative": "positive"}.get(final)
        if any(label and label != final for label in labels[:2]) or (opposite and labels[2] == opposite):
            triggers.append("disagreement")
        if signals.get("doubt"):
            triggers.append("doubt")
        if signals.get("injection_attempt"):
            triggers.append("injection_attempt")
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
    def claude(self) -> ClaudeAnalyzer | None:
        return self._claude

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
            triggers = claude_triggers(baseline.result, self.low_confidence, baseline.extra.get("signals"))
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
