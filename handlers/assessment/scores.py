"""Scores from the figures: each criterion's rate × its weight; a unit's total is out of 100 over
the criteria that apply to it. Weights are a setting (LIAISON_ASSESS_WEIGHTS), defaults below.

No published national weights exist for member departments (anchors 9.5), so the defaults simply
put the seed's regular duty first (月报, 信息通报机制) and show every figure behind each score.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.assessment.figures import CRITERIA, UnitFigures
from handlers.core import Context

DEFAULT_WEIGHTS = {"月报": 25, "转办": 20, "会议": 15, "督办": 15, "征求意见": 15, "整改": 10}
DEFAULT_POOR = 60  # a total below this is 工作不力
BEST_COUNT = 3


@dataclass
class Scored:
    figures: UnitFigures
    scores: dict[str, float | None]  # criterion -> points, None = 不适用
    total: float | None  # out of 100
    rank: int = 0


def weights(ctx: Context) -> dict[str, float]:
    """`月报=25,转办=20,…`; a criterion left out keeps its default, 0 drops it."""
    found = dict(DEFAULT_WEIGHTS)
    raw = ctx.option("LIAISON_ASSESS_WEIGHTS", "").replace("，", ",")
    for part in filter(None, (p.strip() for p in raw.split(","))):
        name, _, value = (x.strip() for x in part.partition("="))
        try:
            if name in found and float(value) >= 0:
                found[name] = float(value)
        except ValueError:
            continue
    return found


def poor_line(ctx: Context) -> float:
    return float(ctx.option_int("LIAISON_ASSESS_POOR", DEFAULT_POOR))


def score(ctx: Context, rows: list[UnitFigures]) -> list[Scored]:
    w = weights(ctx)
    out = []
    for row in rows:
        raw: dict[str, float | None] = {}
        for key, _label in CRITERIA:
            rate = row.figures[key].rate
            raw[key] = None if rate is None or not w[key] else w[key] * rate
        applied = [k for k, v in raw.items() if v is not None]
        weight = sum(w[k] for k in applied)
        total = round(100 * sum(raw[k] for k in applied) / weight, 1) if weight else None
        scores = {k: None if v is None else round(v, 2) for k, v in raw.items()}
        out.append(Scored(row, scores, total))
    totals = [s.total for s in out if s.total is not None]
    for s in out:  # competition ranking: equal totals share a rank
        s.rank = 1 + sum(t > s.total for t in totals) if s.total is not None else 0
    return out


def best(rows: list[Scored]) -> list[Scored]:
    ranked = sorted(
        (s for s in rows if s.total is not None), key=lambda s: (-s.total, s.figures.unit.id)
    )
    return [s for s in ranked if s.rank <= BEST_COUNT]


def poor(ctx: Context, rows: list[Scored]) -> list[Scored]:
    line = poor_line(ctx)
    return [s for s in rows if s.total is not None and s.total < line]
