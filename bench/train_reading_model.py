"""Train the reading model shipped in the package (`bot/analysis/data/reading_model.npz`).

    python bench/train_reading_model.py                 # train, fit calibration and routing, write the model
    python bench/train_reading_model.py --dry-run       # report only
    python bench/train_reading_model.py --route-recall 0.85   # another routing operating point

Training data, dev splits only: the team's corpus (`tests/data/corpus/`, rows whose
frozen split is dev), the older phenomenon corpus `tests/data/cs_messages.csv`,
and the dev halves of the public sentiment sets in `../shared/eval` (polarity
head only, at a lower weight: tweets are not customer-success mail). The test
split is never read here; `bench/cs_corpus.py` reports on it.

Everything fitted beyond the weights is fitted on out-of-fold predictions: the
dev rows are split five ways, a model trained on four fifths reads the fifth,
and the whole offline analyzer (rules, risk layer, floors) runs on it with that
model. A model's readings of its own training rows are nearly always right and
would teach nothing about doubt. From those held-out readings come the isotonic
map from the polarity head's probability to accuracy, and the routing
thresholds `policy.claude_triggers` applies (see `bench/routing.py`).

Deterministic: the same data gives the same arrays. The rule features are read by the
checkout's own rules, so the model depends on the commit it is trained at: the shipped
model was trained at commit 13065b3, and docs/benchmarks.md says why it was not retrained
when the risk layer grew.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.analysis.corpus import load_corpus  # noqa: E402
from bot.analysis.offline import OfflineAnalyzer, features_of  # noqa: E402
from bot.analysis.reading_model import (  # noqa: E402
    DEFAULT_PATH,
    POLARITY,
    URGENCY,
    ReadingModel,
    char_grams,
    normalize,
    word_grams,
)

ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = ROOT.parent / "shared" / "eval"
PUBLIC_SETS = {"airline_twitter_sentiment": 1500, "tweeteval_sentiment_test": 1500}
PUBLIC_WEIGHT = 0.2
VERSION = "reading-model@2"
#: Per head: inverse regularisation strength and class weights, chosen by five-fold cross-validation on
#: dev. Polarity keeps the corpus's class frequencies (balancing them costs accuracy); urgency and churn are
#: balanced so the rarer high urgency and churn classes are not drowned.
HEADS = {"polarity": (4.0, None), "urgency": (16.0, "balanced"), "churn": (16.0, "balanced")}
FOLDS = 5


def _rows(rules: OfflineAnalyzer) -> list[dict]:
    """Training rows: text read by the rules, features, labels (None where a set has none), weight."""
    rows: list[dict] = []

    def add(text: str, polarity: str | None, urgency: str | None, churn: bool | None, weight: float,
            origin: str, corpus_row=None) -> None:
        reading = rules.read(text)
        if reading.abstain_reason is not None:
            return
        rows.append({"text": reading.body, "features": features_of(reading), "polarity": polarity,
                     "urgency": urgency, "churn": churn, "weight": weight, "origin": origin,
                     "corpus_row": corpus_row})

    for row in load_corpus(split="dev"):
        add(row.text, row.polarity, row.urgency, row.churn_risk, 1.0, "corpus", row)
    with (ROOT / "tests" / "data" / "cs_messages.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["abstain"] == "1":
                continue
            add(row["text"], row["label"], row["urgency"], row["churn_risk"] == "1", 1.0, "phenomena")
    for name, limit in PUBLIC_SETS.items():
        path = EVAL_DIR / name / "dev.csv"
        if not path.exists():
            print(f"note: {path} is missing; training without it", file=sys.stderr)
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            public = [(r["text"], r["label"].strip().lower()) for r in csv.DictReader(handle)]
        rng = np.random.default_rng(20261207)
        for index in sorted(rng.permutation(len(public))[:limit]):
            text, label = public[int(index)]
            if label in POLARITY:
                add(text, label, None, None, PUBLIC_WEIGHT, "public")
    return rows


def _matrix(rows: list[dict], word_vec, char_vec, feature_names: list[str], fit: bool):
    from scipy import sparse

    texts = [row["text"] for row in rows]
    words = word_vec.fit_transform(texts) if fit else word_vec.transform(texts)
    chars = char_vec.fit_transform(texts) if fit else char_vec.transform(texts)
    dense = np.array([[row["features"].get(name, 0.0) for name in feature_names] for row in rows])
    return sparse.hstack([words, chars, sparse.csr_matrix(dense)], format="csr")


def _vectorizers():
    from sklearn.feature_extraction.text import TfidfVectorizer

    word_vec = TfidfVectorizer(analyzer=lambda t: word_grams(normalize(t)), sublinear_tf=True, min_df=2)
    char_vec = TfidfVectorizer(analyzer=lambda t: char_grams(normalize(t)), sublinear_tf=True, min_df=3,
                               max_features=80_000)
    return word_vec, char_vec


def _fit_head(matrix, labels, weights, c: float, class_weight: str | None):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, class_weight=class_weight, max_iter=3000)
    model.fit(matrix, labels, sample_weight=weights)
    return model


def _heads(rows: list[dict], matrix) -> dict:
    heads = {}
    for head, (c, class_weight) in HEADS.items():
        index = [i for i, row in enumerate(rows) if row[head] is not None]
        labels = np.array([str(rows[i][head]) for i in index])
        weights = np.array([rows[i]["weight"] for i in index])
        heads[head] = _fit_head(matrix[index], labels, weights, c, class_weight)
    return heads


def _ordered_coef(model, order: tuple[str, ...] | None) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients as (features × classes) in `order` (or the binary column for churn)."""
    if order is None:
        return model.coef_.T.copy(), model.intercept_.copy()
    classes = [str(c) for c in model.classes_]
    columns = [classes.index(label) for label in order]
    return model.coef_[columns].T.copy(), model.intercept_[columns].copy()


