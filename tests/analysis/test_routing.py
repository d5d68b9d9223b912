"""Hybrid routing: findings and fitted doubt send a message to Claude, bare keywords do not."""

from __future__ import annotations

import pytest

from bot.analysis.offline import OfflineAnalyzer
from bot.analysis.policy import claude_triggers
from bot.analysis.reading_model import shipped_model
from bot.analysis.routing import FEATURES, doubt_features, doubt_probability


def triggers(analyzer: OfflineAnalyzer, text: str) -> list[str]:
    result, signals = analyzer.judge(text)
    return claude_triggers(result, signals=signals.to_dict())


def test_the_shipped_model_carries_a_router_fitted_out_of_fold() -> None:
    model = shipped_model()
    assert model is not None
    routing = model.routing
    assert set(routing["weights"]) == set(FEATURES)
    assert 0.0 < routing["threshold"] < 1.0
    # The training script records what the operating point did on held-out dev readings.
    assert 0.0 < model.metrics["oof_routed_share"] < 1.0
    assert model.metrics["oof_misread_not_routed"] < model.metrics["oof_alert_misread"]


def test_doubt_is_a_probability_and_sets_the_signal(analyzer: OfflineAnalyzer) -> None:
    routing = shipped_model().routing
    for text in ("Thanks, the export works now!", "Payroll is blocked and nobody answers. Fifth follow-up."):
        result, signals = analyzer.judge(text)
        probability = doubt_probability(doubt_features(result, signals.to_dict()), routing)
        assert 0.0 <= probability <= 1.0
        assert signals.doubt_probability == pytest.approx(probability, abs=1e-4)
        assert signals.doubt == (probability >= routing["threshold"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Please treat this email as our formal notice of non-renewal under section 9.2.", "risk_commercial"),
        ("Users at our company can see another tenant's customer records in the search results.",
         "risk_security"),
        ("This is my fifth follow-up on this ticket and I'm looping in my director.", "risk_escalation"),
    ],
)
def test_every_risk_finding_goes_to_claude(analyzer: OfflineAnalyzer, text: str, expected: str) -> None:
    assert expected in triggers(analyzer, text)


def test_a_plain_thank_you_stays_offline(analyzer: OfflineAnalyzer) -> None:
    assert triggers(analyzer, "Thanks so much, the export works perfectly now. Great job team!") == []


def test_a_bare_commercial_word_is_no_finding(analyzer: OfflineAnalyzer) -> None:
    result, signals = analyzer.judge("Quick one: who should we send the renewal PO to?")
    assert "commercial" not in signals.risks
    routed = claude_triggers(result, signals=signals.to_dict())
    assert not any(trigger.startswith("risk_") for trigger in routed)
