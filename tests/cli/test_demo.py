
"""`tonewatch demo`: the newcomer's first command, run as they would run it (a fresh process, no keys)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.demo.script import portfolio_path

REPO = Path(__file__).resolve().parents[2]
SECTIONS = ("Alert threads", "Drafts", "Account card: Acme Corp", "Digest", "Chart written to ")


@pytest.mark.slow
def test_the_demo_plays_the_week_and_prints_what_slack_would_show(tmp_path: Path) -> None:
    out = tmp_path / "demo-out"
    started = time.monotonic()
    process = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--out", str(out)], capture_output=True, text=True, timeout=120
    )
    seconds = time.monotonic() - started
    assert process.returncode == 0, process.stderr[-2000:]
    printed = process.stdout
    positions = [printed.find(section) for section in SECTIONS]
    assert -1 not in positions and positions == sorted(positions), positions
    assert "Critical · Acme Corp" in printed and "Draft reply (edit before sending" in printed
    card = printed[printed.find("Account card: Acme Corp") : printed.find("Asked by mention")]
    assert "Acme Corp — red" in card and "[image shared in the DM: Acme Corp: weekly tone]" in card
    digest = printed[printed.find("\nDigest") :]
    assert "CUSTOMER SENTIMENT · WEEK OF NOV 16–22" in digest and "Needs attention" in digest
    assert "posted, skipped" in digest  # the scheduler's job posts each target and week once
    assert "$240k ARR at risk" in digest  # the account book weighs the digest
    assert "reached @Jordan by DM" in printed  # the owner of Acme Corp and Globex
    assert "Acme Corp: health red, trend declining, outreach suppressed true" in printed  # in the CRM
    # Initech asks us to revoke a key it leaked itself: the draft helps, it does not apologise.
    drafts = printed[printed.find("\nDrafts") : printed.find("Account card: Acme Corp")]
    initech = drafts[drafts.find("· Initech") :]
    initech = initech[: initech.find("\n  [", 1)]
    assert "Draft reply" in initech
    assert not any(word in initech.casefold() for word in ("sorry", "apolog", "let you down")), initech
    assert "Nothing internal was posted where customers can read" in printed
    chart = Path(printed.split("Chart written to ", 1)[1].split("\n", 1)[0].strip())
    assert chart.is_file() and chart.read_bytes().startswith(b"\x89PNG") and chart.is_relative_to(out)
    assert "Traceback" not in process.stderr
    assert seconds < 60, f"the demo took {seconds:.1f} s"


def test_the_demo_reads_the_checkouts_example_portfolio() -> None:
    """The demo reads examples/portfolio.jsonl of a checkout, else the wheel's copy in bot/data/examples
    (tests/cli/test_package.py checks the wheel carries it)."""
    assert portfolio_path() == REPO / "examples" / "portfolio.jsonl"


def test_the_readme_starts_with_the_demo() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```bash\n", 1)[1].split("```", 1)[0]
    assert first_block.strip() == "pip install -e . && tonewatch demo"
    assert "## Asking Tonewatch" in readme
