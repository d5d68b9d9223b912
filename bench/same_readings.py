"""Check: the working tree reads every message exactly as another revision of the analyzer does.

    python bench/same_readings.py                       # against main
    python bench/same_readings.py --reference 87b7f00   # against a commit
    python bench/same_readings.py --competitors "Zendesk,Intercom"

For a change meant to leave the readings alone (a faster analyzer): every text
of the team's corpus (`tests/data/corpus/*.jsonl`), of `tests/data/cs_messages.csv`
and `tests/data/injection_corpus.csv`, and of the public test sets
(`../shared/eval/*/test.csv`, read where they are, never copied) goes through
both revisions, each in its own process:

- `OfflineAnalyzer().judge` one message at a time: the full JSON of the result
  and the signals beside it (risks, the model's rounded probabilities, doubt)
  must be equal;
- `tonewatch analyze --file … --json` on all of them in one file: the output
  must be the same, byte for byte (error lines included);
- the reading model's unrounded probabilities are compared too, and their
  largest difference is reported (sums taken in another order may differ in
  the last bits; the rounded readings above may not).

The reference revision is exported with `git archive` into a temporary folder;
nothing in the working tree changes. Exit status 1 when anything differs.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = ROOT.parent / "shared" / "eval"


def corpus_texts() -> list[str]:
    """Every text the check reads, in a fixed order."""
    texts: list[str] = []
    for path in sorted((ROOT / "tests" / "data" / "corpus").glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            texts.extend(json.loads(line)["text"] for line in handle if line.strip())
    data = ROOT / "tests" / "data"
    for path in (data / "cs_messages.csv", data / "injection_corpus.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            texts.extend(row["text"] for row in csv.DictReader(handle))
    public = sorted(EVAL_DIR.glob("*/test.csv"))
    if not public:
        print(f"note: no public test sets under {EVAL_DIR}; checking the project's own texts only",
              file=sys.stderr)
    for path in public:
        with path.open(encoding="utf-8", newline="") as handle:
            texts.extend(row["text"] for row in csv.DictReader(handle))
    return texts


def dump_readings(texts_path: Path, out_path: Path, competitors: str) -> None:
    """Runs inside the revision's tree (PYTHONPATH): each text's judgement as one JSON line."""
    from bot.analysis.base import InvalidText, clean_text
    from bot.analysis.offline import OfflineAnalyzer, features_of

    analyzer = OfflineAnalyzer(competitors=competitors)
    model = analyzer.reading_model
    with texts_path.open(encoding="utf-8") as source, out_path.open("w", encoding="utf-8") as out:
        for line in source:
            text = json.loads(line)["text"]
            try:
                result, signals = analyzer.judge(text)
            except InvalidText as exc:
                out.write(json.dumps({"error": str(exc)}) + "\n")
                continue
            raw = None
            reading = analyzer.read(clean_text(text, analyzer.max_chars))
            if model is not None and reading.abstain_reason is None:
                predicted = model.predict(reading.body, features_of(reading))
                raw = [*predicted.polarity.values(), *predicted.urgency.values(), predicted.churn,
                       predicted.confidence]
            out.write(json.dumps({"result": result.to_json_dict(), "signals": signals.to_dict(), "raw": raw},
                                 ensure_ascii=False) + "\n")


def _environment(tree: Path, competitors: str) -> dict[str, str]:
    """The child's environment: the tree's code, offline only, no settings of the caller's."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TONEWATCH_", "ANTHROPIC_")) and k not in ("DATABASE_URL", "PYTHONPATH")}
    env.update(PYTHONPATH=str(tree), TONEWATCH_LLM_POLICY="off", TONEWATCH_COMPETITORS=competitors)
    return env


def run_tree(tree: Path, texts_path: Path, out_dir: Path, competitors: str) -> tuple[Path, bytes]:
    """(the per-message readings, the CLI's output) of the analyzer in `tree`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    env = _environment(tree, competitors)
    readings = out_dir / "readings.jsonl"
    subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--dump-readings", str(texts_path), str(readings),
         "--competitors", competitors],
        env=env, cwd=out_dir, check=True,
    )
    cli = subprocess.run(
        [sys.executable, "-m", "bot", "analyze", "--file", str(texts_path), "--json"],
        env=env, cwd=out_dir, capture_output=True,
    )
    if cli.returncode not in (0, 1):  # 1: some lines were refused, reported in the output
        raise SystemExit(f"the CLI of {tree} failed:\n{cli.stderr.decode(errors='replace')[-2000:]}")
    return readings, cli.stdout


def export_revision(revision: str, into: Path) -> str:
    """The revision's files under `into`; returns its full commit id."""
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", f"{revision}^{{commit}}"],
                            check=True, capture_output=True, text=True).stdout.strip()
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.Popen(["git", "-C", str(ROOT), "archive", commit], stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(into)], stdin=archive.stdout, check=True)
    if archive.wait() != 0:
        raise SystemExit(f"git archive {commit} failed")
    return commit


