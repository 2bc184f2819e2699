"""Reminders before an item's deadline and the overdue notice to the lead unit's 分管领导.

Each goes once: the outbox key carries the item, the stage and the deadline, and the overdue
notice also writes a keyed history line. Reminders: at 09:00 three working days before the deadline
and on its day; the overdue notice at 09:00 of the working day after it. An item awaiting the
office's review (已申请办结) is not chased.
"""

from __future__ import annotations

from datetime import date

from handlers.core import Context, Role, job
from handlers.followup import common as c
from handlers.followup import text as T
from handlers.workdays import warn_missing_years
from storage import followup as st

HOUR = 9
BEFORE_DAYS = 3


def workdays_before(cal, due: date, n: int) -> date:
    """The working day n working days before `due`."""
    day = due
    for _ in range(n):
        day = day.fromordinal(day.toordinal() - 1)
        while not cal.is_workday(day):
            day = day.fromordinal(day.toordinal() - 1)
    return day


@job("followup.deadlines", trigger="interval", minutes=10)
def watch_items(ctx: Context) -> None:
    """Remind before, on and after each open item's deadline, once each."""
    cal = c.calendar(ctx)
    rows = st.items(ctx.session, st.FollowupItem.status == st.OPEN)
    done = st.event_keys(ctx.session, [i.id for i in rows])
    for item in rows:
        before = workdays_before(cal, item.due, BEFORE_DAYS)
        created = ctx.local(item.created_at).date()
        liaisons = c.people(ctx, [item.lead_unit_id], (Role.LIAISON,))[item.lead_unit_id]
        base = f"followup:{item.number}:{item.due}"
        if c.at_local(ctx, before, HOUR) <= ctx.now < c.at_local(ctx, item.due, HOUR):
            if created < before:
                left = cal.workdays_between(ctx.local().date(), item.due)
                ctx.push(liaisons, T.remind_before(item, left, ctx.today()), key=f"{base}:before")
        elif c.at_local(ctx, item.due, HOUR) <= ctx.now < c.end_of(ctx, item.due):
            ctx.push(liaisons, T.remind_due(item), key=f"{base}:due")
        elif ctx.now >= c.at_local(ctx, cal.add_workdays(item.due, 1), HOUR):
            key = f"{base}:overdue"
            if key not in done:
                _escalate(ctx, item, key)
    warn_missing_years(ctx, cal)


def _escalate(ctx: Context, item: st.FollowupItem, key: str) -> None:
    unit = c.people(ctx, [item.lead_unit_id], (Role.LEADER, Role.LIAISON))[item.lead_unit_id]
    ctx.push(unit + c.office(ctx), T.overdue_notice(item, ctx.today()), key=key)
    c.log(
        ctx, item, "超期", f"期限{T.full(item.due)}，已告知{item.lead_unit.name}分管领导", key=key
    )
