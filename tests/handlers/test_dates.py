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


OFFICE = "demo-office"
RS = "demo-u09-liaison"  # 区人社局


def test_followup_deadlines_carry_the_year_only_across_new_year(bot):
    bot.clock.set(datetime(2026, 12, 21, 9, 0, tzinfo=TZ))
    near = bot.send(OFFICE, "督办 新建 整改台账；牵头 区人社局；期限 2026-12-31")
    assert "期限12月31日" in near and "2026年" not in near, near
    far = bot.send(OFFICE, "督办 新建 年度总结；牵头 区人社局；期限 2027-01-15")
    assert "期限2027年1月15日" in far, far
    assigned = [p.text for p in bot.pushes() if p.to == RS and "【督办】" in p.text]
    assert any("办理期限：12月31日" in t for t in assigned), assigned
    assert any("办理期限：2027年1月15日" in t for t in assigned), assigned

    bot.clock.set(datetime(2027, 1, 4, 9, 0, tzinfo=TZ))
    board = bot.send(OFFICE, "督办 情况")
    assert "（期限1月15日）" in board and "（期限2026年12月31日）" in board, board
    # the stored record is read at any time: it keeps the year whatever the day
    record = bot.send(OFFICE, "督办 查看 DB1")
    assert "期限2026年12月31日" in record.split("办理记录：")[1], record


def test_a_referral_slip_says_which_january_it_means(bot):
    from tests.handlers.referrals.support import file_report

    bot.clock.set(datetime(2026, 12, 21, 9, 0, tzinfo=TZ))
    number, _code = file_report(bot)
    bot.send(OFFICE, f"受理 {number}")
    bot.pushes()
    answer = bot.send(OFFICE, f"转办 {number} 区人社局 20")
    assert "签收期限12月22日，反馈期限2027年1月" in answer, answer
    slip = [p.text for p in bot.pushes() if p.to == RS and "【转办单】" in p.text]
    assert len(slip) == 1 and "签收期限：12月22日　反馈期限：2027年1月" in slip[0], slip
    history = bot.send(OFFICE, f"案件 {number}")
    assert "签收期限2026年12月22日" in history, history  # the case log keeps the year


def test_an_opinion_round_due_next_year_says_so_and_its_reminder_does_not(bot):
    bot.clock.set(datetime(2026, 12, 28, 9, 0, tzinfo=TZ))
    event = "舆情 地点 某省某市；行业 石材加工；事件 多名工人被诊断为矽肺；期限 2027-01-08"
    answer = bot.send(OFFICE, event)
    assert "于2027年1月8日前报送" in answer, answer
    notices = [p.text for p in bot.pushes() if "【舆情 YQ1】" in p.text]
    assert notices and all("于2027年1月8日前回复" in t for t in notices)
    bot.clock.set(datetime(2027, 1, 8, 9, 30, tzinfo=TZ))
    bot.run_job("monitoring.opinion_remind")
    reminders = [p.text for p in bot.pushes() if "调查摸底今天" in p.text]
    assert reminders and all("今天（1月8日）截止" in t for t in reminders), reminders