def compare(reference: Path, current: Path, texts: list[str]) -> tuple[int, float]:
    """(messages whose reading differs, the largest difference of the model's unrounded probabilities)."""
    differing = 0
    largest = 0.0
    with reference.open(encoding="utf-8") as old, current.open(encoding="utf-8") as new:
        for index, (old_line, new_line) in enumerate(zip(old, new, strict=True)):
            before, after = json.loads(old_line), json.loads(new_line)
            if before.get("raw") and after.get("raw"):
                pairs = zip(before["raw"], after["raw"], strict=True)
                largest = max(largest, *(abs(a - b) for a, b in pairs))
            before.pop("raw", None)
            after.pop("raw", None)
            if before != after:
                differing += 1
                if differing <= 5:
                    print(f"differs: message {index + 1}: {texts[index][:80]!r}")
                    for key in ("result", "signals"):
                        for field in sorted(set(before.get(key) or {}) | set(after.get(key) or {})):
                            was, now = (before.get(key) or {}).get(field), (after.get(key) or {}).get(field)
                            if was != now:
                                print(f"  {key}.{field}: {was!r} -> {now!r}")
                    if "error" in before or "error" in after:
                        print(f"  error: {before.get('error')!r} -> {after.get('error')!r}")
    return differing, largest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", default="main", help="the revision to compare with (default: main)")
    parser.add_argument("--competitors", default="", help="TONEWATCH_COMPETITORS for both analyzers")
    parser.add_argument("--keep", type=Path, help="keep the texts and outputs in this folder")
    parser.add_argument("--dump-readings", nargs=2, type=Path, metavar=("TEXTS", "OUT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.dump_readings:
        dump_readings(*args.dump_readings, args.competitors)
        return 0

    texts = corpus_texts()
    with tempfile.TemporaryDirectory(prefix="same-readings-") as temporary:
        work = args.keep or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        texts_path = work / "texts.jsonl"
        with texts_path.open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps({"text": text}, ensure_ascii=False) + "\n" for text in texts)
        digest = hashlib.sha256(texts_path.read_bytes()).hexdigest()[:12]
        commit = export_revision(args.reference, work / "reference-tree")
        print(f"{len(texts):,} texts ({digest}); reference {args.reference} = {commit[:12]}, "
              f"current = working tree {ROOT}")
        started = time.perf_counter()
        # A kept folder keeps the reference's outputs for the same commit, texts and settings.
        key = hashlib.sha256(f"{commit} {digest} {args.competitors}".encode()).hexdigest()[:12]
        reference_dir = work / f"reference-{key}"
        if (reference_dir / "cli.out").exists():
            old_readings, old_cli = reference_dir / "readings.jsonl", (reference_dir / "cli.out").read_bytes()
        else:
            old_readings, old_cli = run_tree(work / "reference-tree", texts_path, reference_dir,
                                             args.competitors)
            (reference_dir / "cli.out").write_bytes(old_cli)
        new_readings, new_cli = run_tree(ROOT, texts_path, work / "current", args.competitors)
        differing, largest = compare(old_readings, new_readings, texts)
        cli_lines = sum(1 for a, b in zip(old_cli.splitlines(), new_cli.splitlines(), strict=False) if a != b)
        cli_same = old_cli == new_cli
        print(f"per message: {differing:,} of {len(texts):,} readings differ; "
              f"largest difference of the model's unrounded probabilities {largest:.3g}")
        print(f"CLI (--json, one file): {'identical output' if cli_same else f'{cli_lines:,} lines differ'} "
              f"({len(new_cli.splitlines()):,} lines)")
        print(f"checked in {time.perf_counter() - started:.0f} s")
        return 0 if differing == 0 and cli_same else 1


if __name__ == "__main__":
    sys.exit(main())
