"""The team's customer-success corpus: well formed, labeled by the definitions, and read well enough.

The figures here are regression gates, set just under what the shipped analyzer
reads on the frozen test split (docs/benchmarks.md has the current figures): a
change that makes Tonewatch read customers worse fails here.
"""

from __future__ import annotations

from collections import Counter

import pytest

from bot.analysis.contract import Concern, Emotion
from bot.analysis.corpus import CorpusScore, expected_calibration_error, load_corpus, misreads_alert, split_of
from bot.analysis.offline import OfflineAnalyzer
from bot.analysis.policy import claude_triggers

SOURCES = {"email", "slack", "teams", "nps", "ticket", "call"}


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def test_the_corpus_has_a_thousand_messages_from_every_source_and_language(corpus) -> None:
    assert len(corpus) >= 1000
    assert {row.source for row in corpus} == SOURCES
    languages = Counter(row.language for row in corpus)
    for language in ("es", "fr", "de", "pt"):
        assert languages[language] >= 50, language
    assert len({row.id for row in corpus}) == len(corpus)


def test_every_row_follows_the_label_definitions(corpus) -> None:
    concerns = {c.value for c in Concern}
    emotions = {e.value for e in Emotion}
    for row in corpus:
        assert row.polarity in ("negative", "neutral", "positive"), row.id
        assert row.urgency in ("low", "medium", "high"), row.id
        # cs-signals.md: alert-worthy = churn risk, or negative with medium or high urgency.
        assert row.alert == (row.churn_risk or (row.polarity == "negative" and row.urgency != "low")), row.id
        assert set(row.concerns) <= concerns, row.id
        assert set(row.emotions) <= emotions, row.id
        assert (row.nps_score is not None) == (row.source == "nps") or row.source != "nps", row.id
        assert row.text.strip(), row.id


def test_the_look_alikes_that_must_not_alert_are_there(corpus) -> None:
    quiet = [row for row in corpus if not row.alert]
    assert len(quiet) >= len(corpus) // 4
    risky = [row for row in corpus if row.alert]
    assert len(risky) >= len(corpus) // 3


def test_the_split_is_fixed_by_the_id_alone() -> None:
    assert split_of("com-001") == split_of("com-001")
    splits = Counter(split_of(f"row-{n}") for n in range(2000))
    assert 0.6 < splits["dev"] / 2000 < 0.8


def test_calibration_error_is_zero_when_confidence_matches_accuracy() -> None:
    assert expected_calibration_error([(0.75, True)] * 3 + [(0.75, False)]) == pytest.approx(0.0)
    assert expected_calibration_error([(0.95, False)] * 4) == pytest.approx(0.95)


@pytest.mark.slow
def test_the_offline_analyzer_reads_the_unseen_test_split_at_least_as_well_as_documented() -> None:
    analyzer = OfflineAnalyzer()
    score = CorpusScore()
    for row in load_corpus(split="test"):
        score.add(row, analyzer.analyze_text(row.text))
    summary = score.summary()
    assert summary["polarity_accuracy"] >= 0.745, summary
    assert summary["urgency_accuracy"] >= 0.735, summary
    assert summary["churn_f1"] >= 0.73, summary
    assert summary["ece"] <= 0.05, summary
    assert summary["alert_worthy_misread"] <= 0.08 * summary["alert_worthy"], summary


@pytest.mark.slow
def test_hybrid_sends_claude_the_misread_risks_of_the_unseen_test_split() -> None:
    analyzer = OfflineAnalyzer()
    rows = load_corpus(split="test")
    routed = hidden = alert_worthy = 0
    for row in rows:
        result, signals = analyzer.judge(row.text)
        sent = bool(claude_triggers(result, signals=signals.to_dict()))
        routed += sent
        wrong = (result.label.value != row.polarity or result.urgency.value != row.urgency
                 or result.churn_risk != row.churn_risk or misreads_alert(result))
        alert_worthy += row.alert
        hidden += row.alert and wrong and not sent
    assert routed <= 0.78 * len(rows), routed / len(rows)
    assert hidden <= 0.05 * alert_worthy, hidden
