"""The action a reading recommends agrees with its own urgency and risk."""

from __future__ import annotations

import pytest

from bot.analysis.contract import Concern, Label, RecommendedAction, Urgency
from bot.analysis.playbook import Situation, choose_action, guidance


def _negative(score: float, urgency: Urgency, churn: bool = False) -> Situation:
    return Situation(
        label=Label.negative, score=score, urgency=urgency, concerns=[Concern.reliability], emotions=[],
        churn_risk=churn, expansion=False, asks_something=False, language="en",
    )


@pytest.mark.parametrize(
    ("situation", "action"),
    [
        (_negative(-0.9, Urgency.high), RecommendedAction.escalate),
        (_negative(-0.2, Urgency.high), RecommendedAction.escalate),
        (_negative(-0.7, Urgency.medium), RecommendedAction.escalate),
        (_negative(-0.3, Urgency.medium), RecommendedAction.reply),
        (_negative(-0.9, Urgency.low), RecommendedAction.reply),
        (_negative(-0.2, Urgency.low, churn=True), RecommendedAction.escalate),
    ],
)
def test_escalation_follows_urgency_and_churn_not_the_strength_of_the_words(
    situation: Situation, action: RecommendedAction
) -> None:
    assert choose_action(situation) is action


def test_a_message_that_can_wait_is_never_told_to_escalate_now() -> None:
    situation = _negative(-0.95, Urgency.low)
    line = guidance(choose_action(situation), situation)
    assert not line.startswith("Escalate now")
    assert "within a business day" in line
