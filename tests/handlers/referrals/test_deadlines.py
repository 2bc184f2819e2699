"""Working-day deadlines across 中秋/国庆 2026 and its make-up weekend days, reminders once each.

chinese-calendar 2026: 9-25..9-27 中秋 (Fri-Sun), 10-1..10-7 国庆; make-up working days Sunday
9-20 and Saturday 10-10.
"""

from __future__ import annotations

from datetime import datetime

from tests.handlers.referrals.support import file_report, texts
from tests.support import TZ

OFFICE = "demo-office"
RS, RS_LEADER = "demo-u09-liaison", "demo-u09-leader"
YJ = "demo-u12-liaison"


def _refer(bot, unit: str = "区人社局", **report) -> str:
    number, _code = file_report(bot, **report)
    bot.send(OFFICE, f"受理 {number}")
    assert "已转办" in bot.send(OFFICE, f"转办 {number} {unit}")
    return number


def _at(bot, *when: int) -> list:
    """Move the clock, run the referral job, return what was delivered."""
    bot.clock.set(datetime(*when, tzinfo=TZ))
    bot.run_job("referrals.deadlines")
    return bot.pushes()


def test_sign_deadline_falls_on_the_make_up_sunday_and_escalates_once(bot):
    bot.clock.set(datetime(2026, 9, 18, 10, 0, tzinfo=TZ))  # Friday
    number = _refer(bot)
    (slip,) = [p for p in bot.pushes() if p.to == RS]
    assert "签收期限：9月20日" in slip.text  # Sunday, a make-up working day

    assert _at(bot, 2026, 9, 20, 11, 59) == []
    (reminder,) = _at(bot, 2026, 9, 20, 12, 0)
    assert (
        reminder.to == RS and "【提醒】" in reminder.text and "签收期限为9月20日" in reminder.text
    )
    assert _at(bot, 2026, 9, 20, 12, 10) == []

    assert _at(bot, 2026, 9, 21, 8, 59) == []
    assert number in bot.send(OFFICE, "超期")  # overdue from midnight; the notice waits for 09:00
    escalated = _at(bot, 2026, 9, 21, 9, 0)
    assert {p.to for p in escalated} == {RS, RS_LEADER}
    assert all("【超期】" in p.text and "签收期限" in p.text for p in escalated)
    assert _at(bot, 2026, 9, 21, 9, 10) == []
    assert _at(bot, 2026, 9, 22, 9, 0) == []
    assert "签收超期" in bot.send(OFFICE, f"案件 {number}")


def test_office_lists_overdue_first_then_nearest_deadline(bot):
    bot.clock.set(datetime(2026, 9, 18, 10, 0, tzinfo=TZ))
    late = _refer(bot)
    bot.clock.set(datetime(2026, 9, 21, 10, 0, tzinfo=TZ))
    waiting, _ = file_report(bot, employer="二七区某某印刷厂")
    soon = _refer(bot, "应急管理局", employer="郑州某某化工有限公司")
    listing = bot.send(OFFICE, "待办")
    assert "未办结举报3件，其中超期1件" in listing
    assert listing.index(late) < listing.index(soon) < listing.index(waiting)
    assert "已超期" in listing.splitlines()[1]
    overdue = bot.send(OFFICE, "超期")
    assert late in overdue and soon not in overdue and waiting not in overdue


def test_answer_deadline_spans_the_holidays_and_an_extension_gets_its_own_reminders(bot):
    bot.clock.set(datetime(2026, 9, 24, 10, 0, tzinfo=TZ))  # Thursday before 中秋
    number = _refer(bot)
    (slip,) = [p for p in bot.pushes() if p.to == RS]
    assert "签收期限：9月28日" in slip.text  # 9-25..27 are holidays
    assert "反馈期限：10月22日" in slip.text  # 国庆 skipped, Saturday 10-10 counted
    bot.clock.set(datetime(2026, 9, 28, 9, 30, tzinfo=TZ))
    bot.send(RS, f"签收 {number}")
    bot.pushes()

    assert _at(bot, 2026, 10, 22, 8, 59) == []
    (reminder,) = _at(bot, 2026, 10, 22, 9, 0)
    assert reminder.to == RS and "反馈期限为10月22日" in reminder.text
    assert _at(bot, 2026, 10, 22, 15, 0) == []

    bot.send(RS, f"申请延期 {number} 3 检测报告尚未出具")
    assert "至10月27日" in bot.send(OFFICE, f"延期 {number} 3")
    bot.pushes()
    assert _at(bot, 2026, 10, 23, 9, 0) == []  # the old deadline no longer escalates
    (again,) = _at(bot, 2026, 10, 27, 9, 0)
    assert again.to == RS and "反馈期限为10月27日" in again.text
    escalated = _at(bot, 2026, 10, 28, 9, 0)
    assert {p.to for p in escalated} == {RS, RS_LEADER} and "反馈期限" in texts(escalated)
    assert "已超期1个工作日" in bot.send(OFFICE, "超期")

    bot.send(RS, f"反馈 {number} 已督促企业整改")
    bot.pushes()
    assert _at(bot, 2026, 10, 29, 9, 0) == []
    assert "目前没有超期的举报" in bot.send(OFFICE, "超期")


def test_a_referral_to_a_unit_without_liaison_is_refused(bot):
    from sqlalchemy import update

    from storage.roster import Appointment, Unit

    with bot.session() as s, s.begin():
        unit_id = s.query(Unit.id).filter(Unit.name == "区科技局").scalar()
        s.execute(
            update(Appointment)
            .where(Appointment.unit_id == unit_id, Appointment.role == "联络员")
            .values(ended_at=bot.clock())
        )
    number, _ = file_report(bot)
    bot.send(OFFICE, f"受理 {number}")
    assert "没有在任联络员" in bot.send(OFFICE, f"转办 {number} 科技局")
    assert "已受理（待转办）" in bot.send(OFFICE, f"案件 {number}")


def test_a_case_referred_again_is_watched_afresh_for_the_new_unit(bot):
    bot.clock.set(datetime(2026, 9, 18, 10, 0, tzinfo=TZ))
    number = _refer(bot)
    bot.pushes()
    assert {p.to for p in _at(bot, 2026, 9, 21, 9, 0)} == {RS, RS_LEADER}
    bot.send(RS, f"退回 {number} 不属于本单位职责")
    bot.clock.set(datetime(2026, 9, 18, 10, 0, tzinfo=TZ))  # referred again the same day
    bot.send(OFFICE, f"转办 {number} 应急管理局")
    bot.pushes()
    escalated = [p for p in _at(bot, 2026, 9, 21, 9, 10) if "【超期】" in p.text]
    assert {p.to for p in escalated} == {YJ, "demo-u12-leader"}
    assert bot.send(OFFICE, f"案件 {number}").count("签收超期") == 2
