"""The reporting calendar in Chinese working days: a deadline across the National Day holiday and
its make-up Saturday, and December's deadline in 2027 before and after the office imports 2027."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from handlers.core import Context, UserError
from handlers.reports.calendar import Period, Quarter, ReportSchedule
from handlers.workdays import import_holidays, parse_holiday_file
from tests.support import TZ

# A made-up 2027 notice for the test (the real one is not published in the product's world yet):
# New Year's Day Friday 1 January plus Monday 4 January off, Saturday 9 January worked instead.
HOLIDAYS_2027 = "日期,名称,类型\n2027-01-01,元旦,休\n2027-01-04,元旦,休\n2027-01-09,元旦调休,班\n"


def schedule(session, options: dict | None = None) -> ReportSchedule:
    ctx = Context(
        session=session, now=datetime(2026, 11, 23, 9, tzinfo=TZ), tz=TZ, options=options or {}
    )
    return ReportSchedule(ctx)


def test_deadline_across_national_day_counts_the_make_up_saturday(bot):
    # 1–7 Oct 2026 are 国庆 holidays; Saturday 10 Oct is a make-up working day.
    with bot.session() as session:
        sched = schedule(session)
        assert sched.deadline(Period(2026, 9)) == date(2026, 10, 13)  # 8, 9, 10(Sat), 12, 13
        rounds = {r.kind: r.at for r in sched.reminders(Period(2026, 9))}
    assert rounds["before"] == datetime(2026, 10, 10, 9, tzinfo=TZ)  # the make-up Saturday
    assert rounds["overdue"] == datetime(2026, 10, 14, 9, tzinfo=TZ)
    assert rounds["open"] == datetime(2026, 9, 20, 9, tzinfo=TZ)


def test_filing_on_the_national_day_deadline_is_on_time_and_the_day_after_late(bot):
    bot.clock.set(datetime(2026, 10, 13, 18, 0, tzinfo=TZ))
    bot.send("demo-u09-liaison", "月报 2026-09 工作动态：甲；主要活动：乙；重大事项进展：丙")
    assert "按时" in bot.send("demo-u09-liaison", "确认")
    bot.clock.set(datetime(2026, 10, 14, 8, 0, tzinfo=TZ))
    bot.send("demo-u04-liaison", "月报 2026-09 工作动态：甲；主要活动：乙；重大事项进展：丙")
    assert "迟交" in bot.send("demo-u04-liaison", "确认")
    status = bot.send("demo-office", "报送情况 2026-09")
    assert "截止10月13日" in status and "按时 1 · 迟交 1 · 未报 30" in status


def test_options_change_the_window_and_the_deadline(bot):
    options = {
        "LIAISON_REPORT_OPEN_DAY": "25",
        "LIAISON_REPORT_DEADLINE_WORKDAY": "3",
        "LIAISON_REPORT_REMIND_HOUR": "8",
    }
    with bot.session() as session:
        sched = schedule(session, options)
        assert sched.deadline(Period(2026, 11)) == date(2026, 12, 3)
        assert sched.reminders(Period(2026, 11))[0].at == datetime(2026, 11, 25, 8, tzinfo=TZ)
        assert sched.current_period(datetime(2026, 11, 23, 9, tzinfo=TZ)) == Period(2026, 10)


def test_december_deadline_without_2027_counts_weekends_and_warns_the_office_once(
    bot, calendar_ends_2026
):
    bot.clock.set(datetime(2026, 12, 20, 9, 0, tzinfo=TZ))
    for _ in range(2):
        bot.run_jobs()
    status = bot.send("demo-office", "报送情况 2026-12")
    assert "截止2027年1月7日" in status  # Fri 1, Mon 4 … Thu 7: weekdays only
    bot.clock.advance(days=1)
    bot.run_jobs()
    warnings = [p for p in bot.pushes() if (p.dedupe_key or "").startswith("calendar-missing:2027")]
    assert sorted(p.to for p in warnings) == ["demo-director", "demo-office"]
    assert "2027年的法定节假日" in warnings[0].text


def test_december_deadline_after_importing_2027_follows_the_notice(bot):
    with bot.session() as session, session.begin():
        import_holidays(session, parse_holiday_file(HOLIDAYS_2027), source="国办发明电〔2026〕x号")
    bot.clock.set(datetime(2026, 12, 20, 9, 0, tzinfo=TZ))
    bot.run_jobs()
    # Working days: 5, 6, 7, 8 and the make-up Saturday 9 January (1 and 4 January are off).
    assert "截止2027年1月9日" in bot.send("demo-office", "报送情况 2026-12")
    assert not [p for p in bot.pushes() if (p.dedupe_key or "").startswith("calendar-missing")]


def test_months_and_quarters_parse_or_answer_in_chinese():
    assert Period.parse("2026-11") == Period(2026, 11) == Period.parse("2026年11月")
    assert Period(2026, 12).next() == Period(2027, 1) and Period(2027, 1).prev() == Period(2026, 12)
    assert Quarter.parse("2026Q3").periods() == [Period(2026, m) for m in (7, 8, 9)]
    assert Quarter.parse("2026年第四季度") == Quarter(2026, 4)
    for bad in ("2026-13", "2026-00", "11月", "abc"):
        with pytest.raises(UserError, match="无效"):
            Period.parse(bad)
    with pytest.raises(UserError, match="无效"):
        Quarter.parse("2026Q5")
