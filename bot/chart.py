"""The digest chart: weekly tone of the accounts needing attention, and the colour distribution.

Drawn with matplotlib's object API on the Agg canvas (no pyplot state, no
display), so it is safe in a server thread.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

LIGHT_COLOURS = {"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828"}


def render_digest_chart(
    path: Path,
    weekly: dict[str, list[float | None]],
    end: datetime,
    counts: dict[str, int],
    previous_counts: dict[str, int],
    title: str = "Customer sentiment",
) -> Path:
    """Write a PNG with two panels and return its path (folders are created)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(10, 4.2), dpi=100)
    FigureCanvasAgg(figure)
    tone, colours = figure.subplots(1, 2, gridspec_kw={"width_ratios": [2.2, 1]})

    weeks = max((len(values) for values in weekly.values()), default=0)
    labels = [(end - timedelta(weeks=weeks - i)).strftime("%b %d") for i in range(weeks)]
    for account, values in weekly.items():
        points = [(i, v) for i, v in enumerate(values) if v is not None]
        if points:
            tone.plot(
                [i for i, _ in points], [v for _, v in points], marker="o", linewidth=1.5, label=account
            )
    tone.axhline(0, color="#999999", linewidth=0.8)
    tone.set_ylim(-1, 1)
    tone.set_ylabel("weekly average score")
    tone.set_title("Accounts needing attention" if weekly else "No account needs attention")
    if weeks:
        step = max(1, weeks // 6)
        tone.set_xticks(range(0, weeks, step), [labels[i] for i in range(0, weeks, step)])
    if weekly:
        tone.legend(loc="lower left", fontsize=7, frameon=False)

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
    colours.set_title("Colours (faded: last week)")
    colours.yaxis.set_major_locator(MaxNLocator(integer=True))
    figure.suptitle(title)
    # Fixed margins: tight_layout would draw the figure an extra time just to measure it.
    figure.subplots_adjust(left=0.085, right=0.98, bottom=0.1, top=0.84, wspace=0.18)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    return path
