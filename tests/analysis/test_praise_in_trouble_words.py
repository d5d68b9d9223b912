"""Good news told in trouble words: praise idioms, relief stories and threats that never came to pass.

cs-signals counts praise and a commitment to stay as positive. "Takes the headache out of", "we'd be lost
without it", "used to be a nightmare, now it's painless" and "we were about to escalate, but your team sorted
it" are full of words a lexicon and a risk table read as trouble; said this way they are good news, and an
averted escalation or cancellation is neither an escalation nor churn. The same words about trouble that is
there ("hard to overstate how bad this outage was", "we're about to escalate") stay alert-worthy.
"""

from __future__ import annotations

import pytest

from tests.support.readings import IDLE_ACTIONS

PRAISE_IDIOMS = [
    "honestly can't imagine going back to the old spreadsheets",
    "It is hard to overstate how much manual work the new routing rules have saved our agents.",
    "this release removed so much friction from our month-end close",
    "The bulk editor really takes the headache out of onboarding new clients.",
    "Our finance team would be lost without the reconciliation view.",
    "We wish we had switched to you two years sooner.",
    "Since we rolled out SSO nobody has had to reset a password, the helpdesk is thrilled.",
    "The automation saves us hours every single week.",
    "Dear team, I must say the import tool removed a great deal of pain from our quarterly reporting.",
    "me and my team cannot imagine work without your planner, it remove all the stress of scheduling",
    "Support got back to me in ten minutes on a Sunday, did not expect that at all.",
    "I hate to admit it but the new dashboard is better than the one I built myself",
]

RELIEF_STORIES = [
    "we stopped losing tickets since we turned on the shared inbox",
    "Scheduling used to be a nightmare for us, now it's painless.",
    "Our weekly reporting used to take a whole day of pain. Now it takes 15 minutes.",
    "Before your tool we were drowning in duplicate contacts; that problem is simply gone.",
    "No more chasing people for timesheets since we set up the reminders.",
    "We haven't missed a renewal date since we started using the alerts.",
    "The sync was a mess for us last year; these days we don't even think about it.",
    "Month-end used to eat up two whole days of my team's time... now it only takes 20 minutes.",
]

AVERTED = [
    "We were about to escalate internally, but your team sorted it within the hour. Thank you!",
    "I was ready to cancel until your CSM called and walked us through the new plan. Glad I stayed.",
    "almost went with a competitor last spring, really glad we didn't",
    "Honestly I was close to escalating this to my VP, but Priya jumped on a call and fixed it in 20 min.",
    "i was about to open a complaint but then the refund arrived, thanks",
    "We came very close to switching vendors, but your team turned it around and we are happy now.",
    "I was dreading the audit this year but the export had everything the auditors wanted.",
    "Our director was going to escalate the billing mix-up to legal, but your finance team fixed it fast.",
]

STILL_TROUBLE = [
    "we can't go back to the old version because it crashes every time",
    "hard to overstate how bad this outage was for our team",
    "It is hard to overstate how much this outage cost us.",
    "nobody has been able to log in since the update this morning",
    "we haven't stopped losing tickets since the migration",
    "We've been losing tickets since the update, please fix asap.",
    "Exports used to take 2 minutes, now it takes 20 minutes.",
    "The new version was supposed to take the pain out of reporting; it crashes daily instead.",
    "I can't imagine another week without your team fixing this outage.",
    "We wish we had never switched to you.",
]

THREATS_STANDING = [
    "we're about to escalate this to our VP",
    "if this isn't fixed by Friday I'm escalating",
    "I was ready to cancel and I still am.",
    "We were about to escalate, but if this isn't fixed today we will.",
    "I was ready to cancel, then your CSM never called back. Cancel our subscription.",
    "I was worried about the renewal, then finance called and said we're cutting 40 seats.",
]


@pytest.mark.parametrize("text", PRAISE_IDIOMS + RELIEF_STORIES)
def test_praise_in_trouble_words_reads_positive(analyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label.value == "positive", (result.label, result.score)
    assert result.recommended_action.value != "escalate"
    assert not result.churn_risk


@pytest.mark.parametrize("text", AVERTED)
def test_a_threat_that_never_came_to_pass_is_no_alert(analyzer, text: str) -> None:
    result, signals = analyzer.judge(text)
    assert result.label.value != "negative", (result.label, result.score, signals.risks)
    assert result.recommended_action.value != "escalate"
    assert result.urgency.value != "high"
    assert not result.churn_risk
    assert not signals.risk_phrases


@pytest.mark.parametrize("text", STILL_TROUBLE)
def test_the_same_words_about_trouble_that_is_there_stay_negative(analyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label.value == "negative", (result.label, result.score)
    assert result.recommended_action not in IDLE_ACTIONS


@pytest.mark.parametrize("text", THREATS_STANDING)
def test_a_threat_still_standing_alerts(analyzer, text: str) -> None:
    result, signals = analyzer.judge(text)
    assert result.label.value == "negative", (result.label, result.score)
    assert result.recommended_action not in IDLE_ACTIONS
    assert result.churn_risk or signals.risk_phrases or result.urgency.value != "low"


def test_a_regret_about_choosing_us_is_churn(analyzer) -> None:
    result, signals = analyzer.judge("Honestly we wish we'd never signed with you.")
    assert result.label.value == "negative"
    assert result.churn_risk
    assert any(kind == "commercial" for kind, _ in signals.risk_phrases)
