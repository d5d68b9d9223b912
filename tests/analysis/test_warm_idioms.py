"""Warm idioms that carry a negative-looking word: "can't thank you enough", "stayed late to help".

cs-signals counts gratitude and praise as positive. These phrases hold a negation or a word of delay that a
lexicon reads as trouble; said as thanks, they are thanks. A late delivery or a late invoice stays a
complaint.
"""

from __future__ import annotations

import pytest

WARM = [
    "Can't thank you enough for staying late to help us with the launch.",
    "We cannot thank your team enough for getting us live before the board meeting.",
    "i can't thank you guys enough tbh",
    "Thanks for working late on the migration, Priya. Everything is in place this morning.",
    "Sam stayed late to walk our admins through the new roles. Really appreciated.",
]

LATE_TROUBLE = [
    "The invoice is late again and our finance team is chasing us.",
    "Our shipment of badges arrived late and the event started without them.",
    "Your reply came three days late, after the deadline had passed.",
]


@pytest.mark.parametrize("text", WARM)
def test_thanks_said_with_a_negation_or_lateness_is_thanks(analyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label.value == "positive", (result.label, result.score)
    assert result.recommended_action.value != "escalate"


@pytest.mark.parametrize("text", LATE_TROUBLE)
def test_something_that_came_late_is_still_a_complaint(analyzer, text: str) -> None:
    assert analyzer.analyze_text(text).label.value == "negative"
