"""Print the worked examples of `prompts/analyze_message@v2.md` from the corpus's dev split.

    python bench/prompt_examples.py > /tmp/examples.md

Picks a fixed, seeded spread over the corpus classes and languages (dev rows only:
the test split stays unseen by every tuned part, the prompt included), shortens
long emails, and prints each with the labels a careful CSM gave it. A released
prompt is never edited: new examples go into a new prompt version.
"""

from __future__ import annotations

import random
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.analysis.corpus import load_corpus  # noqa: E402

PER_CLASS = 1
MAX_EXAMPLES = 32
MAX_CHARS = 420


def main() -> None:
    rows = [row for row in load_corpus(split="dev") if len(row.text) <= 900]
    by_class: dict[str, list] = defaultdict(list)
    for row in rows:
        by_class[(row.cls, row.language != "en")].append(row)
    rng = random.Random(20261207)
    chosen = []
    for key in sorted(by_class):
        chosen.extend(rng.sample(by_class[key], min(PER_CLASS, len(by_class[key]))))
    rng.shuffle(chosen)
    for index, row in enumerate(chosen[:MAX_EXAMPLES], start=1):
        text = row.text if len(row.text) <= MAX_CHARS else row.text[:MAX_CHARS].rsplit(" ", 1)[0] + " …"
        flags = ", ".join(f for f, on in (("churn_risk", row.churn_risk), ("alert-worthy", row.alert)) if on)
        print(f"## Example {index} ({row.source}, {row.language})\n")
        print("<example_message>\n" + text.strip() + "\n</example_message>\n")
        print(f"label {row.polarity} · urgency {row.urgency} · {flags or 'not alert-worthy'}"
              + (f" · concerns {', '.join(row.concerns)}" if row.concerns else "") + "\n")


if __name__ == "__main__":
    main()
