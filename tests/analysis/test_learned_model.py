"""A team's learned model: trained on their labels, blended into the offline analyzer.

The synthetic set below uses made-up team jargon ("the ledger is borked",
"the roster is all green") that no rule knows: the rules call those messages
neutral, and after training the analyzer must not.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import pytest

from bot.analysis.contract import Label
from bot.analysis.learned import FORMAT_VERSION, LearnedModel, TrainingDataError
from bot.analysis.metrics import evaluate
from bot.analysis.offline import MODEL_NAME, OfflineAnalyzer

SHARED_EVAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "eval"

THINGS = [
    "sync", "dashboard", "ledger", "widget", "report", "import", "portal", "pipeline", "calendar", "inbox",
    "planner", "tracker",
]
NEGATIVE = ["the {} is borked", "{} went sideways overnight", "our {} is borked again today", "{} looks "
                                                                                              "janky"]
POSITIVE = ["the {} is all green", "{} is buttery now", "{} looks all green this week", "our {} is chef's "
                                                                                        "kiss"]
NEUTRAL = ["moving the {} review to Thursday", "here is the {} link", "{} export attached", "adding Sam to "
                                                                                            "the {}"]
HELD_OUT = ["roster", "webhook page", "billing page"]


def _synthetic() -> tuple[list[str], list[str]]:
    texts: list[str] = []
    labels: list[str] = []
    for label, templates in (("negative", NEGATIVE), ("positive", POSITIVE), ("neutral", NEUTRAL)):
        for template, thing in itertools.product(templates, THINGS):
            texts.append(template.format(thing))
            labels.append(label)
    return texts, labels


@pytest.fixture(scope="module")
def rules() -> OfflineAnalyzer:
    # The rules alone: a team's model is blended over them (the shipped reading model is in tests/analysis).
    return OfflineAnalyzer(reading_model=None)


@pytest.fixture(scope="module")
def model(rules: OfflineAnalyzer) -> LearnedModel:
    texts, labels = _synthetic()
    return LearnedModel.fit(texts, labels, rules.features)


def test_fit_reports_what_it_learned_from(model: LearnedModel) -> None:
    texts, _ = _synthetic()
    assert model.trained_on == len(texts)
    assert set(model.labels) == {"negative", "neutral", "positive"}
    assert 0.8 <= model.metrics["cv_macro_f1"] <= 1.0
    assert model.metrics["label_counts"] == {"negative": 48, "neutral": 48, "positive": 48}
    assert len(model.model_id) == 12 and model.format_version == FORMAT_VERSION


@pytest.mark.parametrize(
    ("text", "label"),
    [("the roster is borked", Label.negative), ("webhook page went sideways overnight", Label.negative),
     ("the billing page is all green", Label.positive), ("roster is buttery now", Label.positive)],
)
def test_learned_language_changes_the_label_where_rules_were_wrong(
    rules: OfflineAnalyzer, model: LearnedModel, text: str, label: Label
) -> None:
    assert rules.analyze_text(text).label is Label.neutral, "precondition: the rules do not know the jargon"
    blended = OfflineAnalyzer(learned=model, reading_model=None).analyze_text(text)
    assert blended.label is label
    assert (blended.score > 0) == (label is Label.positive)
    assert blended.model == f"offline+learned:{model.model_id}"


def test_everything_but_label_and_score_stays_rule_based(rules: OfflineAnalyzer, model: LearnedModel) -> None:
    text = "the roster is borked and we are reconsidering our renewal, call me today"
    plain = rules.analyze_text(text)
    blended = OfflineAnalyzer(learned=model, reading_model=None).analyze_text(text)
    assert (blended.churn_risk, blended.urgency, blended.concerns) == (plain.churn_risk, plain.urgency,
                                                                       plain.concerns)
    assert blended.evidence == plain.evidence
    assert rules.model == MODEL_NAME


def test_probabilities_are_a_distribution(rules: OfflineAnalyzer, model: LearnedModel) -> None:
    text = "the roster is borked"
    probabilities = model.predict_proba(text, rules.features(text))
    assert set(probabilities) == {"negative", "neutral", "positive"}
    assert sum(probabilities.values()) == pytest.approx(1.0)
    assert max(probabilities, key=probabilities.get) == "negative"


def test_round_trip_through_bytes(rules: OfflineAnalyzer, model: LearnedModel) -> None:
    data = model.to_bytes()
    assert data[:4] == b"TWLM" and data[4] == FORMAT_VERSION
    loaded = LearnedModel.from_bytes(data)
    assert (loaded.model_id, loaded.trained_on, loaded.metrics) == (model.model_id, model.trained_on,
                                                                    model.metrics)
    for thing in HELD_OUT:
        text = f"the {thing} is borked"
        features = rules.features(text)
        assert loaded.predict_proba(text, features) == model.predict_proba(text, features)
    reloaded = OfflineAnalyzer(learned=loaded, reading_model=None)
    assert reloaded.analyze_text("roster is buttery now").label is Label.positive


@pytest.mark.parametrize(
    "data",
    [b"", b"garbage", b"TWLM" + bytes([FORMAT_VERSION]) + b"not zlib", b"TWLM" + bytes([FORMAT_VERSION + 1])],
)
def test_foreign_bytes_are_refused(data: bytes) -> None:
    with pytest.raises(ValueError):
        LearnedModel.from_bytes(data)


@pytest.mark.parametrize(
    ("texts", "labels", "message"),
    [
        (["a"] * 30, ["happy"] * 30, "not one of"),
        (["a"] * 5, ["negative"] * 5, "at least 20"),
        ([f"text {i}" for i in range(30)], ["negative"] * 30, "same label"),
        ([f"text {i}" for i in range(30)], ["negative"] * 29 + ["positive"], "too few examples of positive"),
        (["a", "b"], ["negative"], "2 texts but 1 labels"),
    ],
)
def test_unusable_training_data_is_refused(rules: OfflineAnalyzer, texts: list[str], labels: list[str],
                                           message: str) -> None:
    with pytest.raises(TrainingDataError, match=message):
        LearnedModel.fit(texts, labels, rules.features)


def test_labels_are_normalised_and_blank_texts_skipped(rules: OfflineAnalyzer) -> None:
    texts, labels = _synthetic()
    shouted = [label.upper() for label in labels] + ["neutral"]
    model = LearnedModel.fit(texts + ["   "], shouted, rules.features, folds=3)
    assert model.trained_on == len(texts)
    assert model.metrics["cv_folds"] == 3


def _rows(path: Path, limit: int) -> tuple[list[str], list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))[:limit]
    return [row["text"] for row in rows], [row["label"] for row in rows]


@pytest.mark.eval
def test_training_on_airline_dev_beats_the_rules_on_test(rules: OfflineAnalyzer) -> None:
    """A small slice keeps this to a few seconds; bench/accuracy.py --trained-on measures the full set."""
    folder = SHARED_EVAL / "airline_twitter_sentiment"
    if not folder.is_dir():
        pytest.skip("../shared/eval is not there (public evaluation data lives beside the repository)")
    train_texts, train_labels = _rows(folder / "dev.csv", 400)
    test_texts, test_labels = _rows(folder / "test.csv", 400)
    model = LearnedModel.fit(train_texts, train_labels, rules.features, folds=2)
    blended = OfflineAnalyzer(learned=model, reading_model=None)
    rule_f1 = evaluate(test_labels, [rules.analyze_text(t).label.value for t in test_texts])["macro_f1"]
    learned_f1 = evaluate(test_labels, [blended.analyze_text(t).label.value for t in test_texts])["macro_f1"]
    assert learned_f1 > rule_f1 + 0.02, (rule_f1, learned_f1)
