"""Reminders that chase only the units that have not filed, each round exactly once.

The job is a reconciler: every run it looks at the clock, finds the rounds that are due and still
make sense (a round is dropped once the next one is due, so a scheduler that was down sends only
the latest missed round, late, once), and queues one message per person with a key
`reports:remind:<YYYY-MM>:<kind>:u<unit id>`. The outbox's unique key turns a second run, a
restart or a second scheduler into a no-op.

`催报` is the office's own round, to every unfiled unit or to one (`催报 区人社局`); asked within
two hours of an automatic round, it says when that went out and waits for 确认.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from handlers.core import (
    Context,
    Conversation,
    Incoming,
    Role,
    UserError,
    command,
    command_args,
    flow,
    job,
    split_args,
)
from handlers.dates import day, moment
from handlers.reports import text as T
from handlers.reports.args import match_unit, refuse_extra, split_period
from handlers.reports.calendar import Period, Reminder, ReportSchedule
from handlers.workdays import warn_missing_years
from storage.outbox import OutboxMessage
from storage.reports import filed_unit_ids
from storage.roster import Unit, holders_by_unit, member_units

CHASE_USAGE = "催报 [YYYY-MM] [单位]"
CONFIRM_FLOW = "催报"
RECENT_ROUND = timedelta(hours=2)  # 催报 this soon after an automatic round asks first


@dataclass(frozen=True)
class Chased:
    units: int = 0  # units without a report
    people: int = 0  # their liaison officers (and leaders) reached by this round
    queued: int = 0  # messages newly queued (0 when this round already went)


def filing_command(schedule: ReportSchedule, period: Period, now) -> str:
    """What a liaison officer sends to file `period`: plain 月报 only if that is its default."""
    return "月报" if period == schedule.current_period(now) else f"月报 {period}"


def chase(
    ctx: Context,
    schedule: ReportSchedule,
    period: Period,
    kind: str,
    leaders: bool,
    template: str,
    units: list[Unit] | None = None,
) -> Chased:
    """Queue one round to every unit (of `units`, default all members) without a report."""
    filed = filed_unit_ids(ctx.session, str(period))
    roles = (Role.LIAISON, Role.LEADER) if leaders else (Role.LIAISON,)
    holders = holders_by_unit(ctx.session, roles)
    deadline = schedule.deadline(period)
    command_text = filing_command(schedule, period, ctx.now)
    chased = units if units is not None else member_units(ctx.session)
    units = people = queued = 0
    for unit in chased:
        if unit.id in filed:
            continue
        recipients = []
        for role in roles:
            recipients += [p for p in holders[unit.id][role] if p not in recipients]
        text = template.format(
            period=period.label,
            deadline=day(deadline, ctx.local()),
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


def last_automatic_round(ctx: Context, period: Period) -> datetime | None:
    """When the reminder job last queued a round for `period` (催报's own rounds not counted)."""
    stmt = select(func.max(OutboxMessage.created_at)).where(
        OutboxMessage.dedupe_key.like(f"reports:remind:{period}:%"),
        ~OutboxMessage.dedupe_key.like(f"reports:remind:{period}:manual%"),
    )
    return ctx.session.scalar(stmt)


def _chase_target(ctx: Context, words: list[str]) -> tuple[Period | None, Unit | None]:
    period, rest = split_period(words, ctx.local().date())
    unit = None
    if rest:
        unit = match_unit(rest[0], member_units(ctx.session))
        if unit is None:
            raise UserError(T.NO_UNIT.format(name=rest[0][:30]))
        rest = rest[1:]
    refuse_extra(rest, CHASE_USAGE)
    return period, unit


@command("催报", roles={Role.OFFICE}, usage=CHASE_USAGE)
def chase_now(msg: Incoming, ctx: Context) -> str:
    """立即提醒尚未报送月报的单位（可只催一个单位；逾期后同时提醒分管领导）。"""
    period, unit = _chase_target(ctx, split_args(command_args(msg)))
    schedule = ReportSchedule(ctx)
    period = period or schedule.current_period(ctx.now)
    schedule.check_reportable(period, ctx.now)
    if not schedule.is_open(period, ctx.now):
        opens = day(schedule.opens_on(period), ctx.local())
        return T.CHASE_NOT_OPEN.format(period=period.label, opens=opens)
    if unit is not None and unit.id in filed_unit_ids(ctx.session, str(period)):
        return T.CHASE_UNIT_FILED.format(unit=unit.name, period=period.label)
    last = last_automatic_round(ctx, period)
    if last is not None and ctx.now - last < RECENT_ROUND:
        data = {"period": str(period), "unit_id": unit.id if unit else None}
        ctx.start_conversation(CONFIRM_FLOW, "确认", **data)
        return T.CHASE_RECENT.format(when=moment(last, ctx.local()), period=period.label)
    return _chase_and_say(ctx, schedule, period, unit)


def _chase_and_say(
    ctx: Context, schedule: ReportSchedule, period: Period, unit: Unit | None
) -> str:
    overdue = ctx.local().date() > schedule.deadline(period)
    kind = f"manual{ctx.local():%Y%m%d%H%M}"
    units = [unit] if unit is not None else None
    done = chase(ctx, schedule, period, kind, overdue, T.REMIND["manual"], units)
    warn_missing_years(ctx, schedule.workdays)
    if not done.units:
        return T.CHASED_NONE.format(period=period.label)
    if not done.people:
        return T.CHASED_NOBODY.format(period=period.label, units=done.units)
    if not done.queued:
        return T.CHASED_AGAIN.format(period=period.label, units=done.units)
    return T.CHASED.format(units=done.units, people=done.queued, period=period.label)


def _confirm_prompt(ctx: Context, convo: Conversation) -> str:
    return T.CHASE_CONFIRM_HINT


@flow(CONFIRM_FLOW, timeout=timedelta(minutes=30), prompt=_confirm_prompt)
def confirm_chase(msg: Incoming, ctx: Context, convo: Conversation) -> str:
    """催报 asked whether to chase again right after an automatic round: 确认 sends it."""
    if msg.text.strip().rstrip("。.！!") not in ("确认", "确定", "是", "发送"):
        return T.CHASE_CONFIRM_HINT
    convo.end()
    unit_id = convo.data.get("unit_id")
    unit = ctx.session.get(Unit, unit_id) if unit_id else None
    return _chase_and_say(ctx, ReportSchedule(ctx), Period.parse(convo.data["period"]), unit)
