"""总览: the year as four charts a director can paste into a report, each with the data behind it.

Every chart is a `Chart` — a title, the series as a table, and a PNG drawn from that same table
with matplotlib's Agg canvas (no pyplot state; safe in threads). Labels are Chinese when a CJK
font is installed (Debian's fonts-wqy-zenhei, which `.ci/run` installs), otherwise the chart
numbers its categories and the table beside it names them, so a missing font never draws boxes.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from handlers.core import Context
from handlers.referrals import text as referral_text
from handlers.reports.calendar import Period, ReportSchedule
from handlers.reports.chart import COLORS, month_counts
from handlers.reports.status import status_grid
from storage import followup as fu
from storage import meetings as mt
from storage import referrals as rf

CJK_FONTS = ("WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC")
STATE_COLORS = {
    "参加": "#43A047",
    "代参": "#1E88E5",
    "请假": "#FFC107",
    "未回复": "#BDBDBD",
    "按期办结": "#43A047",
    "超期办结": "#FFC107",
    "办理中": "#1E88E5",
    "超期未办结": "#E53935",
}
PALETTE = ["#1E88E5", "#43A047", "#FFC107", "#E53935", "#8E24AA", "#00ACC1", "#6D4C41", "#9E9E9E"]


FONT_FILES = (  # Debian's paths: a font installed after matplotlib built its cache
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)


@cache
def cjk_font() -> str | None:
    names = {f.name for f in font_manager.fontManager.ttflist}
    if not names & set(CJK_FONTS):
        for path in FONT_FILES:
            if Path(path).is_file():
                font_manager.fontManager.addfont(path)
        names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in CJK_FONTS if n in names), None)


@dataclass
class Chart:
    name: str
    title: str
    categories: list[str]  # x axis
    series: dict[str, list[int]]  # stacked, in order
    caption: str = ""

    @property
    def columns(self) -> list[str]:
        return ["", *self.series]

    @property
    def rows(self) -> list[list]:
        return [
            [cat, *(values[i] for values in self.series.values())]
            for i, cat in enumerate(self.categories)
        ]

    def png(self) -> bytes:
        font = cjk_font()
        figure = Figure(figsize=(7.2, 3.6), dpi=150)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        positions = list(range(len(self.categories)))
        bottom = [0] * len(self.categories)
        for n, (name, values) in enumerate(self.series.items()):
            color = COLORS.get(name) or STATE_COLORS.get(name) or PALETTE[n % len(PALETTE)]
            label = name if font else f"S{n + 1}"
            bars = axes.bar(positions, values, bottom=bottom, color=color, width=0.6, label=label)
            axes.bar_label(
                bars, labels=[str(v) if v else "" for v in values], label_type="center", fontsize=8
            )
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        if not self.categories:
            axes.text(
                0.5,
                0.5,
                "暂无数据" if font else "no data",
                ha="center",
                transform=axes.transAxes,
                fontfamily=font or "sans-serif",
            )
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        ticks = self.categories if font else [str(i + 1) for i in positions]
        axes.set_xticks(positions, ticks, fontsize=8)
        axes.set_ylim(0, max(max(bottom, default=0), 1) * 1.1)
        axes.spines[["top", "right"]].set_visible(False)
        if self.series:
            axes.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
        if font:
            axes.set_title(self.title, fontsize=11)
            legend = axes.get_legend()
            texts = legend.get_texts() if legend else []
            for text in [*axes.get_xticklabels(), *texts, axes.title]:
                text.set_fontfamily(font)
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png", metadata={"Software": None})
        return out.getvalue()


def tracked_months(ctx: Context, year: int) -> list[Period]:
    """The year's months from the first tracked one (LIAISON_REPORT_FIRST_PERIOD, else the month
    the roster was loaded) up to this one, as the assessment counts them."""
    from handlers.reports.xlsx import roster_start

    today = ctx.local().date()
    first = ctx.option("LIAISON_REPORT_FIRST_PERIOD", "")
    start = Period.parse(first) if first else roster_start(ctx) or Period(year, 1)
    months = [Period(year, m) for m in range(1, 13) if date(year, m, 1) <= today]
    return [p for p in months if p >= start]


def timeliness(ctx: Context, year: int) -> Chart:
    periods = tracked_months(ctx, year)
    today = ctx.local().date()
    grid = status_grid(ctx.session, ReportSchedule(ctx), periods, today=today)
    data = month_counts(periods, grid)
    return Chart(
        "timeliness", f"{year}年月报报送及时情况（单位数）", [f"{p.month}月" for p in periods], data
    )


def cases(ctx: Context, year: int) -> Chart:
    start, end = _year(ctx, year)
    counts: Counter[tuple[str, str]] = Counter()
    for case in rf.cases_of_year(ctx.session, start, end):
        for hazard in case.hazard.split("、"):
            counts[(hazard, referral_text.STATUS.get(case.status, case.status))] += 1
    hazards = [h for h in referral_text.HAZARDS if any(k[0] == h for k in counts)]
    states = sorted({k[1] for k in counts})
    series = {s: [counts[(h, s)] for h in hazards] for s in states}
    return Chart("cases", f"{year}年举报案件（按危害类型、状态）", hazards, series)


def attendance(ctx: Context, year: int) -> Chart:
    start, end = _year(ctx, year)
    rows = [m for m in mt.meetings_between(ctx.session, start, end) if not m.cancelled_at]
    answers = [mt.ATTEND, mt.DELEGATE, mt.LEAVE, None]
    names = {None: "未回复"}
    series = {
        names.get(a, a): [sum(i.answer == a for i in m.invites) for m in rows] for a in answers
    }
    return Chart("attendance", f"{year}年会议出席（单位数）", [m.number for m in rows], series)


def decided_items(ctx: Context, year: int) -> Chart:
    start, end = _year(ctx, year)
    today = ctx.local().date()
    counts: Counter[tuple[str, str]] = Counter()
    months = []
    for item in fu.items(ctx.session, fu.FollowupItem.prefix == fu.DECIDED):
        if not start <= item.created_at < end:
            continue
        month = f"{ctx.local(item.created_at).month}月"
        closed_on = ctx.local(item.closed_at).date() if item.closed_at else None
        if closed_on:
            state = "按期办结" if closed_on <= item.due else "超期办结"
        else:
            state = "超期未办结" if item.due < today else "办理中"
        counts[(month, state)] += 1
        months.append(month)
    categories = sorted(set(months), key=lambda m: int(m[:-1]))
    states = ["按期办结", "超期办结", "办理中", "超期未办结"]
    series = {s: [counts[(m, s)] for m in categories] for s in states}
    return Chart("decided", f"{year}年议定事项办理（按立项月份）", categories, series)


def _year(ctx: Context, year: int):
    from datetime import datetime

    return datetime(year, 1, 1, tzinfo=ctx.tz), datetime(year + 1, 1, 1, tzinfo=ctx.tz)


CHARTS = {
    "timeliness": timeliness,
    "cases": cases,
    "attendance": attendance,
    "decided": decided_items,
}


def all_charts(ctx: Context, year: int) -> list[Chart]:
    return [build(ctx, year) for build in CHARTS.values()]