def _fit(rows: list[dict]) -> ReadingModel:
    """A reading model trained on `rows`, without calibration (the identity map) or routing thresholds."""
    word_vec, char_vec = _vectorizers()
    feature_names = sorted(rows[0]["features"])
    matrix = _matrix(rows, word_vec, char_vec, feature_names, fit=True)
    heads = _heads(rows, matrix)
    coef, intercept = {}, {}
    coef["polarity"], intercept["polarity"] = _ordered_coef(heads["polarity"], POLARITY)
    coef["urgency"], intercept["urgency"] = _ordered_coef(heads["urgency"], URGENCY)
    churn_classes = [str(c) for c in heads["churn"].classes_]
    churn_coef, churn_intercept = _ordered_coef(heads["churn"], None)
    if churn_classes[1] != "True":  # the positive class must be churn
        churn_coef, churn_intercept = -churn_coef, -churn_intercept
    coef["churn"], intercept["churn"] = churn_coef, churn_intercept
    return ReadingModel(
        version=VERSION,
        word_vocabulary=word_vec.vocabulary_, word_idf=word_vec.idf_,
        char_vocabulary=char_vec.vocabulary_, char_idf=char_vec.idf_,
        feature_names=feature_names, coef=coef, intercept=intercept,
        calibration_x=np.array([0.0, 1.0]), calibration_y=np.array([0.0, 1.0]),
    )


def out_of_fold(rows: list[dict], folds: int = FOLDS) -> tuple[list[dict], dict]:
    """Each labeled dev row read by a model that never saw it: the model's probabilities, and for corpus rows
    the whole offline analyzer's result and signals with that model. Also the fitted calibration map."""
    from sklearn.isotonic import IsotonicRegression
    from sklearn.model_selection import StratifiedKFold

    labeled = [i for i, row in enumerate(rows) if row["origin"] != "public" and row["urgency"] is not None]
    labels = np.array([rows[i]["polarity"] for i in labeled])
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    held: list[dict] = []
    fold_models: list[tuple[ReadingModel, list[int]]] = []
    for number, (_train_part, test_part) in enumerate(splitter.split(np.zeros(len(labeled)), labels)):
        held_out = {labeled[i] for i in test_part}
        model = _fit([row for i, row in enumerate(rows) if i not in held_out])
        fold_models.append((model, sorted(held_out)))
        for i in sorted(held_out):
            row = rows[i]
            reading = model.predict(row["text"], row["features"])
            held.append({"index": i, "fold": number, "polarity": row["polarity"], "urgency": row["urgency"],
                         "churn": row["churn"], "top": max(reading.polarity.values()),
                         "right": reading.label == row["polarity"], "reading": reading,
                         "urgency_right": reading.urgency_label == row["urgency"]})
        print(f"fold {number + 1}/{folds} trained", file=sys.stderr)
    top = np.array([h["top"] for h in held])
    right = np.array([h["right"] for h in held], dtype=float)
    isotonic = IsotonicRegression(y_min=0.05, y_max=0.98, out_of_bounds="clip").fit(top, right)
    calibration = (isotonic.X_thresholds_, isotonic.y_thresholds_)
    by_index = {h["index"]: h for h in held}
    for model, indices in fold_models:
        model.calibration_x, model.calibration_y = calibration
        analyzer = OfflineAnalyzer(reading_model=model)
        for i in indices:
            corpus_row = rows[i]["corpus_row"]
            if corpus_row is None:
                continue
            result, signals = analyzer.judge(corpus_row.text)
            by_index[i].update({"row": corpus_row, "result": result, "signals": signals.to_dict()})
    metrics = {"cv_polarity_accuracy": round(float(right.mean()), 4),
               "cv_urgency_accuracy": round(float(np.mean([h["urgency_right"] for h in held])), 4),
               "cv_rows": len(held)}
    return held, {"calibration": calibration, "metrics": metrics}


def train(folds: int = FOLDS, route_recall: float | None = None) -> tuple[ReadingModel, dict, list[dict]]:
    from routing import ROUTE_RECALL, fit_routing  # bench/routing.py

    rules = OfflineAnalyzer(reading_model=None)
    rows = _rows(rules)
    held, fitted = out_of_fold(rows, folds)
    metrics = dict(fitted["metrics"])
    corpus_held = [h for h in held if "result" in h]
    recall = ROUTE_RECALL if route_recall is None else route_recall
    routing, routing_metrics = fit_routing(corpus_held, recall)
    metrics.update(routing_metrics)
    model = _fit(rows)
    model.calibration_x, model.calibration_y = fitted["calibration"]
    model.routing = routing
    metrics.update({"rows": len(rows), "corpus_rows": sum(r["origin"] == "corpus" for r in rows)})
    model.metrics = metrics
    return model, metrics, corpus_held


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dry-run", action="store_true", help="report, do not write the model")
    parser.add_argument("--out", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--route-recall", type=float, default=None,
                        help="share of the alert-worthy misreads hybrid must send to Claude, out of fold "
                             "on dev (default: bench/routing.py's ROUTE_RECALL)")
    args = parser.parse_args()
    if args.route_recall is not None and not 0.0 < args.route_recall <= 1.0:
        parser.error("--route-recall must be in (0, 1]")
    model, metrics, _ = train(route_recall=args.route_recall)
    print(metrics)
    if not args.dry_run:
        model.save(args.out)
        print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
