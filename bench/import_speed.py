"""Benchmark: `tonewatch import` of a history file into a fresh SQLite database, offline analyzer.

    python bench/import_speed.py                  # 5,000 messages, best of 3
    python bench/import_speed.py --messages 20000 --runs 5 --json

The messages are the texts of the team's corpus (`tests/data/corpus/*.jsonl`) repeated in order,
spread over 40 accounts and a month, written to a temporary `.jsonl` with `account`, `text`,
`created_at`, `source` and `external_id`. Each run is its own process, `python -m bot import <file>
--json` (what the `tonewatch` command runs) with this checkout's code, a new SQLite file and no
settings of the caller's (offline analyzer, no Claude): it stores every message and analyzes it.
Each figure is the best of `--runs` runs by the child process's CPU time (user + system) with its
wall clock beside it; start-up (imports, the reading model) is included, as a user sees it.
"""

from __future__ import annotations

import argparse
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
CORPUS = ROOT / "tests" / "data" / "corpus"


def corpus_texts() -> list[str]:
    texts = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        with path.open(encoding="utf-8") as rows:
            texts.extend(json.loads(line)["text"] for line in rows if line.strip())
    return texts


def write_history(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for n, text in enumerate(itertools.islice(itertools.cycle(corpus_texts()), count)):
            record = {
                "account": f"Account {n % 40}",
                "text": text,
                "created_at": f"2026-11-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00Z",
                "source": "email",
                "external_id": f"history-{n}",
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def import_once(history: Path, folder: Path, run: int) -> tuple[float, float, dict]:
    """(CPU seconds, wall seconds, the command's JSON summary) of one import into a new database."""
    environment = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("TONEWATCH_", "ANTHROPIC_", "SLACK_", "TEAMS_")) and key != "DATABASE_URL"
    }
    environment["PYTHONPATH"] = str(ROOT)
    environment["DATABASE_URL"] = f"sqlite:///{folder / f'run{run}.db'}"
    # Output to files, not pipes: a child writing more than a pipe holds would wait for a reader.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "bot", "import", str(history), "--json"],
            stdout=out, stderr=errors, env=environment, cwd=folder,
        )
        _, status, usage = os.wait4(child.pid, 0)  # the child's own resource use
        wall = time.perf_counter() - started
        out.seek(0)
        errors.seek(0)
        output, problems = out.read().decode(), errors.read().decode()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"error: the import failed: {problems.strip()[-500:]}")
    return usage.ru_utime + usage.ru_stime, wall, json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tonewatch-import-") as scratch:
        folder = Path(scratch)
        history = folder / "history.jsonl"
        write_history(history, args.messages)
        runs = [import_once(history, folder, run) for run in range(args.runs)]
    cpu, wall, summary = min(runs, key=lambda run: run[0])
    if summary["new"] != args.messages or summary["analyzed"] != args.messages:
        raise SystemExit(f"error: expected {args.messages} stored and analyzed, got {summary}")
    figures = {
        "messages": args.messages,
        "cpu_seconds": round(cpu, 2),
        "wall_seconds": round(wall, 2),
        "messages_per_cpu_second": round(args.messages / cpu),
        "messages_per_wall_second": round(args.messages / wall),
        "runs": args.runs,
        "python": platform.python_version(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    if args.json:
        print(json.dumps(figures))
        return
    print(
        f"tonewatch import, {args.messages:,} messages into SQLite (best of {args.runs}): "
        f"{figures['messages_per_cpu_second']:,} msg/s of CPU ({cpu:.1f} s), "
        f"{figures['messages_per_wall_second']:,} msg/s wall ({wall:.1f} s)"
    )


if __name__ == "__main__":
    main()
