"""The overview's charts draw on an empty year too, and the months before the roster are left out."""

from __future__ import annotations

from bot.web import charts


def test_charts_of_an_empty_year_still_draw(desk_bot):
    with desk_bot.session() as s:
        ctx = desk_bot.services.context(s)
        for chart in charts.all_charts(ctx, 2025):
            assert chart.png()[:4] == b"\x89PNG"
        months = charts.tracked_months(ctx, 2026)
    assert [str(p) for p in months] == ["2026-11"]  # the demo roster was loaded in November
