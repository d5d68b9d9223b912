"""Reading many messages at once (an import, a backfill) gives each the reading it gets alone.

The offline analyzer reads the messages of one thread context together, and the policy routes each
reading as it routes a single message; a text that cannot be analyzed is refused as it is alone.
"""

from __future__ import annotations

import pytest

from bot.analysis.base import AnalysisRequest, InvalidText
from bot.analysis.offline import OfflineAnalyzer
from bot.analysis.policy import LlmPolicy, PolicyAnalyzer

REQUESTS = [
    AnalysisRequest("We are not renewing in March; please confirm the termination per clause 12."),
    AnalysisRequest("killer feature, the team is obsessed with the new dashboards"),
    AnalysisRequest("any update?", context=("Exports have failed since Monday.", "Still failing today.")),
    AnalysisRequest("Thanks, that fixed it."),
    AnalysisRequest("any update?"),
    AnalysisRequest("Still broken.", context=("Exports have failed since Monday.", "Still failing today.")),
]


@pytest.fixture(scope="module")
def offline() -> OfflineAnalyzer:
    return OfflineAnalyzer()


async def test_together_each_message_reads_as_it_does_alone(offline) -> None:
    alone = [await offline.analyze(request) for request in REQUESTS]
    together = await offline.analyze_many(REQUESTS)
    assert [o.result for o in together] == [o.result for o in alone]
    assert [o.extra["signals"] for o in together] == [o.extra["signals"] for o in alone]
    assert together[0].result.churn_risk and together[1].result.label.value == "positive"


async def test_a_text_that_cannot_be_read_is_refused_as_it_is_alone(offline) -> None:
    with pytest.raises(InvalidText):
        await offline.analyze_many([AnalysisRequest("fine, thanks"), AnalysisRequest("   ")])


async def test_the_policy_routes_each_reading_and_counts_every_message(offline) -> None:
    policy = PolicyAnalyzer(offline, None, LlmPolicy.off)
    outcomes = await policy.analyze_many(REQUESTS)
    assert [o.result for o in outcomes] == [(await offline.analyze(r)).result for r in REQUESTS]
    assert policy.total == len(REQUESTS) and policy.sent_to_claude == 0
