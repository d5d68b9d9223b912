"""The account card's chart: one account's weekly average tone over the last 90 days (13 weeks).

Drawn with matplotlib's object API on the Agg canvas (no pyplot state), like
`bot.digest.chart`, so it is safe in a worker thread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.health.report import WEEKS, week_span  # noqa: F401  (WEEKS: the span the card covers; re-exported)

LIGHT_COLOURS = {"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828"}


def account_chart_path(folder: Path, account: str, as_of: datetime) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", account).strip("-").lower() or "account"
    return folder / f"account-{safe}-{as_of:%Y-%m-%d}.png"


def render_account_chart(
    path: Path,
    account: str,
    weekly: list[float | None],
    end: datetime,
    light: str | None = None,
    baseline: float | None = None,
) -> Path:
    """Write the PNG and return its path (folders are created)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 3), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    span = week_span(weekly, end)
    first, label = span if span is not None else (0, "no messages")
    weeks = len(weekly)
    points = [(i, v) for i, v in enumerate(weekly) if v is not None]
    colour = LIGHT_COLOURS.get(light or "", "#1d3557")
    if points:
        axes.plot([i for i, _ in points], [v for _, v in points], marker="o", linewidth=1.8, color=colour)
    axes.axhline(0, color="#999999", linewidth=0.8)
    if baseline is not None:
        axes.axhline(baseline, color="#1d3557", linewidth=0.8, linestyle="--", label="usual tone")
        axes.legend(loc="lower left", fontsize=7, frameon=False)
    axes.set_ylim(-1, 1)
    # The axis spans the weeks with messages, as the title and the text card say.
    axes.set_xlim(first - 0.5, max(weeks - 0.5, first + 0.5))
    axes.set_ylabel("weekly average")
    if weeks:
        labels = [
            f"wk of {(end - timedelta(weeks=weeks - i)):%b} {(end - timedelta(weeks=weeks - i)).day}"
            for i in range(weeks)
        ]
        step = max(1, (weeks - first) // 6)
        axes.set_xticks(range(first, weeks, step), [labels[i] for i in range(first, weeks, step)], fontsize=7)
    axes.set_title(
        f"{account}: weekly customer tone, {label}" + (f", now {light}" if light else ""), fontsize=9
    )
    figure.subplots_adjust(left=0.12, right=0.98, bottom=0.12, top=0.88)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    return path


@dataclass(frozen=True)
class AccountChart:
    """A chart to draw once the database transaction is closed (drawing takes a few hundred ms)."""

    path: Path
    account: str
    weekly: list[float | None]
    end: datetime
    light: str | None = None
    baseline: float | None = None

    def render(self) -> Path:
        return render_account_chart(self.path, self.account, self.weekly, self.end, self.light, self.baseline)
