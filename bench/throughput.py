"""Benchmark: `tonewatch analyze --file` on 25,000 messages, beside VADER alone on the same file.

    python bench/throughput.py                                  # all public test sets, best of 3
    python bench/throughput.py --sets airline_twitter_sentiment # one set
    python bench/throughput.py --lines 25000 --runs 5 --json

Target: ≥ 5,000 messages/s for the offline analyzer on one core, through the CLI.
The texts of the public test sets (`../shared/eval/<set>/test.csv`, read where
they are, never copied into the project) are repeated in order until the file
has `--lines` lines, written to a temporary `.jsonl`. Each run starts, as its
own process:

- the command line, `python -m bot analyze --file <file> --json` (what the
  `tonewatch` command runs), with this checkout's code and no settings of the
  caller's (offline analyzer, no database, no Claude), its output counted;
- VADER alone: a process that reads the same file line by line and prints
  vaderSentiment's `polarity_scores` of each text as JSON.

Each figure is the best of `--runs` runs (the two commands interleaved), by
the child process's CPU time (user + system, from the operating system: it
is what one core spends, and it holds steady when other work shares the
machine) and by wall-clock time. The analyzer's start-up (imports, settings,
the reading model, the first patterns) is the same command on a one-line
file, reported beside it.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = ROOT.parent / "shared" / "eval"
TARGET = 5_000
#: The start-up run's one message: English its stopwords settle, so no language model is loaded for it.
START_UP_MESSAGE = "Thanks, the export works again but the invoice is still wrong."

#: VADER alone, the way the CLI reads and prints: one JSON object in, one out, per line.
VADER_ALONE = """
import json, sys
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
analyzer = SentimentIntensityAnalyzer()
with open(sys.argv[1], encoding="utf-8") as source:
    for line in source:
        print(json.dumps(analyzer.polarity_scores(json.loads(line)["text"])))
"""


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def public_texts(sets: list[str] | None) -> tuple[list[str], list[str]]:
    """(texts, set names) of the public test sets, in a fixed order."""
    paths = sorted(EVAL_DIR.glob("*/test.csv"))
    if sets:
        paths = [path for path in paths if path.parent.name in sets]
    texts: list[str] = []
    for path in paths:
        with path.open(encoding="utf-8", newline="") as handle:
            texts.extend(row["text"] for row in csv.DictReader(handle))
    return texts, [path.parent.name for path in paths]


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TONEWATCH_", "ANTHROPIC_")) and k not in ("DATABASE_URL", "PYTHONPATH")}
    env.update(PYTHONPATH=str(ROOT), TONEWATCH_LLM_POLICY="off")
    return env


def run(command: list[str], cwd: Path) -> tuple[float, float, int]:
    """(CPU seconds of the child, wall seconds, output lines) of one run of `command`."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=_environment(), stdout=subprocess.PIPE,
                                   stderr=errors)
        assert process.stdout is not None
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: process.stdout.read(1 << 16), b""))
        _, status, usage = os.wait4(process.pid, 0)  # the child's own resource use
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in (0, 1):  # 1: the CLI refused some lines and said so
            errors.seek(0)
            message = errors.read().decode(errors="replace")[-2000:]
            raise SystemExit(f"{' '.join(command[:4])} … failed ({process.returncode}):\n{message}")
    return usage.ru_utime + usage.ru_stime, wall, lines


def measure(commands: dict[str, list[str]], cwd: Path, runs: int) -> dict[str, dict]:
    """Best CPU and wall time of each command over `runs` interleaved runs."""
    best = {name: {"cpu_seconds": float("inf"), "wall_seconds": float("inf")} for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            cpu, wall, lines = run(command, cwd)
            figures = best[name]
            figures["cpu_seconds"] = min(figures["cpu_seconds"], cpu)
            figures["wall_seconds"] = min(figures["wall_seconds"], wall)
            figures["output_lines"] = lines
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=25_000, help="messages in the file (default 25,000)")
    parser.add_argument("--sets", help="comma-separated public sets (default: every one with a test.csv)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    texts, sets = public_texts(args.sets.split(",") if args.sets else None)
    if not texts:
        print(f"no public test sets under {EVAL_DIR} (expected ../shared/eval beside the repository)")
        return 2
    analyze = [sys.executable, "-m", "bot", "analyze", "--json", "--file"]
    with tempfile.TemporaryDirectory(prefix="throughput-") as temporary:
        folder = Path(temporary)
        messages = folder / "messages.jsonl"
        with messages.open("w", encoding="utf-8") as handle:
            for text in itertools.islice(itertools.cycle(texts), args.lines):
                handle.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
        one = folder / "one.jsonl"
        one.write_text(json.dumps({"text": START_UP_MESSAGE}) + "\n", encoding="utf-8")
        figures = measure({
            "analyzer": [*analyze, str(messages)],
            "vader": [sys.executable, "-c", VADER_ALONE, str(messages)],
            "start_up": [*analyze, str(one)],
        }, folder, args.runs)
    for name in ("analyzer", "vader"):
        if figures[name]["output_lines"] != args.lines:
            raise SystemExit(f"{name} printed {figures[name]['output_lines']:,} lines, not {args.lines:,}")
        figures[name]["messages_per_second_cpu"] = round(args.lines / figures[name]["cpu_seconds"])
        figures[name]["messages_per_second_wall"] = round(args.lines / figures[name]["wall_seconds"])
    for values in figures.values():
        values["cpu_seconds"] = round(values["cpu_seconds"], 2)
        values["wall_seconds"] = round(values["wall_seconds"], 2)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpu": _cpu_model(), "cores": os.cpu_count(), "python": platform.python_version(),
                    "load_average": [round(x, 2) for x in os.getloadavg()]},
        "sets": sets,
        "distinct_texts": len(texts),
        "messages": args.lines,
        "runs": args.runs,
        **figures,
        "target_messages_per_second": TARGET,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{args.lines:,} messages ({len(texts):,} distinct texts of {', '.join(sets)}), "
          f"best of {args.runs} runs")
    print(f"machine: {report['machine']['cpu']}, {report['machine']['cores']} cores, "
          f"Python {report['machine']['python']}, load {report['machine']['load_average']}, {report['date']}")
    for name, label in (("analyzer", "tonewatch analyze --file"), ("vader", "VADER alone")):
        values = report[name]
        print(f"{label:26} {values['messages_per_second_cpu']:>7,} msg/s by CPU "
              f"({values['cpu_seconds']} s)   {values['messages_per_second_wall']:>7,} msg/s by wall clock "
              f"({values['wall_seconds']} s)")
    start = report["start_up"]
    print(f"{'analyzer start-up':26} {start['cpu_seconds']} s CPU, {start['wall_seconds']} s wall "
          "(the same command on one message)")
    verdict = "meets" if report["analyzer"]["messages_per_second_cpu"] >= TARGET else "misses"
    print(f"tonewatch analyze --file {verdict} the {TARGET:,} msg/s target (by CPU time on one core)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
