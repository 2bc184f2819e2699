"""Dates in messages: no leading zeros, the year only when it is not the reader's current one."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from handlers.dates import clock, day, full_day, moment
from tests.support import TZ


def test_day_drops_zeros_and_shows_another_year():
    today = date(2026, 11, 23)
    assert day(date(2026, 12, 7), today) == "12月7日"
    assert day(date(2027, 1, 20), today) == "2027年1月20日"
    assert day(date(2026, 1, 5), date(2027, 1, 4)) == "2026年1月5日"
    assert day(date(2026, 3, 1)) == full_day(date(2026, 3, 1)) == "2026年3月1日"


def test_moment_is_local_to_the_reader_and_keeps_minutes():
    now = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
    assert moment(datetime(2026, 11, 23, 9, 5, tzinfo=TZ), now) == "11月23日 9:05"
    utc = datetime(2026, 12, 31, 16, 30, tzinfo=ZoneInfo("UTC"))  # 00:30 on 1 Jan in Shanghai
    assert moment(utc, now) == "2027年1月1日 0:30"
    assert clock(datetime(2026, 11, 23, 14, 0)) == "14:00"


def test_reports_say_dates_the_same_way(bot):
    bot.clock.set(datetime(2026, 12, 20, 9, 0, tzinfo=TZ))
    start = bot.send("demo-u09-liaison", "月报")
    assert "截止2027年1月" in start and "截止01月" not in start
    bot.clock.set(datetime(2027, 1, 4, 9, 0, tzinfo=TZ))
    reply = bot.send("demo-u09-liaison", "月报 2027-01")
    assert "2027年1月的月报将于1月20日开放填报" in reply
