"""Seat cuts asked as admin, trial extensions and growth into the plan, and calm praise (cs-signals)."""

from __future__ import annotations

import pytest

from bot.analysis.contract import Label, RecommendedAction, Urgency
from bot.analysis.offline import OfflineAnalyzer

SEAT_CUTS = [
    "Hey, can you take us down to 12 seats when we renew next month? Cheers",
    "Please remove 8 seats from our account before the 1st, thank you!",
    "Dear team, kindly reduce our subscription to 40 users effective at the next billing cycle. Regards",
    "We'll only need 25 licenses from next quarter onwards.",
    "going forward we just need 18 seats, please adjust the invoice",
    "pls release 6 licences before the renewal, ty",
    "Our CFO insists: lower the plan to 50 seats at renewal, no discussion.",
    "Hello, for next year we only need 14 seats please, budget is smaller.",
]

SEAT_ADMIN = [
    "Please deactivate Maria's account, she left the company last week. Thanks",
    "Can you remove Tom from the workspace? He moved to another team.",
    "Please move Jake's seat over to Priya, she is replacing him.",
    "swap the licence from ana@acme.com to ben@acme.com pls",
]


@pytest.mark.parametrize("text", SEAT_CUTS)
def test_a_seat_cut_asked_as_admin_is_churn_risk(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.churn_risk, text
    assert result.label is Label.negative, text


@pytest.mark.parametrize("text", SEAT_ADMIN)
def test_one_named_user_removed_or_a_seat_moved_is_no_churn(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert not result.churn_risk, text
    assert result.label is not Label.negative, text


@pytest.mark.parametrize("text", [
    "Would it be possible to extend our trial for another 10 days?",
    "can u extend the trial by a couple weeks? still testing with the team",
    "Could you kindly extend our free trial until the end of the month?",
    "pls extend the pilot by one more week, we didn't finish evaluating",
])
def test_a_trial_extension_is_a_request_not_expansion(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert not result.expansion, text
    assert result.recommended_action is not RecommendedAction.expansion_follow_up, text
    assert result.label is Label.neutral, text


@pytest.mark.parametrize("text", [
    "We'd like to extend it to our Berlin office next quarter.",
    "We are expanding our usage to the support team as well.",
])
def test_extending_the_product_to_more_people_stays_expansion(analyzer: OfflineAnalyzer, text: str) -> None:
    assert analyzer.analyze_text(text).expansion, text


@pytest.mark.parametrize("text", [
    "Ampliamos a 25 usuarios más para el equipo de Sevilla.",
    "Nous ajoutons 15 licences pour l'équipe de Nantes.",
    "Wir stocken um 20 Lizenzen für das Team in Graz auf.",
    "Vamos acrescentar 12 licenças para a equipe do Recife.",
])
def test_seats_added_in_another_language_are_expansion_not_churn(
    analyzer: OfflineAnalyzer, text: str
) -> None:
    result = analyzer.analyze_text(text)
    assert result.expansion and not result.churn_risk, text

@pytest.mark.parametrize("text", [
    "Out of licenses once more (nice problem to have) - need 10 more before Wednesday pls",
    "out of seats again lol, hiring like crazy. 15 more by Monday?",
    "No licences left again because of new hires, can you add 12 more before next week?",
])
def test_running_out_of_seats_from_growth_is_positive_growth(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is Label.positive, text
    assert result.expansion, text
    assert not result.churn_risk, text


@pytest.mark.parametrize("text", [
    "Our whole team uses it daily and we really like it.",
    "We rely on it every single day and it's been fantastic.",
    "Great product, the team enjoys using it.",
    "Just wanted to say we love the new reports!",
])
def test_calm_praise_with_nothing_to_act_on_is_low_urgency(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is Label.positive, text
    assert result.urgency is Urgency.low, text


@pytest.mark.parametrize("text", [
    "Love the product! Can you add 10 more seats by tomorrow?",
    "Great tool, but please send the renewal quote by Friday, it's urgent.",
])
def test_praise_beside_a_request_with_a_deadline_keeps_its_urgency(
    analyzer: OfflineAnalyzer, text: str
) -> None:
    assert analyzer.analyze_text(text).urgency is not Urgency.low, text
