"""The bulletin's chart: per month, how many units filed on time, late, or not at all.

Drawn with matplotlib's Agg canvas directly (no pyplot global state, safe in threads). The image
carries numbers and dates only, because no CJK font is guaranteed on the server; the Chinese
caption and colour key are text in the document.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from handlers.reports import text as T
from handlers.reports.calendar import Period
from handlers.reports.status import UnitMonth

COLORS = {T.ON_TIME: "#4CAF50", T.LATE: "#FFC107", T.MISSING: "#E53935", T.PENDING: "#BDBDBD"}


def month_counts(periods: list[Period], grid: list[list[UnitMonth]]) -> dict[str, list[int]]:
    """For each status, the number of units per month (in `periods` order)."""
    out = {status: [0] * len(periods) for status in COLORS}
    for row in grid:
        for index, cell in enumerate(row):
            out[cell.status][index] += 1
    return out


def submissions_chart(periods: list[Period], grid: list[list[UnitMonth]]) -> bytes:
    """A stacked bar chart as PNG bytes."""
    data = month_counts(periods, grid)
    figure = Figure(figsize=(6.4, 3.2), dpi=150)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(periods)))  # not the labels: they look like dates to matplotlib
    bottom = [0] * len(periods)
    for status, color in COLORS.items():
        bars = axes.bar(positions, data[status], bottom=bottom, color=color, width=0.55)
        shown = [str(v) if v else "" for v in data[status]]
        axes.bar_label(bars, labels=shown, label_type="center", fontsize=9)
        bottom = [b + v for b, v in zip(bottom, data[status], strict=True)]
    axes.set_xticks(positions, [str(p) for p in periods])
    axes.set_ylim(0, max(max(bottom), 1) * 1.08)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
