"""What the reports look like to the people allowed to see them.

A liaison officer or leader sees only their own unit's report; the office sees every unit's, the
month's status (按时 / 迟交 / 未报) and the yearly timeliness record for the annual assessment.
"""

from __future__ import annotations

from handlers.core import (
    Context,
    Incoming,
    Reply,
    Role,
    UserError,
    command,
    command_args,
    split_args,
)
from handlers.dates import day, moment
from handlers.reports import text as T
from handlers.reports.args import refuse_extra, render_sections, split_period, visible_unit
from handlers.reports.calendar import Period, ReportSchedule
from handlers.reports.status import UnitMonth, classify, counts, month_status
from handlers.reports.xlsx import build_assessment
from handlers.workdays import warn_missing_years
from storage.documents import save_document
from storage.reports import find_report, versions_of
from storage.roster import Person


def _period_and_schedule(ctx: Context, msg: Incoming) -> tuple[Period, ReportSchedule, list[str]]:
    period, rest = split_period(split_args(command_args(msg)), ctx.local().date())
    schedule = ReportSchedule(ctx)
    period = period or schedule.current_period(ctx.now)
    schedule.check_reportable(period, ctx.now)
    return period, schedule, rest


def _month_only(ctx: Context, msg: Incoming, usage: str) -> tuple[Period, ReportSchedule]:
    period, schedule, rest = _period_and_schedule(ctx, msg)
    refuse_extra(rest, usage)
    return period, schedule


SHOW_USAGE = "月报 查看 [YYYY-MM]（办公室加单位名，如 月报 查看 2026-11 区人社局）"
SUMMARY_USAGE = "月报 汇总 [YYYY-MM]"
STATUS_USAGE = "报送情况 [YYYY-MM]"


@command("月报 查看", roles={Role.LIAISON, Role.LEADER, Role.OFFICE}, usage=SHOW_USAGE)
def show_report(msg: Incoming, ctx: Context) -> str:
    """查看本单位某月的月报（办公室可加单位名查看任一单位）。"""
    period, schedule, rest = _period_and_schedule(ctx, msg)
    unit = visible_unit(ctx, rest, SHOW_USAGE)
    deadline = schedule.deadline(period)
    warn_missing_years(ctx, schedule.workdays)
    report = find_report(ctx.session, unit.id, str(period))
    if report is None:
        return T.NOT_FILED.format(
            unit=unit.name, period=period.label, deadline=day(deadline, ctx.local())
        )
    cell = classify(schedule, unit, period, report)
    person = ctx.session.get(Person, report.filed_by)
    head = T.VIEW_HEAD.format(
        unit=unit.name,
        period=period.label,
        version=report.version,
        status=_status_text(cell),
        person=person.name if person else "",
        filed=moment(report.filed_at, ctx.local()),
    )
    lines = [head, render_sections(report.sections())]
    older = versions_of(ctx.session, report.id)[:-1]
    if older:
        listed = "；".join(f"第{v.version}版 {moment(v.filed_at, ctx.local())}" for v in older)
        lines.append(T.VIEW_VERSIONS.format(versions=listed))
    return "\n".join(lines)


def _status_text(cell: UnitMonth) -> str:
    return f"{cell.status}{cell.late_days}天" if cell.late_days else cell.status


@command("月报 汇总", roles={Role.OFFICE}, usage=SUMMARY_USAGE)
def summarize_month(msg: Incoming, ctx: Context) -> str:
    """查看某月全部单位的月报，按单位分组。"""
    period, schedule = _month_only(ctx, msg, SUMMARY_USAGE)
    cells = month_status(ctx.session, schedule, period)
    warn_missing_years(ctx, schedule.workdays)
    filed = [c for c in cells if c.report is not None]
    missing = [c.unit.name for c in cells if c.report is None]
    lines = [
        T.SUMMARY_HEAD.format(
            period=period.label,
            deadline=day(schedule.deadline(period), ctx.local()),
            filed=len(filed),
            missing=len(missing),
        )
    ]
    for number, cell in enumerate(filed, start=1):
        lines.append(f"\n{number}. {cell.unit.name}（{_status_text(cell)}）")
        lines.append(render_sections(cell.report.sections()))
    if missing:
        lines.append("\n" + T.SUMMARY_MISSING.format(units="、".join(missing)))
    return "\n".join(lines)


@command("报送情况", roles={Role.OFFICE}, usage=STATUS_USAGE)
def submission_status(msg: Incoming, ctx: Context) -> str:
    """查看某月各单位月报按时、迟交、未报情况。"""
    period, schedule = _month_only(ctx, msg, STATUS_USAGE)
    cells = month_status(ctx.session, schedule, period)
    deadline = schedule.deadline(period)
    warn_missing_years(ctx, schedule.workdays)
    due = ctx.local().date() > deadline
    total = counts(cells)
    lines = [
        T.STATUS_HEAD.format(
            period=period.label,
            deadline=day(deadline, ctx.local()),
            note="" if due else T.STATUS_NOT_DUE,
        ),
        T.STATUS_COUNTS.format(
            on_time=total[T.ON_TIME],
            late=total[T.LATE],
            missing=total[T.MISSING],
            total=len(cells),
        ),
    ]
    for status in (T.ON_TIME, T.LATE, T.MISSING):
        names = [
            f"{c.unit.name}（迟{c.late_days}天）" if c.late_days else c.unit.name
            for c in cells
            if c.status == status
        ]
        if names:
            lines.append(f"{status}（{len(names)}）：{'、'.join(names)}")
    return "\n".join(lines)


@command("月报 考核", roles={Role.OFFICE}, usage="月报 考核 YYYY")
def assessment_record(msg: Incoming, ctx: Context) -> Reply:
    """生成某年各单位月报报送考核表（.xlsx），供年度考核使用。"""
    args = split_args(command_args(msg))
    raw = args[0].rstrip("年") if args else str(ctx.local().year)
    if not raw.isdigit() or not 2000 <= int(raw) <= ctx.local().year:
        raise UserError(T.ASSESS_BAD_YEAR.format(text=raw[:20]))
    year = int(raw)
    schedule = ReportSchedule(ctx)
    record = build_assessment(ctx, schedule, year)
    warn_missing_years(ctx, schedule.workdays)
    if record is None:
        raise UserError(T.ASSESS_NONE.format(year=year))
    content, periods, units = record
    doc = save_document(
        ctx.session,
        ctx.files_root,
        kind="考核表",
        subject=f"月报{year}",
        filename=f"{year}年月报报送考核表.xlsx",
        content=content,
        now=ctx.now,
        created_by=ctx.sender.person.id if ctx.sender.person else None,
    )
    text = T.ASSESS_DONE.format(
        year=year, units=units, months=len(periods), first=periods[0].label, last=periods[-1].label
    )
    return Reply(text=text, documents=[doc.id])
