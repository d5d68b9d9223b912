"""A problem named only to say it is over ("latency has been fine since the release") is good news, read
by the analyzer users get (the rules and the shipped reading model); a good state that is over, awaited or
followed by a new problem is still a complaint.
"""

from __future__ import annotations

import pytest

from bot.analysis.contract import Label, Urgency
from bot.analysis.offline import OfflineAnalyzer


@pytest.mark.parametrize(
    "text",
    [
        "API latency has been fine since the last release, thanks for the fix.",
        "The API has been rock solid since the patch.",
        "No more timeouts since you bumped the limit, cheers",
        "Load times are back to normal today, appreciate it.",
    ],
)
def test_a_problem_named_to_say_it_is_over_is_good_news(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is Label.positive and result.urgency is Urgency.low, (result.score, result.urgency)


@pytest.mark.parametrize(
    "text",
    [
        "Latency was fine until Monday, now every page takes 10 seconds.",
        "Pausing all new automations till the api is stable. Ops got burned twice.",
        "The timeouts stopped us from closing the quarter.",
        "Exports have been fine this week but the sync still drops records every night.",
    ],
)
def test_a_good_state_past_or_awaited_is_still_a_complaint(analyzer: OfflineAnalyzer, text: str) -> None:
    assert analyzer.analyze_text(text).label is Label.negative
