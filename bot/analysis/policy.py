"""When Claude is asked: never (`off`), always (`all`), or where it can change a decision (`hybrid`).

In `hybrid` the offline analyzer scores every message first; Claude is asked
where a misreading would hide a risk or where the offline reading is unsure:
a commercial, security or escalation finding of the risk layer, churn risk
(the reading model's churn head over its threshold, or a risk that means
churn), a competitor, layers reading opposite polarities, genuine doubt (the
router of `routing.py`, fitted on out-of-fold readings: how likely the reading
gets an alert-worthy message wrong), a calibrated confidence under the
threshold, suspected sarcasm, injected instructions, or an abstention because
of the language. A bare keyword ("renewal", "budget", "manager") routes
nothing by itself. A reading the layers agree on with confidence — a plain
thank-you, a how-to question, a clear product complaint — stays in the
process.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from bot.analysis.base import AnalysisOutcome, AnalysisRequest, Analyzer, at_most
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
        # A finding, not a keyword: strong risks only (a hint such as "renewal" enters the fitted doubt).
        kinds = sorted({risk for risk in signals.get("risks", ()) if not risk.endswith("?")} & ROUTED_RISKS)
        triggers.extend(f"risk_{kind}" for kind in kinds)
        polar = {result.label.value} | {signals.get(layer) for layer in ("rules", "model", "lexicon")}
        if {"positive", "negative"} <= polar:
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
    if language not in _UNKNOWN_LANGUAGES and language != "en" and (
        signals is None or signals.get("churn_probability") is None
    ):
        # Without the reading model the rules alone read other languages; with it, its doubt covers them.
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
        return await self._route(request, await self._offline.analyze(request))

    async def analyze_many(
        self, requests: Sequence[AnalysisRequest], concurrency: int = 8
    ) -> list[AnalysisOutcome]:
        """The offline readings of all the requests together, then each routed as `analyze` routes it
        (Claude reads up to `concurrency` at a time)."""
        baselines = await self._offline.analyze_many(requests, concurrency)
        steps = [self._route(request, reading) for request, reading in zip(requests, baselines, strict=True)]
        return await at_most(concurrency, steps)

    async def _route(self, request: AnalysisRequest, baseline: AnalysisOutcome) -> AnalysisOutcome:
        """The offline reading, or Claude's when the policy sends the message there."""
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
