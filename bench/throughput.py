"""Benchmark: messages per second of the offline analyzer, beside VADER alone.

    python bench/throughput.py                  # airline test texts, best of 7 passes
    python bench/throughput.py --runs 9 --json

Target: ≥ 5,000 messages/s for the offline analyzer on one core. One process,
one thread; the same texts go through `OfflineAnalyzer.analyze_text` (clean,
strip quotes and signatures, language, cues, VADER, playbook, validated
`AnalysisResult`) and through vaderSentiment's `polarity_scores`. Each figure
is the best of several passes after a warm-up pass, the two analyzers' passes
interleaved, by wall clock and by the process's CPU time (the second is
steadier when other work shares the machine).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.analysis.offline import OfflineAnalyzer  # noqa: E402

DEFAULT_TEXTS = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "eval" / "airline_twitter_sentiment" / "test.csv"
)
TARGET = 5_000


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def measure(functions: dict[str, Callable[[str], object]], texts: list[str], runs: int) -> dict[str, dict]:
    """Best of `runs` passes per function, passes interleaved so load from other processes hits both."""
    for function in functions.values():  # warm-up: lazy loads, regex caches
        for text in texts:
            function(text)
    best = {name: [float("inf"), float("inf")] for name in functions}
    for _ in range(runs):
        for name, function in functions.items():
            wall, cpu = time.perf_counter(), time.process_time()
            for text in texts:
                function(text)
            best[name][0] = min(best[name][0], time.perf_counter() - wall)
            best[name][1] = min(best[name][1], time.process_time() - cpu)
    return {
        name: {
            "messages_per_second_wall": round(len(texts) / wall),
            "messages_per_second_cpu": round(len(texts) / max(cpu, 1e-9)),
            "microseconds_per_message_wall": round(wall / len(texts) * 1e6, 1),
        }
        for name, (wall, cpu) in best.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=Path, default=DEFAULT_TEXTS, help="CSV with a text column")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.texts.is_file():
        print(f"no texts at {args.texts} (expected ../shared/eval beside the repository)")
        return 2
    with args.texts.open(encoding="utf-8", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]

    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    offline = OfflineAnalyzer()
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpu": _cpu_model(), "cores": os.cpu_count(), "python": platform.python_version()},
        "texts": str(args.texts),
        "messages": len(texts),
        **measure({"offline": offline.analyze_text, "vader": vader.polarity_scores}, texts, args.runs),
        "target_messages_per_second": TARGET,
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{report['messages']:,} messages from {report['texts']}")
        print(f"machine: {report['machine']['cpu']}, {report['machine']['cores']} cores, "
              f"Python {report['machine']['python']}, {report['date']}")
        for name in ("offline", "vader"):
            figures = report[name]
            print(f"{name:8} {figures['messages_per_second_wall']:>8,} msg/s wall  "
                  f"{figures['messages_per_second_cpu']:>8,} msg/s cpu  "
                  f"{figures['microseconds_per_message_wall']:>7} µs/message")
        verdict = "meets" if report["offline"]["messages_per_second_cpu"] >= TARGET else "misses"
        print(f"offline {verdict} the {TARGET:,} msg/s target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
