"""Which messages reach Claude under each LLM policy, and what is counted."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import anthropic
import pytest

from bot.analysis.base import AnalysisRequest, InvalidText
from bot.analysis.claude import ClaudeAnalyzer
from bot.analysis.contract import AnalysisResult, Intensity, Label, Urgency
from bot.analysis.offline import OfflineAnalyzer
from bot.analysis.policy import PolicyAnalyzer, claude_triggers
from bot.analysis.prompts import load_prompt
from bot.config.settings import LlmPolicy
from storage.errors import ConfigError
from tests.fakes import ScriptedAnalyzer, baseline_result
from tests.fakes.messages_api import (
    FakeMessagesAPI,
    overloaded,
    rate_limited,
    refusal,
    running_messages_api,
    tool_use,
    truncated_json,
)

CORPUS = Path(__file__).resolve().parents[1] / "data" / "cs_messages.csv"

NEGATIVE = dict(score=-0.5, label=Label.negative, intensity=Intensity.moderate)

# text → what the offline side says about it, and whether hybrid must ask Claude.
MESSAGES: list[tuple[str, AnalysisResult, bool]] = [
    ("Thanks, the new dashboards look great!", baseline_result(score=0.6, label=Label.positive), False),
    ("Can you send the March invoice?", baseline_result(), False),
    (
        "Out of office until Monday.",
        baseline_result(abstained=True, abstain_reason="auto-reply", confidence=0.1),
        False,
    ),
    ("The sync failed again.", baseline_result(**NEGATIVE), True),
    ("We need the export fixed this week.", baseline_result(urgency=Urgency.medium), True),
    ("Board review on Friday, all blocked.", baseline_result(urgency=Urgency.high), True),
    ("We're looking at our renewal options.", baseline_result(churn_risk=True), True),
    ("Gainsight showed us a demo.", baseline_result(competitor_mentioned=True), True),
    ("Hmm, interesting release.", baseline_result(confidence=0.4), True),
    ("Great, another Monday outage. Love it.", baseline_result(sarcasm=True), True),
    ("Die Exporte sind wieder leer.", baseline_result(language="de"), True),
    (
        "エクスポートが失敗しました",
        baseline_result(
            abstained=True,
            language="ja",
            confidence=0.1,
            abstain_reason="language 'ja' is not supported by the offline analyzer",
        ),
        True,
    ),
]
OFFLINE_BY_TEXT = {text: result for text, result, _ in MESSAGES}
SENT_TEXTS = [text for text, _, sent in MESSAGES if sent]


@pytest.fixture
def messages_api() -> Iterator[FakeMessagesAPI]:
    # Also offered by tests/fakes as a shared fixture; defined here so this module stands alone.
    with running_messages_api() as api:
        yield api


@pytest.fixture
async def client(messages_api: FakeMessagesAPI) -> AsyncIterator[anthropic.AsyncAnthropic]:
    client = anthropic.AsyncAnthropic(
        api_key="test-key", base_url=messages_api.url, max_retries=0, timeout=0.5
    )
    yield client
    await client.close()


@pytest.fixture
def offline() -> ScriptedAnalyzer:
    return ScriptedAnalyzer(lambda text: OFFLINE_BY_TEXT.get(text, baseline_result()))


def make_policy(
    policy: LlmPolicy, offline: ScriptedAnalyzer, client: anthropic.AsyncAnthropic, **options: float
) -> PolicyAnalyzer:
    claude = ClaudeAnalyzer(client, "claude-haiku-4-5", load_prompt("analyze_message"), offline)
    return PolicyAnalyzer(offline, claude, policy, **options)


async def run_all(policy: PolicyAnalyzer) -> list:
    return [await policy.analyze(AnalysisRequest(text)) for text, _, _ in MESSAGES]


async def test_off_never_calls_claude(offline, client, messages_api) -> None:
    policy = make_policy(LlmPolicy.off, offline, client)

    outcomes = await run_all(policy)

    assert messages_api.requests == []
    assert [o.result for o in outcomes] == [result for _, result, _ in MESSAGES]
    assert (policy.total, policy.sent_to_claude, policy.share_sent_to_claude) == (len(MESSAGES), 0, 0.0)


async def test_off_needs_no_claude_analyzer(offline) -> None:
    policy = PolicyAnalyzer(offline, None, "off")

    outcome = await policy.analyze(AnalysisRequest("The sync failed again."))

    assert outcome.result.label is Label.negative


async def test_all_sends_every_message(offline, client, messages_api) -> None:
    policy = make_policy(LlmPolicy.all, offline, client)

    outcomes = await run_all(policy)

    assert [r.customer_message for r in messages_api.message_requests] == [text for text, _, _ in MESSAGES]
    assert all(o.result.provider == "claude" for o in outcomes)
    assert (policy.sent_to_claude, policy.share_sent_to_claude) == (len(MESSAGES), 1.0)


async def test_hybrid_sends_only_the_messages_that_can_change_a_decision(
    offline, client, messages_api
) -> None:
    policy = make_policy(LlmPolicy.hybrid, offline, client)

    outcomes = await run_all(policy)

    assert [r.customer_message for r in messages_api.message_requests] == SENT_TEXTS
    assert policy.total == len(MESSAGES)
    assert policy.sent_to_claude == len(SENT_TEXTS)
    assert policy.share_sent_to_claude == pytest.approx(len(SENT_TEXTS) / len(MESSAGES))
    providers = [o.result.provider for o in outcomes]
    assert providers == ["claude" if sent else "offline" for _, _, sent in MESSAGES]
    assert policy.triggers["negative"] == 1 and policy.triggers["language_abstained"] == 1
    assert policy.fallbacks == {}


async def test_the_low_confidence_threshold_is_configurable(offline, client, messages_api) -> None:
    policy = make_policy(LlmPolicy.hybrid, offline, client, low_confidence=0.3)

    await policy.analyze(AnalysisRequest("Hmm, interesting release."))  # offline confidence 0.4

    assert policy.sent_to_claude == 0 and messages_api.requests == []


async def test_fallbacks_are_counted_by_kind(offline, client, messages_api) -> None:
    policy = make_policy(LlmPolicy.all, offline, client)
    messages_api.enqueue(overloaded(), rate_limited(), truncated_json(), refusal(), tool_use({"score": 9}))

    outcomes = [await policy.analyze(AnalysisRequest("The sync failed again.")) for _ in range(6)]

    assert [o.fallback_reason is None for o in outcomes] == [False] * 5 + [True]
    assert policy.fallbacks == {"overloaded": 1, "rate_limited": 1, "invalid_output": 2, "refusal": 1}
    assert outcomes[0].result == OFFLINE_BY_TEXT["The sync failed again."]


@pytest.mark.parametrize("policy_name", ["off", "hybrid", "all"])
async def test_an_invalid_text_is_the_callers_error(policy_name, offline, client, messages_api) -> None:
    policy = make_policy(LlmPolicy(policy_name), offline, client)

    with pytest.raises(InvalidText):
        await policy.analyze(AnalysisRequest("\x00binary"))

    assert policy.total == 0 and messages_api.requests == []


def test_a_claude_policy_without_claude_is_a_configuration_error(offline) -> None:
    with pytest.raises(ConfigError, match="ANTHROPIC_API_KEY"):
        PolicyAnalyzer(offline, None, LlmPolicy.hybrid)


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (baseline_result(score=0.7, label=Label.positive), []),
        (baseline_result(language="und", confidence=0.9), []),
        (baseline_result(language="en-GB"), []),
        (
            baseline_result(**NEGATIVE, urgency=Urgency.high, churn_risk=True),
            ["negative", "urgency_high", "churn_risk"],
        ),
        (baseline_result(language="fr", confidence=0.5), ["low_confidence", "non_english"]),
        (baseline_result(abstained=True, abstain_reason="log paste", confidence=0.1), []),
    ],
)
def test_claude_triggers(result: AnalysisResult, expected: list[str]) -> None:
    assert claude_triggers(result, low_confidence=0.55) == expected


AGREED = {"rules": "negative", "model": "negative", "lexicon": "negative"}


@pytest.mark.parametrize(
    ("result", "signals", "expected"),
    [
        # A confident complaint every layer reads alike stays offline.
        (baseline_result(**NEGATIVE, urgency=Urgency.high, confidence=0.9), {**AGREED, "risks": []}, []),
        # A commercial finding goes to Claude, however the reading came out; a bare hint ("renewal") does not.
        (baseline_result(score=0.6, label=Label.positive, confidence=0.9),
         {"rules": "positive", "model": "positive", "lexicon": "positive", "risks": ["commercial"]},
         ["risk_commercial"]),
        (baseline_result(score=0.6, label=Label.positive, confidence=0.9),
         {"rules": "positive", "model": "positive", "lexicon": "positive", "risks": ["commercial?"]}, []),
        # The fitted router doubts the reading.
        (baseline_result(score=0.6, label=Label.positive, confidence=0.9),
         {"rules": "positive", "model": "positive", "lexicon": "positive", "risks": [], "doubt": True},
         ["doubt"]),
        (baseline_result(**NEGATIVE, confidence=0.9), {**AGREED, "risks": ["security", "operational"]},
         ["risk_security"]),
        # The layers disagree: the lexicon reads praise in a complaint.
        (baseline_result(**NEGATIVE, confidence=0.9), {**AGREED, "lexicon": "positive", "risks": []},
         ["disagreement"]),
        (baseline_result(**NEGATIVE, confidence=0.4), {**AGREED, "risks": []}, ["low_confidence"]),
    ],
)
def test_claude_triggers_with_the_offline_layers(result, signals, expected) -> None:
    assert claude_triggers(result, 0.55, signals) == expected


async def test_hybrid_with_the_real_offline_analyzer_on_the_project_corpus(client, messages_api) -> None:
    offline = OfflineAnalyzer()
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)][:60]
    claude = ClaudeAnalyzer(client, "claude-haiku-4-5", load_prompt("analyze_message"), offline)
    policy = PolicyAnalyzer(offline, claude, LlmPolicy.hybrid)

    outcomes = [await policy.analyze(AnalysisRequest(text)) for text in texts]

    sent = [o for o in outcomes if o.result.provider == "claude"]
    assert len(sent) == policy.sent_to_claude == len(messages_api.message_requests)
    assert 0 < policy.share_sent_to_claude < 1
    # Claude checked exactly the messages with a risk finding, churn, a competitor, layers reading opposite
    # polarities, fitted doubt, low confidence or sarcasm; confident agreed readings stayed in the process.
    for text, outcome in zip(texts, outcomes, strict=True):
        result, signals = offline.judge(text)
        routed = bool(claude_triggers(result, policy.low_confidence, signals.to_dict()))
        assert (outcome.result.provider == "claude") == routed, text
        risky = {"commercial", "security", "escalation"} & set(signals.risks)
        if result.churn_risk or risky:
            assert routed, text
