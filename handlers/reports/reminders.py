"""Reminders that chase only the units that have not filed, each round exactly once.

The job is a reconciler: every run it looks at the clock, finds the rounds that are due and still
make sense (a round is dropped once the next one is due, so a scheduler that was down sends only
the latest missed round, late, once), and queues one message per person with a key
`reports:remind:<YYYY-MM>:<kind>:u<unit id>`. The outbox's unique key turns a second run, a
restart or a second scheduler into a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.core import Context, Incoming, Role, command, command_args, job, split_args
from handlers.reports import text as T
from handlers.reports.args import refuse_extra, split_period
from handlers.reports.calendar import Period, Reminder, ReportSchedule
from handlers.workdays import warn_missing_years
from storage.reports import filed_unit_ids
from storage.roster import holders_by_unit, member_units

CHASE_USAGE = "催报 [YYYY-MM]"


@dataclass(frozen=True)
class Chased:
    units: int = 0  # units without a report
    people: int = 0  # their liaison officers (and leaders) reached by this round
    queued: int = 0  # messages newly queued (0 when this round already went)


def filing_command(schedule: ReportSchedule, period: Period, now) -> str:
    """What a liaison officer sends to file `period`: plain 月报 only if that is its default."""
    return "月报" if period == schedule.current_period(now) else f"月报 {period}"


def chase(
    ctx: Context, schedule: ReportSchedule, period: Period, kind: str, leaders: bool, template: str
) -> Chased:
    """Queue one round to every unit without a report."""
    filed = filed_unit_ids(ctx.session, str(period))
    roles = (Role.LIAISON, Role.LEADER) if leaders else (Role.LIAISON,)
    holders = holders_by_unit(ctx.session, roles)
    deadline = schedule.deadline(period)
    command_text = filing_command(schedule, period, ctx.now)
    units = people = queued = 0
    for unit in member_units(ctx.session):
        if unit.id in filed:
            continue
        recipients = []
        for role in roles:
            recipients += [p for p in holders[unit.id][role] if p not in recipients]
        text = template.format(
            period=period.label,
            deadline=deadline,
            unit=unit.name,
            n=schedule.deadline_n,
            command=command_text,
        )
        units, people = units + 1, people + len(recipients)
        queued += ctx.push(recipients, text, key=f"reports:remind:{period}:{kind}:u{unit.id}")
    return Chased(units, people, queued)


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


@command("催报", roles={Role.OFFICE}, usage=CHASE_USAGE)
def chase_now(msg: Incoming, ctx: Context) -> str:
    """立即提醒尚未报送月报的单位（逾期后同时提醒分管领导）。"""
    period, rest = split_period(split_args(command_args(msg)), ctx.local().date())
    refuse_extra(rest, CHASE_USAGE)
    schedule = ReportSchedule(ctx)
    period = period or schedule.current_period(ctx.now)
    if not schedule.is_open(period, ctx.now):
        return T.CHASE_NOT_OPEN.format(period=period.label, opens=schedule.opens_on(period))
    overdue = ctx.local().date() > schedule.deadline(period)
    kind = f"manual{ctx.local():%Y%m%d%H%M}"
    done = chase(ctx, schedule, period, kind, overdue, T.REMIND["manual"])
    warn_missing_years(ctx, schedule.workdays)
    if not done.units:
        return T.CHASED_NONE.format(period=period.label)
    if not done.people:
        return T.CHASED_NOBODY.format(period=period.label, units=done.units)
    if not done.queued:
        return T.CHASED_AGAIN.format(period=period.label, units=done.units)
    return T.CHASED.format(units=done.units, people=done.queued, period=period.label)
