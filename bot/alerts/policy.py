"""When a scored message becomes an alert, and how loud.

Severity comes from the analysis and the account's state:
- critical — strongly negative, angry, a churn or competitor threat, or high urgency: posted at once;
- warning — moderately negative: kept for the daily attention list and the digest;
- opportunity — expansion or a promoter: sent to the account owner.

Fatigue controls: one open alert per account and issue (a new message joins it
and can raise its severity instead of opening another), per-channel sensitivity,
quiet hours (everything but critical waits for the digest), and transactional
noise ("thanks", "ok", scheduling) never alerts.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.analysis.contract import AnalysisResult, Concern, Emotion, Label, Urgency


class Severity(StrEnum):
    opportunity = "opportunity"
    warning = "warning"
    critical = "critical"

    @property
    def rank(self) -> int:
        return {"opportunity": 0, "warning": 1, "critical": 2}[self.value]


class Sensitivity(StrEnum):
    """How readily a watched channel's messages alert."""

    conservative = "conservative"
    normal = "normal"
    aggressive = "aggressive"


@dataclass(frozen=True)
class PolicyThresholds:
    critical_score: float = -0.6
    warning_score: float = -0.3
    promoter_nps: float = 9.0
    detractor_nps: float = 6.0


@dataclass(frozen=True)
class AlertDecision:
    severity: Severity
    issue_key: str
    reasons: tuple[str, ...]
    post_now: bool


#: The concern an alert thread is about, in order of what a CSM would act on first.
_ISSUE_PRIORITY = (
    Concern.security_privacy,
    Concern.contract_renewal,
    Concern.reliability,
    Concern.bug,
    Concern.performance,
    Concern.billing,
    Concern.support_responsiveness,
    Concern.integration,
    Concern.data_export,
    Concern.pricing,
    Concern.onboarding,
    Concern.feature_request,
    Concern.other,
)


def issue_key(result: AnalysisResult) -> str:
    """The issue an alert groups under: the most pressing concern, churn, or 'general'."""
    for concern in _ISSUE_PRIORITY:
        if concern in result.concerns:
            return concern.value
    if result.churn_risk or result.competitor_mentioned:
        return Concern.contract_renewal.value
    return "general"


def decide(
    result: AnalysisResult,
    *,
    thresholds: PolicyThresholds = PolicyThresholds(),
    sensitivity: Sensitivity = Sensitivity.normal,
    source_score: float | None = None,
    source_kind: str = "chat",
    quiet_hours: bool = False,
) -> AlertDecision | None:
    """The alert a message warrants, or None. Pure: same inputs, same answer."""
    if result.abstained:
        return None
    severity, reasons = _severity(result, thresholds, source_score, source_kind)
    if severity is None:
        return None
    severity = _apply_sensitivity(severity, result, sensitivity, thresholds)
    if severity is None:
        return None
    post_now = severity is Severity.critical or (
        severity is Severity.opportunity or sensitivity is Sensitivity.aggressive
    )
    if quiet_hours and severity is not Severity.critical:
        post_now = False
    if severity is Severity.warning and sensitivity is not Sensitivity.aggressive:
        post_now = False
    key = "opportunity" if severity is Severity.opportunity else issue_key(result)
    return AlertDecision(severity, key, tuple(reasons), post_now)


def _severity(
    result: AnalysisResult, thresholds: PolicyThresholds, source_score: float | None, source_kind: str
) -> tuple[Severity | None, list[str]]:
    negative = result.label is Label.negative
    reasons: list[str] = []
    detractor = source_kind == "nps" and source_score is not None and source_score <= thresholds.detractor_nps
    promoter = source_kind == "nps" and source_score is not None and source_score >= thresholds.promoter_nps
    if negative and result.score <= thresholds.critical_score:
        reasons.append(f"strongly negative ({result.score:+.2f})")
    if negative and Emotion.anger in result.emotions:
        reasons.append("angry")
    if result.churn_risk:
        reasons.append("churn risk")
    if result.competitor_mentioned and (negative or result.churn_risk):
        reasons.append("competitor mentioned")
    if result.urgency is Urgency.high and result.label is not Label.positive:
        reasons.append("high urgency")
    if detractor:
        reasons.append(f"NPS detractor ({source_score:g})")
    if reasons:
        return Severity.critical, reasons
    if negative and result.score <= thresholds.warning_score:
        return Severity.warning, [f"moderately negative ({result.score:+.2f})"]
    if result.expansion or promoter:
        why = ["expansion signal"] if result.expansion else []
        if promoter:
            why.append(f"promoter (NPS {source_score:g})")
        return Severity.opportunity, why
    return None, []


def _apply_sensitivity(
    severity: Severity, result: AnalysisResult, sensitivity: Sensitivity, thresholds: PolicyThresholds
) -> Severity | None:
    if sensitivity is not Sensitivity.conservative or severity is not Severity.critical:
        return severity
    # Conservative channels alert only on the clearest threats.
    clear = (
        result.churn_risk
        or result.competitor_mentioned
        or result.score <= (thresholds.critical_score - 0.15)
        or (result.urgency is Urgency.high and result.label is Label.negative)
    )
    return severity if clear else Severity.warning


def escalate(current: Severity, incoming: Severity) -> Severity:
    """Joining messages can only raise an open alert's severity."""
    return incoming if incoming.rank > current.rank else current
