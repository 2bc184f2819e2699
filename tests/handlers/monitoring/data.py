"""Generated health-check data: 16 街道/镇, 12 months, binomial noise around a stable rate per
hazard, with two planted events: a noise outbreak in one town in month 11 and one employer with
two suspected cases of one hazard within 90 days."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

TOWNS = [f"{name}街道" for name in ("淮河路", "解放路", "铭功路", "一马路", "福华街", "德化街",
         "建中街", "蜜蜂张", "五里堡", "大学路", "京广路", "嵩山路", "长江路", "人和路",
         "侯寨")] + ["马寨镇"]  # fmt: skip
HAZARDS = {"噪声": 0.08, "其他粉尘": 0.05, "苯": 0.06, "高温": 0.10, "铅": 0.04}
OUTBREAK_TOWN, OUTBREAK_MONTH, OUTBREAK_RATE = "五里堡街道", 11, 0.35
CLUSTER_EMPLOYER, CLUSTER_HAZARD = "侯寨精工机械有限公司", "苯"
HEADER = ["体检机构", "用人单位", "街道/镇", "行业", "危害因素", "受检人数", "异常（复查）人数",
          "疑似职业病人数", "职业禁忌证人数", "体检日期"]  # fmt: skip


@dataclass(frozen=True)
class Row:
    institution: str
    employer: str
    street: str
    industry: str
    hazard: str
    examined: int
    abnormal: int
    suspected: int
    contraindicated: int
    exam_date: date

    def cells(self) -> list:
        return [self.institution, self.employer, self.street, self.industry, self.hazard,
                self.examined, self.abnormal, self.suspected, self.contraindicated,
                self.exam_date.isoformat()]  # fmt: skip


def employers() -> list[tuple[str, str, str]]:
    """(employer, town, hazard): 4 employers per town, each with one hazard."""
    out = []
    names = list(HAZARDS)
    for t, town in enumerate(TOWNS):
        for e in range(4):
            out.append((f"{town[:2]}第{e + 1}制造有限公司", town, names[(t + e) % len(names)]))
    out.append(("五里堡声学器材有限公司", OUTBREAK_TOWN, "噪声"))
    out.append((CLUSTER_EMPLOYER, "侯寨街道", CLUSTER_HAZARD))
    return out


def month_rows(year: int, month: int, seed: int = 7) -> list[Row]:
    """One month of results; month 1..12 of the series."""
    rng = random.Random(seed * 1000 + month)
    rows = []
    for employer, town, hazard in employers():
        n = rng.randint(25, 60)
        rate = HAZARDS[hazard]
        if town == OUTBREAK_TOWN and hazard == "噪声" and month == OUTBREAK_MONTH:
            rate = OUTBREAK_RATE
        abnormal = sum(rng.random() < rate for _ in range(n))
        suspected = 0
        if employer == CLUSTER_EMPLOYER and month in (9, 11):
            suspected = 1  # two within 90 days: the planted cluster
        day = date(year, month, rng.randint(1, 28))
        rows.append(Row("区职业病防治院", employer, town, "机械制造", hazard, n, abnormal,
                        suspected, rng.randint(0, 1), day))  # fmt: skip
    return rows
