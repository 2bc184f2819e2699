"""新建会议 says back the time it understood and lets one field be changed at the preview; 改期 to
a weekend or holiday asks first; 取消会议 takes a reason and 确认; a command without a meeting
number uses the one meeting it can mean; 参会情况 groups the units by answer."""

from __future__ import annotations

from datetime import date

from handlers.workdays import import_holidays
from tests.handlers.meetings.helpers import (
    CONVENER,
    EDU,
    FINANCE,
    OFFICE,
    RS,
    UNION,
    answers,
    call_meeting,
    leader,
    liaison,
    recipients,
)
from tests.handlers.meetings.test_minutes import held_meeting, submit


def _to_preview(bot, when: str = "2026-12-09 09:30") -> str:
    bot.send(OFFICE, "新建会议")
    bot.send(OFFICE, "2")
    echoed = bot.send(OFFICE, when)
    for text in ("区卫健委三楼会议室", "尘肺病防治专项整治", f"{RS}、{UNION}"):
        bot.send(OFFICE, text)
    return echoed


def test_the_time_is_said_back_before_the_next_question(bot):
    bot.send(OFFICE, "新建会议")
    bot.send(OFFICE, "2")
    answer = bot.send(OFFICE, "12月9日 上午9点半")
    assert answer.startswith("已识别为 ") and "12月9日（周三）" in answer and "9:30" in answer
    assert "不是工作日" not in answer and "请发送会议地点" in answer
    bot.send(OFFICE, "取消")
    weekend = _to_preview(bot, "2026-12-12 09:00")
    assert "12月12日是周六，不是工作日" in weekend and "请发送会议地点" in weekend


def test_change_one_field_at_the_preview_and_come_back_to_it(bot):
    _to_preview(bot)
    assert "要修改哪一项" in bot.send(OFFICE, "修改")
    assert "会议时间" in bot.send(OFFICE, "2")
    preview = bot.send(OFFICE, "12月10日 15:00")
    assert "已识别为" in preview and "请核对会议通知" in preview and "（周四）15:00" in preview
    preview = bot.send(OFFICE, "修改 地点")
    assert preview == "请发送会议地点。"
    preview = bot.send(OFFICE, "区政府二楼会议室")
    assert "地点：区政府二楼会议室" in preview and "区人社局、区总工会" in preview
    preview = bot.send(OFFICE, "修改 受邀单位")
    assert "请发送参会单位" in preview
    assert "区财政局" in bot.send(OFFICE, f"{FINANCE}")
    assert "要修改哪一项" in bot.send(OFFICE, "修改 颜色")
    assert "要修改哪一项" in bot.send(OFFICE, "颜色")
    assert bot.send(OFFICE, "议题").startswith("请发送会议议题")
    answer = bot.send(OFFICE, "专题会议 第二次")
    assert "请核对会议通知" in answer and "议题：专题会议 第二次" in answer
    assert "已发出会议通知" in bot.send(OFFICE, "确认")
    assert recipients(bot.pushes(), "template_card") == {liaison(FINANCE)}


def test_changing_the_kind_asks_for_the_units_again(bot):
    _to_preview(bot)
    bot.send(OFFICE, "修改 类型")
    assert "全体会议默认通知全体成员单位" in bot.send(OFFICE, "1")
    assert "受邀单位（32个）" in bot.send(OFFICE, "全部")


def test_moving_to_a_weekend_or_holiday_asks_first(bot):
    number = call_meeting(bot)
    bot.pushes()
    answer = bot.send(OFFICE, f"改期 {number} 2026-11-28 09:00")
    assert "11月28日是周六，不是工作日" in answer and "确认" in answer
    assert bot.pushes() == []
    assert "未改期" in bot.send(OFFICE, "不改")
    with bot.session() as session, session.begin():
        import_holidays(session, [(date(2026, 12, 31), "测试假日", False)], "test")
    answer = bot.send(OFFICE, f"改期 {number} 2026-12-31 09:00 区政府")
    assert "12月31日是法定节假日" in answer
    assert "已改为" in bot.send(OFFICE, "确认")
    assert recipients(bot.pushes()) == {liaison(u) for u in (RS, UNION, FINANCE, EDU)}
    assert "已改为" in bot.send(OFFICE, f"改期 {number} 2026-12-30 09:00")  # a workday: at once


def test_cancel_asks_a_reason_and_confirmation_and_a_second_cancel_is_told(bot):
    number = call_meeting(bot)
    bot.pushes()
    assert "请回复取消会议" in bot.send(OFFICE, f"取消会议 {number}")
    assert "会议没有取消" in bot.send(OFFICE, "不取消")
    assert "请回复取消会议" in bot.send(OFFICE, f"取消会议 {number}")
    assert "确定取消" in bot.send(OFFICE, "与全体会议合并召开")
    assert "会议没有取消" in bot.send(OFFICE, "放弃")
    assert bot.pushes() == [] and answers(bot, number)  # nothing sent, still on
    assert "确定取消" in bot.send(OFFICE, f"取消会议 {number} 与全体会议合并召开")
    assert "已取消，已通知4个受邀单位" in bot.send(OFFICE, "确认")
    assert all("与全体会议合并召开" in p.text for p in bot.pushes())
    again = bot.send(CONVENER, f"取消会议 {number}")
    assert again.startswith(f"会议 {number} 已于") and "无需再次取消" in again
    assert bot.pushes() == []


def test_without_a_number_the_one_obvious_meeting_is_used(bot):
    first = call_meeting(bot)
    assert f"区人社局 参加 {first}" in bot.send(liaison(RS), "参加")
    assert answers(bot, first)["区人社局"] == "参加"
    assert "请假" in bot.send(liaison(UNION), "请假 外出执法检查")
    assert answers(bot, first)["区总工会"] == "请假"
    assert "【参加】1个：区人社局" in bot.send(leader(RS), "参会情况")
    assert f"请回复取消会议 {first}" in bot.send(OFFICE, "取消会议")
    bot.send(OFFICE, "取消")  # leaves the dialogue; the meeting stays
    second = call_meeting(bot, when="2026-11-30 15:00", units=RS)
    several = bot.send(liaison(RS), "参加")
    assert "有2次会议可选" in several and first in several and second in several
    assert "参加" in bot.send(liaison(UNION), "参加")  # 区总工会 is invited to one only
    assert "请写明会议号" in bot.send(liaison("30"), "参加")  # none


def test_co_sign_and_sign_off_without_a_number(bot):
    number = held_meeting(bot, units=f"{RS}、{FINANCE}")
    submit(bot, number)
    assert "同意" in bot.send(liaison(RS), "会签 同意")
    assert "同意" in bot.send(leader(FINANCE), "会签 同意")
    assert "已签发" in bot.send(CONVENER, "签发")
    assert "一、议定事项" in bot.send(liaison(RS), "纪要 查看")


def test_attendance_groups_units_by_answer(bot):
    number = call_meeting(bot)
    bot.send(liaison(RS), f"参加 {number}")
    bot.send(liaison(FINANCE), f"代参 {number} 王五 副科长")
    bot.send(liaison(UNION), f"请假 {number} 外出执法检查")
    board = bot.send(OFFICE, f"参会情况 {number}").splitlines()
    assert board[2] == "受邀4个单位：参加1，代参1，请假1，未回复1"
    assert board[3:] == [
        "【参加】1个：区人社局",
        "【代参】1个：区财政局（王五 副科长）",
        "【请假】1个：区总工会（外出执法检查）",
        "【未回复】1个：区教育局",
    ]
