"""Fit the router of `bot/analysis/routing.py` on out-of-fold readings of the dev split.

Called by `bench/train_reading_model.py`, which stores the result in the reading
model's file. The input is one entry per dev corpus row, read by the whole
offline analyzer with a reading model that never saw that row (`row`, `result`,
`signals`). The target is an alert-worthy row read wrongly (label, urgency or
churn risk, or read as good news or nothing to do), exactly what
`bench/cs_corpus.py` counts as "misread and not routed" when Claude is not
asked.

The weights come from a class-balanced logistic regression; the threshold from
the router's own cross-validated probabilities: the highest threshold at which
the triggers `policy.claude_triggers` fires anyway plus the router still route
ROUTE_RECALL of those rows.
"""

from __future__ import annotations

import numpy as np

from bot.analysis.corpus import misreads_alert
from bot.analysis.policy import DEFAULT_LOW_CONFIDENCE, claude_triggers
from bot.analysis.routing import FEATURES, doubt_features

#: Share of the alert-worthy rows misread offline that hybrid must send to Claude (out-of-fold, dev).
ROUTE_RECALL = 0.9
ROUTER_C = 1.0


def misread(held: dict) -> bool:
    """Whether the offline reading of an alert-worthy row gets it wrong (False for other rows)."""
    row, result = held["row"], held["result"]
    if not row.alert:
        return False
    return (result.label.value != row.polarity or result.urgency.value != row.urgency
            or result.churn_risk != row.churn_risk or misreads_alert(result))


def routed_anyway(held: dict) -> bool:
    """Whether the other triggers send the row to Claude, whatever the router says."""
    signals = {**held["signals"], "doubt": False}
    return bool(claude_triggers(held["result"], DEFAULT_LOW_CONFIDENCE, signals))


def fit_routing(held: list[dict], recall: float = ROUTE_RECALL) -> tuple[dict, dict]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    rows = [h for h in held if not h["result"].abstained]
    features = np.array([[doubt_features(h["result"], h["signals"])[name] for name in FEATURES]
                         for h in rows])
    target = np.array([misread(h) for h in rows])
    anyway = np.array([routed_anyway(h) for h in rows])
    router = LogisticRegression(C=ROUTER_C, class_weight="balanced", max_iter=5000)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    probability = cross_val_predict(router, features, target, cv=folds, method="predict_proba")[:, 1]
    # The rows the router must catch: misread and routed by no other trigger, most doubtful last.
    needed = np.sort(probability[target & ~anyway])

    def operating_point(wanted: float) -> tuple[float, np.ndarray]:
        allowed = int(np.floor((1.0 - wanted) * target.sum()))
        threshold = float(needed[allowed]) if allowed < len(needed) else 1.0
        return threshold, anyway | (probability >= threshold)

    threshold, routed = operating_point(recall)
    router.fit(features, target)
    routing = {
        "weights": {name: round(float(w), 6) for name, w in zip(FEATURES, router.coef_[0], strict=True)},
        "intercept": round(float(router.intercept_[0]), 6),
        "threshold": round(threshold, 6),
    }
    # What operating points do on the out-of-fold readings of dev (shares over all rows, abstentions too).
    total = len(held)
    metrics = {
        "oof_routed_share": round(float(routed.sum()) / total, 4),
        "oof_alert_misread": int(target.sum()),
        "oof_misread_not_routed": int((target & ~routed).sum()),
        "oof_routed_anyway_share": round(float(anyway.sum()) / total, 4),
        "oof_share_by_recall": {
            str(wanted): round(float(operating_point(wanted)[1].sum()) / total, 4)
            for wanted in (0.8, 0.85, 0.9, 0.95)
        },
    }
    return routing, metrics
