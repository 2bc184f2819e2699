"""Demo roster: the member units the seed document names, with invented people and accounts.

Every invented person is named 「…（演示）」 and flagged `demo`, so nobody mistakes them for real
officials. Accounts follow `demo-uNN-liaison` / `demo-uNN-leader`, plus office and convener ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.roster import ImportResult, RosterRow, apply_rows
from handlers.units import short_name
from storage.reports import MonthlyReport
from storage.roster import Unit

# 附件1 二、组成及职责: 15 departments, the 管委会, 马寨镇 and the 街道办事处 — 32 member units.
SEED_UNITS = [
    "区卫健委",
    "区委宣传部",
    "区发展改革委",
    "区教育局",
    "区科技局",
    "区工信局",
    "区民政局",
    "区财政局",
    "区人社局",
    "区生态环境分局",
    "区建设和交通局",
    "区应急管理局",
    "区市场监督管理局",
    "区医疗保障局",
    "区总工会",
    "马寨经济开发区管委会",
    "樱桃沟管理区管委会",
    "马寨镇人民政府",
    "淮河路街道办事处",
    "解放路街道办事处",
    "铭功路街道办事处",
    "一马路街道办事处",
    "蜜蜂张街道办事处",
    "五里堡街道办事处",
    "大学路街道办事处",
    "建中街街道办事处",
    "福华街街道办事处",
    "德化街街道办事处",
    "嵩山路街道办事处",
    "京广路街道办事处",
    "长江路街道办事处",
    "侯寨街道办事处",
]
DEMO_OFFICE = "demo-office"
DEMO_DIRECTOR = "demo-director"
DEMO_CONVENER = "demo-convener"


def demo_rows() -> list[RosterRow]:
    rows: list[RosterRow] = []
    n = 1
    for i, unit in enumerate(SEED_UNITS, start=1):
        short = short_name(unit)
        for role, tag, title in (("联络员", "liaison", "科长"), ("分管领导", "leader", "副局长")):
            rows.append(
                RosterRow(
                    n,
                    unit,
                    f"{short}{role}（演示）",
                    title if unit.startswith("区") else ("科员" if tag == "liaison" else "副主任"),
                    role,
                    f"demo-u{i:02d}-{tag}",
                    "",
                    f"1390000{i:02d}{1 if tag == 'liaison' else 2:02d}",
                )
            )
            n += 1
    health = SEED_UNITS[0]
    for account, name, title, role in (
        (DEMO_OFFICE, "职业健康科工作人员（演示）", "职业健康科科员", "办公室"),
        (DEMO_DIRECTOR, "办公室主任（演示）", "联席会议办公室主任", "办公室"),
        (DEMO_CONVENER, "召集人（演示）", "区卫健委主任", "召集人"),
    ):
        rows.append(RosterRow(n, health, name, title, role, account, "", ""))
        n += 1
    return rows


def seed_demo(session: Session, now: datetime) -> ImportResult | None:
    """Fill an empty roster with the demo units and people; None if the roster has data."""
    if session.scalar(select(func.count()).select_from(Unit)):
        return None
    return apply_rows(session, demo_rows(), now, demo=True)


Sections = tuple[str, str, str]  # 工作动态, 主要活动, 重大事项进展


def seed_reports(
    session: Session,
    periods: Iterable,
    texts: Mapping[int, Sections],
    *,
    tz: tzinfo,
    filed_by: int | None,
    missing: Callable[[int, int], bool] = lambda unit_id, month: False,
    late_days: Callable[[int], int] = lambda unit_id: 0,
) -> None:
    """File monthly reports for the units in `texts` (unit id → sections), each month of
    `periods` on the 28th at 10:00, for the bulletin's picture (docs/render_bulletin.py) and its
    benchmark (bench/bench_bulletin.py). `missing(unit_id, month index)` leaves a month out;
    `late_days(unit_id)` files that many days later."""
    for unit_id, (work, activities, progress) in texts.items():
        for index, period in enumerate(periods):
            if missing(unit_id, index):
                continue
            filed = datetime(period.year, period.month, 28, 10, tzinfo=tz)
            filed += timedelta(days=late_days(unit_id))
            session.add(
                MonthlyReport(
                    unit_id=unit_id,
                    period=str(period),
                    version=1,
                    first_filed_at=filed,
                    filed_at=filed,
                    filed_by=filed_by,
                    late=False,
                    work_dynamics=work,
                    main_activities=activities,
                    major_progress=progress,
                )
            )
    session.commit()
