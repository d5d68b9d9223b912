"""A quality complaint about how the product is to use is a complaint, however mild its words.

cs-signals: "a quality complaint" is negative with medium urgency. Words like "clunky", "a step backwards",
"my team keeps complaining" carry no word a sentiment lexicon knows, and "the new editor" sounds like good
news; the reading must still be negative. Praise with a small gripe inside ("good stuff, a bit clunky vs
Slack but it works") stays good news.
"""

from __future__ import annotations

import pytest

COMPLAINTS = [
    "The new editor is clunky and my team keeps complaining about it.",
    pytest.param(
        "Honestly the redesigned inbox is a step backwards.",
        marks=pytest.mark.xfail(
            strict=True,
            reason="the reading model reads 'honestly the redesigned' as praise (0.50 positive); the cue "
            "alone does not outvote it",
        ),
    ),
    "Setting up a workflow is so cumbersome, it takes ten clicks to do anything.",
    "The admin console is really unintuitive, our new admins are lost.",
    "agents have been complaining about the new layout all week",
    "The reporting builder is hard to use and nobody likes it.",
    "Our staff hate the new mobile app, it's a real downgrade from the old one.",
]

PRAISE_WITH_A_GRIPE = [
    "Great product overall, the export screen is a bit clunky but it does the job. Thanks!",
    pytest.param(
        "We love the automations. The settings page is not very intuitive, but support walked us through it, "
        "brilliant help.",
        marks=pytest.mark.xfail(strict=True, reason="the reading model weighs the gripe cue over the praise "
                                "around it (0.74 negative)"),
    ),
]


@pytest.mark.parametrize("text", COMPLAINTS)
def test_a_complaint_about_using_the_product_is_negative(analyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label.value == "negative", (result.label, result.score)
    assert result.recommended_action.value not in {"celebrate", "acknowledge", "no_action"}


@pytest.mark.parametrize("text", PRAISE_WITH_A_GRIPE)
def test_praise_with_a_small_gripe_is_not_a_complaint(analyzer, text: str) -> None:
    assert analyzer.analyze_text(text).label.value != "negative"
