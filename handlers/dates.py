"""How a date or a moment is written in a message: `11月23日`, `2027年1月20日`, `11月23日 9:05`.

One writer for every domain, so a deadline reads the same in a reminder, a case and a meeting:
no leading zeros, and the year only when it is not the reader's current year (a December
deadline read in January says which January it means).
"""

from __future__ import annotations

from datetime import date, datetime


def _today(today: date | datetime | None) -> date | None:
    return today.date() if isinstance(today, datetime) else today


def day(d: date | datetime, today: date | datetime | None = None) -> str:
    """`11月23日`; `2027年1月20日` when `d` is not in `today`'s year (or `today` is not given)."""
    if isinstance(d, datetime):
        d = d.date()
    current = _today(today)
    if current is not None and d.year == current.year:
        return f"{d.month}月{d.day}日"
    return f"{d.year}年{d.month}月{d.day}日"


def moment(dt: datetime, now: datetime | None = None) -> str:
    """`11月23日 9:05` (in `now`'s timezone when both are aware); the year as in `day`."""
    if now is not None and dt.tzinfo is not None and now.tzinfo is not None:
        dt = dt.astimezone(now.tzinfo)
    return f"{day(dt, now)} {dt.hour}:{dt.minute:02d}"


def full_day(d: date | datetime) -> str:
    """`2026年11月23日` always: documents, where the year is part of the record."""
    return day(d, None)


def clock(dt: datetime) -> str:
    """`9:05`: the time of day without a leading zero on the hour."""
    return f"{dt.hour}:{dt.minute:02d}"
