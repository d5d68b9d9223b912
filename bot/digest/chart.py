"""The digest chart: weekly tone of the accounts needing attention, their message counts, and the colours.

Drawn with matplotlib's object API on the Agg canvas (no pyplot state, no
display), so it is safe in a server thread.

What a manager reads off it: the x axis spans the weeks that have data (the title says which);
each account's line has its own colour from a palette that avoids the traffic-light hues (its
light is in the legend); triangles mark weeks an alert was raised and stars NPS answers (with the
score); bars under the lines count the customer messages each week.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

LIGHT_COLOURS = {"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828"}
#: Line colours for accounts: distinct, colour-blind-friendly, none of them green, amber or red.
LINE_COLOURS = ("#1f4e9c", "#7b3294", "#00838f", "#5d4037", "#c2185b", "#455a64")


@dataclass
class AccountSeries:
    """One account's weeks (oldest first) as the chart draws them."""

    averages: list[float | None]
    counts: list[int] = field(default_factory=list)
    light: str | None = None
    #: (week index, severity) of alerts and (week index, score) of NPS answers.
    alerts: list[tuple[int, str]] = field(default_factory=list)
    nps: list[tuple[int, float]] = field(default_factory=list)


def _span(series: dict[str, AccountSeries]) -> tuple[int, int] | None:
    """The first and last week index with any data (a score, a message, an alert or an answer)."""
    used: set[int] = set()
    for item in series.values():
        used.update(i for i, v in enumerate(item.averages) if v is not None)
        used.update(i for i, n in enumerate(item.counts) if n)
        used.update(i for i, _ in item.alerts)
        used.update(i for i, _ in item.nps)
    return (min(used), max(used)) if used else None


def _day(moment: datetime) -> str:
    return f"{moment:%b} {moment.day}"


def render_digest_chart(
    path: Path,
    weekly: dict[str, AccountSeries],
    end: datetime,
    counts: dict[str, int],
    previous_counts: dict[str, int],
    title: str = "Customer sentiment",
) -> Path:
    """Write a PNG (tone and weekly messages on the left, colours on the right) and return its path."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(10, 5.2), dpi=100)
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(2, 2, width_ratios=[2.3, 1], height_ratios=[2.6, 1], hspace=0.12, wspace=0.2)
    tone = figure.add_subplot(grid[0, 0])
    volume = figure.add_subplot(grid[1, 0], sharex=tone)
    colours = figure.add_subplot(grid[:, 1])

    weeks = max((len(s.averages) for s in weekly.values()), default=0)
    span = _span(weekly)
    if span is not None:
        first, last = span
        starts = [end - timedelta(weeks=weeks - i) for i in range(weeks)]
        shown = last - first + 1
        period = f"{_day(starts[first])} – {_day(starts[last] + timedelta(days=6))}"
        tone.set_title(f"Accounts needing attention: weekly tone, {period} ({shown} weeks)", fontsize=10)
        totals = [0] * weeks
        for index, (account, item) in enumerate(weekly.items()):
            colour = LINE_COLOURS[index % len(LINE_COLOURS)]
            points = [(i, v) for i, v in enumerate(item.averages) if v is not None]
            label = f"{account} ({item.light})" if item.light else account
            if points:
                tone.plot(
                    [i for i, _ in points],
                    [v for _, v in points],
                    marker="o",
                    markersize=4,
                    linewidth=1.6,
                    color=colour,
                    label=label,
                )
            value_at = dict(points)
            for week, _severity in sorted(set(item.alerts)):
                tone.plot(
                    week,
                    value_at.get(week, -0.9),
                    marker="v",
                    markersize=8,
                    color=colour,
                    markeredgecolor="black",
                    linestyle="none",
                )
            for week, score in item.nps:
                y = value_at.get(week, 0.9)
                tone.plot(
                    week,
                    y,
                    marker="*",
                    markersize=11,
                    color=colour,
                    markeredgecolor="black",
                    linestyle="none",
                )
                tone.annotate(
                    f"NPS {score:g}", (week, y), textcoords="offset points", xytext=(5, 5), fontsize=7
                )
            for i, n in enumerate(item.counts):
                totals[i] += n
        tone.set_xlim(first - 0.4, last + 0.4)
        tone.axhline(0, color="#999999", linewidth=0.8)
        tone.set_ylim(-1.05, 1.05)
        tone.set_ylabel("mean score")
        # Marker keys, drawn once in grey so the legend explains them.
        tone.plot(
            [],
            [],
            marker="v",
            color="#888888",
            markeredgecolor="black",
            linestyle="none",
            label="alert raised",
        )
        tone.plot(
            [],
            [],
            marker="*",
            markersize=10,
            color="#888888",
            markeredgecolor="black",
            linestyle="none",
            label="NPS answer",
        )
        tone.legend(loc="best", fontsize=7, frameon=False, ncol=2)
        volume.bar(range(weeks), totals, color="#90a4ae", width=0.6)
        for i in range(first, last + 1):
            if totals[i]:
                volume.annotate(str(totals[i]), (i, totals[i]), ha="center", va="bottom", fontsize=7)
        volume.set_ylabel("messages", fontsize=8)
        volume.set_ylim(0, max(totals) * 1.3 + 1)
        volume.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=3))
        volume.set_xticks(
            range(first, last + 1), [f"wk of {_day(starts[i])}" for i in range(first, last + 1)], fontsize=7
        )
        tone.tick_params(labelbottom=False)
    else:
        tone.set_title("No account needs attention", fontsize=10)
        tone.set_axis_off()
        volume.set_axis_off()

    names = ["green", "yellow", "red"]
    positions = range(len(names))
    colours.bar(
        [p - 0.2 for p in positions],
        [previous_counts.get(n, 0) for n in names],
        width=0.4,
        color=[LIGHT_COLOURS[n] for n in names],
        alpha=0.35,
        label="last week",
    )
    colours.bar(
        [p + 0.2 for p in positions],
        [counts.get(n, 0) for n in names],
        width=0.4,
        color=[LIGHT_COLOURS[n] for n in names],
        label="this week",
    )
    for p, name in zip(positions, names, strict=True):
        colours.annotate(
            str(counts.get(name, 0)), (p + 0.2, counts.get(name, 0)), ha="center", va="bottom", fontsize=8
        )
    colours.set_xticks(list(positions), names)
    colours.set_title("Accounts by colour (faded: last week)", fontsize=10)
    colours.yaxis.set_major_locator(MaxNLocator(integer=True))
    figure.suptitle(title)
    # Fixed margins: tight_layout would draw the figure an extra time just to measure it.
    figure.subplots_adjust(left=0.075, right=0.98, bottom=0.08, top=0.88)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    return path
