"""Two things a warm or brief message hides: the customer buying less of us, and a fix that did not hold.

Written for these tests (not taken from the corpus): each risky message states the risk in another
wording, and each look-alike shares the words without it.
"""

from __future__ import annotations

import pytest

from bot.analysis.contract import Label, Urgency
from bot.analysis.offline import OfflineAnalyzer
from bot.analysis.risk import RiskKind, read_risks
from tests.support.readings import IDLE_ACTIONS as IDLE


@pytest.mark.parametrize(
    "text",
    [
        "For the renewal, please reduce the licence count from 150 to 90. Thanks!",
        "Could we lower the user count to 35 when we renew?",
        "Lovely news: we're renewing! We'll be renewing only the core module this time.",
        "Renewal just for the analytics seats this year, the rest goes.",
        "We're pausing all new automations until the API is stable.",
        "Heads-up: we are pausing the integration work until Q3.",
    ],
)
def test_buying_less_of_us_is_commercial_risk_however_it_is_put(analyzer: OfflineAnalyzer, text: str) -> None:
    assert RiskKind.commercial in {signal.kind for signal in read_risks(text.lower()) if signal.strong}
    result = analyzer.analyze_text(text)
    assert result.label is Label.negative and result.churn_risk
    assert result.recommended_action not in IDLE


@pytest.mark.parametrize(
    "text",
    [
        "We're renewing all 150 licences, PO attached.",
        "Please pause my email notifications while I'm on leave.",
        "Can you add the licence count to the monthly report?",
    ],
)
def test_look_alikes_carry_no_commercial_risk(text: str) -> None:
    assert not [signal for signal in read_risks(text.lower()) if signal.strong]


@pytest.mark.parametrize(
    "text",
    [
        "cheers for the 'resolved' email. it's not. reopened. again.",
        "CSAT 1/5. Marked as solved. It is not solved.",
        "You closed it as fixed, but it's still not working.",
        "Reopening the case: the export is still empty.",
    ],
)
def test_a_fix_that_did_not_hold_is_a_problem_that_needs_an_answer(
    analyzer: OfflineAnalyzer, text: str
) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is Label.negative
    assert result.urgency is not Urgency.low
    assert result.recommended_action not in IDLE


@pytest.mark.parametrize(
    "text",
    [
        "Thanks, I reopened the ticket by mistake, please close it.",
        "We reopened the Denver office last month and love the new dashboards.",
    ],
)
def test_reopening_by_mistake_or_reopening_an_office_is_no_complaint(
    analyzer: OfflineAnalyzer, text: str
) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is not Label.negative
    assert result.urgency is Urgency.low
