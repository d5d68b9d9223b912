"""Genuine doubt about an offline reading: how likely it is to get an alert-worthy message wrong.

`hybrid` must send Claude every message where the offline reading could hide a
risk, and only those. A keyword cannot tell that ("renewal" is in the renewal
signed and in the notice of non-renewal alike); what can is how sure the layers
are and whether they agree. This is a small logistic model over those facts:
the reading model's probabilities (negative, urgent, churn), its calibrated
confidence, the reading itself, where the rules, the model and the lexicon
disagree, what the risk layer found, sarcasm and language. Its target is "an
alert-worthy message (docs/labeling.md) read wrongly offline" (label, urgency
or churn risk).

`bench/train_reading_model.py` fits the weights and the threshold on
out-of-fold readings of the dev split (a model never reads its own training
rows there) and ships them inside the reading model's file; the offline
analyzer sets `OfflineSignals.doubt` from them, and `policy.claude_triggers`
routes on it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from bot.analysis.contract import AnalysisResult

FEATURES = (
    "negative", "neutral", "positive", "urgency_medium", "urgency_high", "churn_probability",
    "polarity_margin", "urgency_margin", "urgency_doubt", "churn_doubt", "churn_logit", "negative_logit",
    "confidence", "label_negative", "label_positive", "read_low", "read_high", "read_churn",
    "rules_disagree", "model_disagree", "lexicon_opposite", "non_english", "sarcasm", "risk_hint",
    "risk_found", "length",
)

_OPPOSITE = {"positive": "negative", "negative": "positive"}
_NO_POLARITY = {"negative": 0.0, "neutral": 1.0, "positive": 0.0}
_NO_URGENCY = {"low": 1.0, "medium": 0.0, "high": 0.0}


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1.0 - 1e-4)
    return math.log(p / (1.0 - p)) / 4.0


def _margin(probabilities: Mapping[str, float]) -> float:
    """How far the most likely class is ahead of the next one."""
    first, second = sorted(probabilities.values(), reverse=True)[:2]
    return first - second


def doubt_features(result: AnalysisResult, signals: Mapping) -> dict[str, float]:
    """The router's inputs from an offline result and its signals (`OfflineSignals.to_dict()`)."""
    polarity = signals.get("model_polarity") or _NO_POLARITY
    urgency = signals.get("model_urgency") or _NO_URGENCY
    churn = float(signals.get("churn_probability") or 0.0)
    urgent = 1.0 - urgency["low"]
    label = result.label.value
    risks = list(signals.get("risks", ()))
    return {
        "negative": polarity["negative"],
        "neutral": polarity["neutral"],
        "positive": polarity["positive"],
        "urgency_medium": urgency["medium"],
        "urgency_high": urgency["high"],
        "churn_probability": churn,
        "polarity_margin": _margin(polarity),
        "urgency_margin": _margin(urgency),
        # Unsure between two readings: a probability near the middle.
        "urgency_doubt": 4.0 * urgent * (1.0 - urgent),
        "churn_doubt": 4.0 * churn * (1.0 - churn),
        "churn_logit": _logit(churn),
        "negative_logit": _logit(polarity["negative"]),
        "confidence": result.confidence,
        "label_negative": float(label == "negative"),
        "label_positive": float(label == "positive"),
        "read_low": float(result.urgency.value == "low"),
        "read_high": float(result.urgency.value == "high"),
        "read_churn": float(result.churn_risk),
        "rules_disagree": float(bool(signals.get("rules")) and signals.get("rules") != label),
        "model_disagree": float(bool(signals.get("model")) and signals.get("model") != label),
        "lexicon_opposite": float(_OPPOSITE.get(label) == signals.get("lexicon")),
        "non_english": float((result.language or "en").split("-")[0].lower() != "en"),
        "sarcasm": float(result.sarcasm),
        "risk_hint": float(any(risk.endswith("?") for risk in risks)),
        "risk_found": float(any(not risk.endswith("?") for risk in risks)),
        "length": math.log1p(float(signals.get("words") or 0)) / 5.0,
    }


def doubt_probability(features: Mapping[str, float], routing: Mapping) -> float:
    """The fitted chance that the reading misreads an alert-worthy message."""
    weights: Mapping[str, float] = routing["weights"]
    value = float(routing["intercept"])
    value += sum(float(weights.get(name, 0.0)) * features[name] for name in FEATURES)
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)
