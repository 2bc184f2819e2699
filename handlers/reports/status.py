"""Who filed which month, and when: the one status model (按时 / 迟交 / 未报) behind the status
view, the bulletin's timeliness table and the yearly assessment record.

Status is computed from the first filing's time against the deadline as the calendar gives it now,
so importing a year's holidays later corrects the record instead of freezing an early guess.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from handlers.reports import text as T
from handlers.reports.calendar import Period, ReportSchedule
from storage.reports import MonthlyReport, reports_for
from storage.roster import Unit, member_units


@dataclass(frozen=True)
class UnitMonth:
    unit: Unit
    period: Period
    report: MonthlyReport | None
    status: str  # T.ON_TIME / T.LATE / T.MISSING / T.PENDING
    late_days: int = 0


def classify(
    schedule: ReportSchedule,
    unit: Unit,
    period: Period,
    report: MonthlyReport | None,
    today: date | None = None,
) -> UnitMonth:
    """With `today`, a month still open (deadline not passed) without a report is 未截止."""
    if report is None:
        pending = today is not None and today <= schedule.deadline(period)
        return UnitMonth(unit, period, None, T.PENDING if pending else T.MISSING)
    days = schedule.late_days(period, report.first_filed_at)
    return UnitMonth(unit, period, report, T.LATE if days else T.ON_TIME, days)


def status_grid(
    session: Session,
    schedule: ReportSchedule,
    periods: list[Period],
    units: Iterable[Unit] | None = None,
    today: date | None = None,
) -> list[list[UnitMonth]]:
    """One row per unit (roster order), one cell per period; a single query for the reports."""
    units = list(units) if units is not None else member_units(session)
    found = {(r.unit_id, r.period): r for r in reports_for(session, [str(p) for p in periods])}
    return [
        [classify(schedule, unit, p, found.get((unit.id, str(p))), today) for p in periods]
        for unit in units
    ]


def month_status(session: Session, schedule: ReportSchedule, period: Period) -> list[UnitMonth]:
    return [row[0] for row in status_grid(session, schedule, [period])]


def counts(cells: Iterable[UnitMonth]) -> dict[str, int]:
    out = {T.ON_TIME: 0, T.LATE: 0, T.MISSING: 0, T.PENDING: 0}
    for cell in cells:
        out[cell.status] += 1
    return out
