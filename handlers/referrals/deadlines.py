"""Working-day deadlines of a referral, and the job that reminds before them and escalates after.

签收 is due by the end of the first working day after 转办; 反馈 by the end of the N-th working
day after 转办 (15 by default, per hazard type configurable). Reminders: 签收 at 12:00 of its
due day, 反馈 at 09:00 of its due day; when a deadline has passed, the unit's liaison officers and
leaders in charge are told once, at 09:00 of the next working day. Every push carries a key made
of the case, the stage, the due date and the unit, so each goes exactly once, and an extended
deadline (or a new unit after 退回) gets reminders of its own.
"""

from __future__ import annotations

from datetime import date, datetime

from handlers.core import Context, job
from handlers.referrals import text as tx
from handlers.referrals.cases import (
    at_local,
    calendar,
    end_of,
    hazards_of,
    leaders,
    liaisons,
    log_event,
    unit_name,
)
from handlers.referrals.warning import recheck_recent
from handlers.workdays import WorkCalendar, warn_missing_years
from storage import referrals as st

DEFAULT_SIGN_DAYS = 1
DEFAULT_ANSWER_DAYS = 15
REMIND_HOUR = {"签收": 12, "反馈": 9}


def answer_days(ctx: Context, hazard: str) -> int:
    """LIAISON_REFERRAL_DAYS (default 15), overridden per hazard by LIAISON_REFERRAL_DAYS_BY_HAZARD
    such as "放射=10,化学毒物=10"; a case of several hazard types takes the shortest."""
    default = ctx.option_int("LIAISON_REFERRAL_DAYS", DEFAULT_ANSWER_DAYS)
    by_hazard: dict[str, int] = {}
    for item in ctx.option("LIAISON_REFERRAL_DAYS_BY_HAZARD", "").replace("，", ",").split(","):
        name, _, value = item.partition("=")
        if value.strip().isdigit():
            by_hazard[name.strip()] = int(value.strip())
    days = min(by_hazard.get(h, default) for h in hazards_of(hazard) or [hazard])
    return max(days, 1)


def set_deadlines(
    ctx: Context, case: st.ReferralCase, days: int | None = None, due: date | None = None
) -> None:
    """Deadlines counted in working days from the day of 转办, or the date the office set (a
    反馈 date earlier than the 签收 deadline brings that one forward too)."""
    cal = calendar(ctx)
    start = ctx.local().date()
    sign_days = max(ctx.option_int("LIAISON_REFERRAL_SIGN_DAYS", DEFAULT_SIGN_DAYS), 1)
    case.answer_due = due or cal.add_workdays(start, days or answer_days(ctx, case.hazard))
    case.sign_due = min(cal.add_workdays(start, sign_days), case.answer_due)
    warn_missing_years(ctx, cal)


def extend(ctx: Context, case: st.ReferralCase, days: int) -> date:
    cal = calendar(ctx)
    case.answer_due = cal.add_workdays(case.answer_due or ctx.local().date(), days)
    warn_missing_years(ctx, cal)
    return case.answer_due


def next_workday_morning(ctx: Context, cal: WorkCalendar, day: date) -> datetime:
    return at_local(ctx, cal.add_workdays(day, 1), 9)


def _stages(case: st.ReferralCase) -> list[tuple[str, date]]:
    stages = []
    if case.status == st.REFERRED and case.sign_due:
        stages.append(("签收", case.sign_due))
    if case.status in st.AT_UNIT and case.answer_due:
        stages.append(("反馈", case.answer_due))
    return stages


def _remind(ctx: Context, case: st.ReferralCase, stage: str, due: date) -> None:
    how = f"签收 {case.number}" if case.status == st.REFERRED else f"反馈 {case.number} 办理结果"
    text = f"【提醒】{case.number}（{case.employer}）的{stage}期限为{tx.day(due, ctx.today())}，请回复「{how}」。"
    key = f"referrals:remind:{case.number}:{stage}:{due}:u{case.unit_id}"
    ctx.push(liaisons(ctx, case.unit_id), text, key=key)


def _escalate(ctx: Context, case: st.ReferralCase, stage: str, due: date, key: str) -> None:
    unit = unit_name(ctx, case.unit_id)
    text = (
        f"【超期】{case.number}（{case.employer}）已超过{stage}期限（{tx.day(due, ctx.today())}），"
        f"承办单位：{unit}。请分管领导督促尽快办理。"
    )
    ctx.push(leaders(ctx, case.unit_id) + liaisons(ctx, case.unit_id), text, key=key)
    log_event(ctx, case, f"{stage}超期", f"期限{tx.full(due)}，已告知{unit}分管领导", key=key)


@job("referrals.deadlines", trigger="interval", minutes=10)
def watch_deadlines(ctx: Context) -> None:
    """Remind before each deadline and escalate after it, once each (keys make reruns no-ops);
    also re-check recent reports for clusters."""
    cal = calendar(ctx)
    cases = st.open_cases(ctx.session, st.AT_UNIT)
    escalated = st.event_keys(ctx.session, [c.id for c in cases])  # one query, not one a case
    for case in cases:
        for stage, due in _stages(case):
            if at_local(ctx, due, REMIND_HOUR[stage]) <= ctx.now < end_of(ctx, due):
                _remind(ctx, case, stage, due)
            elif ctx.now >= next_workday_morning(ctx, cal, due):
                key = f"referrals:overdue:{case.number}:{stage}:{due}:u{case.unit_id}"
                if key not in escalated:  # the history line and the pushes go together, once
                    _escalate(ctx, case, stage, due, key)
    recheck_recent(ctx)
    warn_missing_years(ctx, cal)


def remaining(ctx: Context, due: date | None) -> str:
    """'还剩N个工作日' or '已超期N个工作日' for the office's lists."""
    if due is None:
        return ""
    today = ctx.local().date()
    if ctx.now >= end_of(ctx, due):
        return f"已超期{max(calendar(ctx).workdays_between(due, today), 1)}个工作日"
    left = calendar(ctx).workdays_between(today, due)
    return "今日到期" if left <= 0 else f"还剩{left}个工作日"
