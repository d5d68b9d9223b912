"""The reading model shipped in the package: loaded without running code, used by default, round-trips."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.analysis.offline import OfflineAnalyzer, features_of
from bot.analysis.reading_model import DEFAULT_PATH, POLARITY, URGENCY, ReadingModel, shipped_model

TEXTS = [
    "We will not renew; the board chose a cheaper tool.",
    "Killer feature, the whole team is obsessed with the new board view!",
    "Can you resend the March invoice to ap@example.com?",
]


def test_the_model_ships_as_plain_arrays_and_the_offline_analyzer_uses_it() -> None:
    assert DEFAULT_PATH.exists()
    with np.load(DEFAULT_PATH, allow_pickle=False) as data:  # no pickle: loading runs no code
        assert "coef_polarity" in data.files
    model = shipped_model()
    assert model is not None
    analyzer = OfflineAnalyzer()
    assert analyzer.model == f"offline+{model.version}"
    assert OfflineAnalyzer(reading_model=None).model == "offline-rules"


def test_predictions_are_distributions_and_confidence_is_a_probability() -> None:
    model = shipped_model()
    rules = OfflineAnalyzer(reading_model=None)
    for text in TEXTS:
        reading = model.predict(text, features_of(rules.read(text)))
        assert set(reading.polarity) == set(POLARITY) and set(reading.urgency) == set(URGENCY)
        assert abs(sum(reading.polarity.values()) - 1) < 1e-9
        assert 0.0 <= reading.churn <= 1.0 and 0.0 <= reading.confidence <= 1.0


def test_a_saved_model_loads_back_to_the_same_predictions(tmp_path: Path) -> None:
    model = shipped_model()
    copy_path = tmp_path / "model.npz"
    model.save(copy_path)
    copy = ReadingModel.load(copy_path)
    rules = OfflineAnalyzer(reading_model=None)
    for text in TEXTS:
        features = features_of(rules.read(text))
        first, second = model.predict(text, features), copy.predict(text, features)
        assert first.polarity == second.polarity and first.churn == second.churn
    assert not list(tmp_path.glob("*.partial"))


def test_the_analysis_names_the_model_and_keeps_the_score_inside_its_label_band() -> None:
    analyzer = OfflineAnalyzer()
    for text in TEXTS:
        result = analyzer.analyze_text(text)
        assert result.model.startswith("offline+reading-model@")
        if result.label.value == "positive":
            assert result.score >= 0.05
        elif result.label.value == "negative":
            assert result.score <= -0.05
        else:
            assert -0.05 < result.score < 0.05


def test_a_text_at_the_length_limit_reads_without_overflow() -> None:
    analyzer = OfflineAnalyzer()
    for text in ("bad " * 4_999, "great " * 3_300, "x" * 19_999):
        result = analyzer.analyze_text(text)
        assert -1.0 <= result.score <= 1.0 and 0.0 <= result.confidence <= 1.0
