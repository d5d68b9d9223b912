"""Benchmark: the offline analyzer on the team's customer-success corpus, and what hybrid routes to Claude.

    python bench/cs_corpus.py                  # both splits (tune on dev, report test)
    python bench/cs_corpus.py --split test --json
    python bench/cs_corpus.py --errors         # list the rows read wrongly (dev only: never tune on test)

Reports, per split: polarity and urgency accuracy, churn-risk F1, alert-worthy
messages read as good news or nothing to do, expected calibration error of the
confidence, and for `hybrid` the share of messages routed to Claude and the
alert-worthy messages misread offline that would not be routed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.analysis.corpus import CorpusScore, load_corpus, misreads_alert  # noqa: E402
from bot.analysis.offline import OfflineAnalyzer  # noqa: E402
from bot.analysis.policy import claude_triggers  # noqa: E402


def score_split(analyzer: OfflineAnalyzer, split: str, show_errors: bool = False) -> dict:
    rows = load_corpus(split=split)
    score = CorpusScore()
    routed = 0
    reasons: Counter[str] = Counter()
    misread_not_routed: list[str] = []
    started = time.perf_counter()
    for row in rows:
        result, signals = analyzer.judge(row.text)
        score.add(row, result)
        triggers = claude_triggers(result, signals=signals.to_dict())
        routed += bool(triggers)
        reasons.update(triggers)
        misread = result.label.value != row.polarity or result.urgency.value != row.urgency or (
            result.churn_risk != row.churn_risk) or (row.alert and misreads_alert(result))
        if row.alert and misread and not triggers:
            misread_not_routed.append(row.id)
        if show_errors and (result.label.value != row.polarity or result.churn_risk != row.churn_risk
                            or result.urgency.value != row.urgency):
            print(f"{row.id} gold={row.polarity}/{row.urgency}/{'churn' if row.churn_risk else '-'} "
                  f"got={result.label.value}/{result.urgency.value}/{'churn' if result.churn_risk else '-'}"
                  f" {result.score:+.2f} {result.recommended_action.value} | "
                  f"{row.text[:160]!r}")
    elapsed = time.perf_counter() - started
    summary = score.summary()
    summary.update({
        "split": split,
        "routed_share": round(routed / len(rows), 4) if rows else 0.0,
        "alert_worthy_misread_not_routed": len(misread_not_routed),
        "misread_alert_ids": score.misread_alerts,
        "routed_by": dict(reasons.most_common()),
        "messages_per_second": round(len(rows) / elapsed, 1) if elapsed else 0.0,
    })
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", choices=["dev", "test", "both"], default="both")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--errors", action="store_true", help="print the dev rows read wrongly")
    args = parser.parse_args()
    analyzer = OfflineAnalyzer()
    splits = ["dev", "test"] if args.split == "both" else [args.split]
    results = [score_split(analyzer, split, show_errors=args.errors and split == "dev") for split in splits]
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for result in results:
        print(f"{result['split']}: {result['rows']} rows · polarity {result['polarity_accuracy']:.3f} · "
              f"urgency "
              f"{result['urgency_accuracy']:.3f} · churn F1 {result['churn_f1']:.3f} · alert-worthy misread "
              f"{result['alert_worthy_misread']}/{result['alert_worthy']} · ECE {result['ece']:.3f} · routed "
              f"{result['routed_share']:.1%} · misread and not routed "
              f"{result['alert_worthy_misread_not_routed']}")
        print("  routed by: " + ", ".join(f"{name} {count}" for name, count in result["routed_by"].items()))


if __name__ == "__main__":
    main()
