"""Which scored messages alert, how loudly, and under which issue."""

from __future__ import annotations

import pytest

from bot.alerts.policy import Sensitivity, Severity, decide, escalate, issue_key
from bot.analysis.contract import AnalysisResult, Concern, Emotion, Intensity, Label, Urgency


def analysis(score: float = 0.0, label: Label = Label.neutral, **fields) -> AnalysisResult:
    base = dict(score=score, label=label, intensity=Intensity.mild, urgency=Urgency.low, confidence=0.8)
    base.update(fields)
    return AnalysisResult(**base)


def test_a_strongly_negative_churn_threat_is_critical_and_posts_at_once():
    decision = decide(
        analysis(-0.82, Label.negative, churn_risk=True, concerns=[Concern.reliability], urgency=Urgency.high)
    )
    assert decision.severity is Severity.critical and decision.post_now
    assert decision.issue_key == "reliability"
    assert {"churn risk", "high urgency"} <= set(decision.reasons)


@pytest.mark.parametrize(
    "fields",
    [
        dict(emotions=[Emotion.anger]),
        dict(competitor_mentioned=True),
        dict(urgency=Urgency.high),
        dict(score=-0.7),
    ],
)
def test_each_critical_signal_alone_is_critical(fields):
    base = dict(score=-0.4)
    base.update(fields)
    assert decide(analysis(label=Label.negative, **base)).severity is Severity.critical


def test_moderately_negative_is_a_warning_kept_for_the_attention_list():
    decision = decide(analysis(-0.45, Label.negative, concerns=[Concern.billing]))
    assert decision.severity is Severity.warning and not decision.post_now


def test_an_aggressive_channel_posts_warnings_too():
    decision = decide(analysis(-0.45, Label.negative), sensitivity=Sensitivity.aggressive)
    assert decision.severity is Severity.warning and decision.post_now


def test_a_conservative_channel_keeps_borderline_criticals_as_warnings():
    borderline = analysis(-0.62, Label.negative)
    assert decide(borderline, sensitivity=Sensitivity.conservative).severity is Severity.warning
    threat = analysis(-0.5, Label.negative, churn_risk=True)
    assert decide(threat, sensitivity=Sensitivity.conservative).severity is Severity.critical


@pytest.mark.parametrize("score,label", [(0.0, Label.neutral), (0.4, Label.positive), (-0.1, Label.negative)])
def test_transactional_and_mildly_negative_messages_never_alert(score, label):
    assert decide(analysis(score, label)) is None


def test_expansion_and_promoters_are_opportunities():
    expansion = decide(analysis(0.5, Label.positive, expansion=True))
    promoter = decide(analysis(0.6, Label.positive), source_kind="nps", source_score=10)
    assert expansion.severity is Severity.opportunity and expansion.issue_key == "opportunity"
    assert promoter.severity is Severity.opportunity and "promoter (NPS 10)" in promoter.reasons


def test_an_nps_detractor_is_critical_even_with_a_mild_comment():
    decision = decide(analysis(-0.1, Label.negative), source_kind="nps", source_score=3)
    assert decision.severity is Severity.critical and "NPS detractor (3)" in decision.reasons


def test_quiet_hours_hold_everything_but_critical():
    critical = decide(analysis(-0.8, Label.negative), quiet_hours=True)
    opportunity = decide(analysis(0.5, Label.positive, expansion=True), quiet_hours=True)
    assert critical.post_now and not opportunity.post_now


def test_an_abstained_analysis_never_alerts():
    assert decide(analysis(-0.9, Label.negative, abstained=True, abstain_reason="language")) is None


def test_issue_keys_group_by_the_most_pressing_concern():
    assert issue_key(analysis(concerns=[Concern.onboarding, Concern.security_privacy])) == "security_privacy"
    assert issue_key(analysis(churn_risk=True)) == "contract_renewal"
    assert issue_key(analysis()) == "general"


def test_joining_messages_only_raise_severity():
    assert escalate(Severity.warning, Severity.critical) is Severity.critical
    assert escalate(Severity.critical, Severity.warning) is Severity.critical
