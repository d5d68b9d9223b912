"""Two plain tells a lexicon misses: praise in scare quotes, and a low score written in the text.

Written for these tests (not taken from the corpus), each with look-alikes that must not change.
"""

from __future__ import annotations

import pytest

from bot.analysis.contract import Label
from bot.analysis.offline import OfflineAnalyzer
from tests.support.readings import IDLE_ACTIONS as IDLE


@pytest.mark.parametrize(
    "text",
    [
        "thanks for the 'quick' reply 🙂 (5 days)",
        "The new 'smart' deduplication merged two different customers.",
        "Thanks for the \u201cheads-up\u201d about the price change. In the invoice.",
        "Cheers for the 'resolved' email, it's not.",
    ],
)
def test_praise_in_scare_quotes_is_irony(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.sarcasm and result.label is Label.negative
    assert result.recommended_action not in IDLE


@pytest.mark.parametrize(
    "text",
    [
        "We call it the 'quick' view internally, and the team loves it.",
        'Love the "Simple" mode, our interns use it daily.',
        "Thanks for the quick reply!",
    ],
)
def test_a_quoted_name_or_unquoted_praise_is_not_irony(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert not result.sarcasm and result.label is Label.positive


@pytest.mark.parametrize(
    "text",
    [
        "CSAT \u2014 Ticket #123 \u2014 Rating: 1/5. Comment: it took a week.",
        "App review \u2605\u2606\u2606\u2606\u2606 Title: Beautiful status page, we see it a lot.",
        "We gave it 2 stars on G2, sadly.",
        "NPS 3 \u2014 too slow lately.",
    ],
)
def test_a_low_score_in_the_text_reads_negative(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is Label.negative
    assert result.recommended_action not in IDLE


@pytest.mark.parametrize(
    "text",
    [
        "Knocking one star only because I want offline mode. Fast and clean otherwise.",
        "Step 1/5: connect your CRM.",
        "App review \u2605\u2605\u2605\u2605\u2605 love it",
    ],
)
def test_a_step_count_or_a_good_score_is_no_low_rating(analyzer: OfflineAnalyzer, text: str) -> None:
    assert analyzer.analyze_text(text).label is not Label.negative


@pytest.mark.parametrize(
    "text",
    [
        "Que beleza, caiu de novo. Bem no meio da campanha de Black Friday \U0001f44f\U0001f44f",
        "The export failed again, right before the board meeting \U0001f44f",
    ],
)
def test_applause_for_a_failure_is_irony(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.sarcasm and result.label is Label.negative
    assert result.recommended_action not in IDLE


@pytest.mark.parametrize(
    "text",
    [
        "Le nouveau tableau de bord est g\u00e9nial, bravo \u00e0 l'\u00e9quipe \U0001f44f",
        "Great job on the release, team \U0001f44f\U0001f44f",
        "Never had a single outage with you in two years, unlike our last vendor \U0001f44f",
    ],
)
def test_applause_for_good_work_is_praise(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert not result.sarcasm and result.label is Label.positive


DETRACTORS_WITH_A_COMPLAINT = [
    "3 - support is slow and the app crashes",
    "NPS 4: reporting is broken half the time",
    "6 - too expensive for what we actually use",
    "Score: 5. Onboarding was a mess and nobody followed up.",
    # a complaint the rules have no cue for, in another language, that the reading model reads negative
    "NPS 6: Wir warten seit Wochen auf eine Antwort vom Support.",
    "Note 5 : trop cher pour ce qu'on en fait.",
]

NOT_DETRACTORS_OR_NO_COMPLAINT = [
    "8 - good, reporting could be a little faster",
    "Score 6: it's fine I guess",
    "CSAT 2/5 - the agent didn't read my ticket",  # a ticket's rating, not the relationship
]


@pytest.mark.parametrize("text", DETRACTORS_WITH_A_COMPLAINT)
def test_an_nps_detractor_with_a_complaint_is_churn_risk(analyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.churn_risk and result.label.value == "negative", (result.label, result.churn_risk)


@pytest.mark.parametrize("text", NOT_DETRACTORS_OR_NO_COMPLAINT)
def test_a_passive_score_or_a_tickets_rating_is_no_churn_risk(analyzer, text: str) -> None:
    assert not analyzer.analyze_text(text).churn_risk
