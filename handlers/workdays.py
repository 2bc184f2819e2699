"""Working days as the Chinese government counts them: public holidays and make-up weekends.

chinese-calendar knows the years the State Council has announced; later years come from the
office's own import (`liaison holidays import`). Until a year is loaded, weekends alone count and
the office is warned once per year.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import chinese_calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.calendar import CalendarDay, CalendarYear
from storage.roster import people_with_role

HOLIDAY_HEADER = ["日期", "名称", "类型"]


class WorkCalendar:
    """Answers "is this a working day?"; one instance per transaction, caching by year."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._overrides: dict[int, dict[date, bool]] = {}
        self.missing_years: set[int] = set()

    def _year(self, year: int) -> dict[date, bool] | None:
        if year not in self._overrides:
            loaded = self.session.get(CalendarYear, year) is not None
            rows = self.session.scalars(select(CalendarDay).where(CalendarDay.year == year))
            days = {r.day: r.is_workday for r in rows}
            self._overrides[year] = days if loaded else None  # type: ignore[assignment]
        return self._overrides[year]

    def is_workday(self, day: date) -> bool:
        loaded = self._year(day.year)
        if loaded is not None:
            return loaded.get(day, day.weekday() < 5)
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            self.missing_years.add(day.year)
            return day.weekday() < 5

    def knows(self, year: int) -> bool:
        if self._year(year) is not None:
            return True
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            return False
        return True

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after `start` (n >= 1); n = 0 gives `start` itself."""
        day, counted = start, 0
        while counted < n:
            day += timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return day

    def nth_workday_of_month(self, year: int, month: int, n: int) -> date:
        day = date(year, month, 1) - timedelta(days=1)
        return self.add_workdays(day, n)

    def workdays_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative if end < start)."""
        if end < start:
            return -self.workdays_between(end, start)
        return sum(
            1 for i in range(1, (end - start).days + 1) if self.is_workday(start + timedelta(i))
        )


def warn_missing_years(ctx, calendar: WorkCalendar) -> None:
    """Tell the office once per year that its holidays are not loaded yet."""
    from handlers.core import Role

    for year in sorted(calendar.missing_years):
        ctx.push(
            people_with_role(ctx.session, Role.OFFICE),
            f"提醒：{year}年的法定节假日和调休安排尚未导入，系统暂按周一至周五计算工作日。"
            f"请在国务院办公厅发布通知后，用 liaison holidays import 导入。",
            key=f"calendar-missing:{year}",
        )


def parse_holiday_file(text: str) -> list[tuple[date, str, bool]]:
    """Rows `日期,名称,类型` with 类型 休 (holiday) or 班 (make-up working day).

    Raises ValueError naming the first bad line; nothing is returned half-parsed.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows = list(reader)
    if not rows or [c.strip() for c in rows[0]] != HOLIDAY_HEADER:
        raise ValueError(f"第1行应为表头：{','.join(HOLIDAY_HEADER)}")
    out: list[tuple[date, str, bool]] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != 3:
            raise ValueError(f"第{number}行：应有3列（日期,名称,类型）")
        raw_day, name, kind = (c.strip() for c in row)
        try:
            day = date.fromisoformat(raw_day)
        except ValueError:
            raise ValueError(f"第{number}行：日期「{raw_day}」无效，应为 YYYY-MM-DD") from None
        if kind not in ("休", "班"):
            raise ValueError(f"第{number}行：类型「{kind}」无效，应为 休 或 班")
        out.append((day, name, kind == "班"))
    if not out:
        raise ValueError("文件中没有日期")
    return out


def import_holidays(session: Session, rows: list[tuple[date, str, bool]], source: str) -> list[int]:
    """Replace the listed years' overrides; returns the years loaded."""
    years = sorted({d.year for d, _, _ in rows})
    for year in years:
        for old in session.scalars(select(CalendarDay).where(CalendarDay.year == year)):
            session.delete(old)
        session.merge(CalendarYear(year=year, source=source))
    session.flush()
    for day, name, is_workday in rows:
        session.add(CalendarDay(day=day, name=name, is_workday=is_workday, year=day.year))
    session.flush()
    return years
