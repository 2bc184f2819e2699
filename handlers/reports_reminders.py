"""Reminders that chase only the units that have not filed, each round exactly once.

The job is a reconciler: every run it looks at the clock, finds the rounds that are due and still
make sense (a round is dropped once the next one is due, so a scheduler that was down sends only
the latest missed round, late, once), and queues one message per person with a key
`reports:remind:<YYYY-MM>:<kind>:u<unit id>`. The outbox's unique key turns a second run, a
restart or a second scheduler into a no-op.
"""

from __future__ import annotations

from handlers import reports_text as T
from handlers.core import Context, Incoming, Role, command, command_args, job, split_args
from handlers.reports_args import split_period
from handlers.reports_calendar import Period, Reminder, ReportSchedule
from handlers.workdays import warn_missing_years
from storage.reports import filed_unit_ids
from storage.roster import Person, Unit, holders, member_units


def recipients(ctx: Context, unit: Unit, leaders: bool) -> list[Person]:
    people = holders(ctx.session, unit.id, Role.LIAISON)
    if leaders:
        people += [p for p in holders(ctx.session, unit.id, Role.LEADER) if p not in people]
    return people


def chase(
    ctx: Context, schedule: ReportSchedule, period: Period, kind: str, leaders: bool, template: str
) -> tuple[int, int]:
    """Queue one round to every unit without a report; returns (units chased, messages queued)."""
    filed = filed_unit_ids(ctx.session, str(period))
    deadline = schedule.deadline(period)
    units = queued = 0
    for unit in member_units(ctx.session):
        if unit.id in filed:
            continue
        text = template.format(
            period=period.label, deadline=deadline, unit=unit.name, n=schedule.deadline_n
        )
        key = f"reports:remind:{period}:{kind}:u{unit.id}"
        units += 1
        queued += ctx.push(recipients(ctx, unit, leaders), text, key=key)
    return units, queued


def due_rounds(schedule: ReportSchedule, now) -> list[tuple[Period, Reminder]]:
    """The rounds whose time has come and that the next round has not yet superseded."""
    this = Period.of(now.astimezone(schedule.tz).date())
    periods = [this.prev().prev(), this.prev(), this]
    return [
        (period, reminder)
        for period in periods
        for reminder in schedule.reminders(period)
        if reminder.at <= now < reminder.until
    ]


@job("reports.remind", trigger="interval", minutes=10)
def remind_unfiled_units(ctx: Context) -> None:
    """Send the reminder rounds that are due, to the units that have not filed."""
    schedule = ReportSchedule(ctx)
    for period, reminder in due_rounds(schedule, ctx.now):
        chase(ctx, schedule, period, reminder.kind, reminder.leaders, T.REMIND[reminder.kind])
    warn_missing_years(ctx, schedule.workdays)


@command("催报", roles={Role.OFFICE}, usage="催报 [YYYY-MM]")
def chase_now(msg: Incoming, ctx: Context) -> str:
    """立即提醒尚未报送月报的单位（逾期后同时提醒分管领导）。"""
    period, _ = split_period(split_args(command_args(msg)))
    schedule = ReportSchedule(ctx)
    period = period or schedule.current_period(ctx.now)
    overdue = ctx.local().date() > schedule.deadline(period)
    kind = f"manual{ctx.local():%Y%m%d%H%M}"
    units, queued = chase(ctx, schedule, period, kind, overdue, T.REMIND["manual"])
    warn_missing_years(ctx, schedule.workdays)
    if not units:
        return T.CHASED_NONE.format(period=period.label)
    if not queued:
        return T.CHASED_AGAIN.format(period=period.label, units=units)
    return T.CHASED.format(units=units, people=queued, period=period.label)
