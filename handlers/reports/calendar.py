"""The reporting calendar: month periods, quarters, the window and the deadline in working days.

The period is the calendar month. Its window opens on a configurable day of the month and the
deadline is the Nth working day of the next month, counted with Chinese public holidays and make-up
working weekends (handlers.workdays). Reminder moments and how long each still makes sense are
derived here, so the reminder job only compares them with the clock.
"""

from __future__ import annotations

import calendar as pycalendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from handlers.core import Context, UserError
from handlers.reports import text as T
from handlers.workdays import WorkCalendar

_PERIOD = re.compile(r"^(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*月?$")
_QUARTER = re.compile(r"^(\d{4})\s*(?:-?\s*[Qq]|年\s*第?)\s*([1-4一二三四])\s*(?:季度)?$")
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


@dataclass(frozen=True, order=True)
class Period:
    """One reporting month."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        """`2026-11` (also 2026年11月, 2026/11); a month that does not exist is a UserError."""
        match = _PERIOD.match(text.strip())
        if not match:
            raise UserError(T.BAD_PERIOD.format(text=text.strip()[:20]))
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12 or not 2000 <= year <= 2100:
            raise UserError(T.BAD_PERIOD.format(text=text.strip()[:20]))
        return cls(year, month)

    @classmethod
    def of(cls, day: date) -> Period:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"

    def next(self) -> Period:
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    def prev(self) -> Period:
        return Period(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def days(self) -> int:
        return pycalendar.monthrange(self.year, self.month)[1]


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """`2026Q3` (also 2026-Q3, 2026年第三季度)."""
        match = _QUARTER.match(text.strip())
        if not match:
            raise UserError(T.BAD_QUARTER.format(text=text.strip()[:20]))
        raw = match[2]
        return cls(int(match[1]), _CN_DIGITS.get(raw) or int(raw))

    @classmethod
    def of(cls, period: Period) -> Quarter:
        return cls(period.year, (period.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def label(self) -> str:
        return f"{self.year}年第{'一二三四'[self.number - 1]}季度"

    def periods(self) -> list[Period]:
        first = (self.number - 1) * 3 + 1
        return [Period(self.year, m) for m in range(first, first + 3)]


@dataclass(frozen=True)
class Reminder:
    """One round of reminders for a period: when it is due and until when it still makes sense."""

    kind: str  # open / before / due / overdue
    at: datetime
    until: datetime
    leaders: bool = False


class ReportSchedule:
    """The window and deadline of each period, from the options and the working-day calendar."""

    def __init__(self, ctx: Context, workdays: WorkCalendar | None = None) -> None:
        self.tz = ctx.tz
        self.workdays = workdays or WorkCalendar(ctx.session)
        self.open_day = min(max(ctx.option_int("LIAISON_REPORT_OPEN_DAY", 20), 1), 28)
        self.deadline_n = min(max(ctx.option_int("LIAISON_REPORT_DEADLINE_WORKDAY", 5), 1), 20)
        self.hour = min(max(ctx.option_int("LIAISON_REPORT_REMIND_HOUR", 9), 0), 23)
        self._deadlines: dict[Period, date] = {}
        first = ctx.option("LIAISON_REPORT_FIRST_PERIOD", "")
        self.first: Period | None = Period.parse(first) if first else None

    def opens_on(self, period: Period) -> date:
        return date(period.year, period.month, self.open_day)

    def deadline(self, period: Period) -> date:
        """The last day on which a filing still counts as on time."""
        if period not in self._deadlines:
            nxt = period.next()
            day = self.workdays.nth_workday_of_month(nxt.year, nxt.month, self.deadline_n)
            self._deadlines[period] = day
        return self._deadlines[period]

    def moment(self, day: date) -> datetime:
        return datetime.combine(day, time(self.hour), tzinfo=self.tz)

    def check_reportable(self, period: Period, now: datetime) -> None:
        """Refuse a month before the first tracked one or more than one month ahead: such a
        month is a typo (2025 for 2026, 12 for 2), and filing it would go unseen."""
        latest = Period.of(now.astimezone(self.tz).date()).next()
        if self.first is not None and period < self.first:
            raise UserError(T.BEFORE_FIRST.format(period=period.label, first=self.first.label))
        if period > latest:
            raise UserError(T.TOO_FAR.format(period=period.label, latest=latest.label))

    def is_open(self, period: Period, now: datetime) -> bool:
        return now.astimezone(self.tz).date() >= self.opens_on(period)

    def late_days(self, period: Period, filed_at: datetime) -> int:
        """Calendar days after the deadline (0 = on time)."""
        return max((filed_at.astimezone(self.tz).date() - self.deadline(period)).days, 0)

    def current_period(self, now: datetime) -> Period:
        """The latest month whose window has opened: the one a filing is for by default."""
        today = now.astimezone(self.tz).date()
        period = Period.of(today)
        return period if today >= self.opens_on(period) else period.prev()

    def workdays_before(self, day: date, n: int) -> date:
        counted = 0
        while counted < n:
            day -= timedelta(days=1)
            counted += self.workdays.is_workday(day)
        return day

    def reminders(self, period: Period) -> list[Reminder]:
        """Each round with the moment it becomes stale (the next round supersedes it)."""
        deadline = self.deadline(period)
        opens = self.moment(self.opens_on(period))
        before = self.moment(self.workdays_before(deadline, 2))
        due = self.moment(deadline)
        overdue = self.moment(self.workdays.add_workdays(deadline, 1))
        end_of_deadline = datetime.combine(deadline + timedelta(days=1), time(), tzinfo=self.tz)
        next_opens = self.moment(self.opens_on(period.next()))
        rounds = [Reminder("open", opens, before if before > opens else due)]
        if opens < before < due:
            rounds.append(Reminder("before", before, due))
        rounds.append(Reminder("due", due, end_of_deadline))
        overdue_until = next_opens if next_opens > overdue else overdue + timedelta(days=1)
        rounds.append(Reminder("overdue", overdue, overdue_until, leaders=True))
        return rounds
