"""Calling, answering, moving and cancelling meetings; reminders around those changes."""

from __future__ import annotations

from datetime import datetime

from storage.meetings import Meeting
from tests.handlers.meetings.helpers import (
    CONVENER,
    EDU,
    FINANCE,
    OFFICE,
    RS,
    UNION,
    answers,
    call_meeting,
    card_for,
    click,
    leader,
    liaison,
    recipients,
    run_meeting_jobs,
)
from tests.support import TZ


def test_plenary_meeting_invites_every_member_unit_by_default(bot):
    number = call_meeting(bot, kind="全体会议", units="全部", caller=CONVENER)
    cards = bot.pushes()
    assert len(cards) == 32 and all(p.kind == "template_card" for p in cards)
    card = card_for(cards, liaison("32")).payload
    assert card["task_id"] == f"{number}-u32-p{card_for(cards, liaison('32')).person_id}-v1"
    assert [b["key"] for b in card["button_list"]] == [
        f"rsvp:{number}:attend",
        f"rsvp:{number}:leave",
        f"rsvp:{number}:delegate",
    ]
    assert f"请假 {number} 原因" in card["fallback_text"]
    assert "受邀32个单位" in bot.send(OFFICE, f"参会情况 {number}")


def test_the_dialogue_explains_bad_answers_and_keeps_the_step(bot):
    bot.send(OFFICE, "新建会议")
    assert "请选择会议类型" in bot.send(OFFICE, "5")
    assert "会议时间" in bot.send(OFFICE, "专题会议")
    assert "没有看懂时间" in bot.send(OFFICE, "下周找个时间")
    assert "已经过去" in bot.send(OFFICE, "2026-11-20 09:00")
    assert "会议地点" in bot.send(OFFICE, "12月3日 下午3点半")
    bot.send(OFFICE, "区政府二楼")
    bot.send(OFFICE, "职业病危害专项治理")
    assert "列出与议题相关的参会单位" in bot.send(OFFICE, "全部")
    assert "区不存在局" in bot.send(OFFICE, "区人社局、区不存在局")
    preview = bot.send(OFFICE, "区人社局 15")
    assert "12月3日（周四）15:30" in preview and "区人社局、区总工会" in preview
    assert "确认" in bot.send(OFFICE, "好的")
    assert "已退出" in bot.send(OFFICE, "取消")
    with bot.session() as session:
        assert session.query(Meeting).count() == 0
    assert bot.pushes() == []


def test_who_may_call_which_meeting(bot):
    assert "仅限" in bot.send(liaison(RS), "新建会议")
    bot.send(CONVENER, "新建会议")
    assert "没有发起" in bot.send(CONVENER, "3")  # 联络员会议 belongs to the office
    bot.send(CONVENER, "取消")
    number = call_meeting(bot, kind="3", units="全部", caller=OFFICE)
    assert "没有发起或变更" in bot.send(CONVENER, f"取消会议 {number}")


def test_text_answers_change_until_the_start_and_the_latest_counts(bot):
    number = call_meeting(bot)
    assert "请写明请假原因" in bot.send(liaison(RS), f"请假 {number}")
    assert "代参人员" in bot.send(liaison(RS), f"代参 {number}")
    assert "不是会议号" in bot.send(liaison(RS), "参加 明天的会")
    assert "没有找到会议" in bot.send(liaison(RS), "参加 HY99")
    assert "没有找到会议" in bot.send(liaison("20"), f"参加 {number}")  # not invited
    bot.send(liaison(RS), f"参加 {number}")
    bot.send(leader(RS), f"代参 {number} 李四 科长")  # the member unit's leader answers last
    assert answers(bot, number)["区人社局"] == "代参"
    assert "代参（李四 科长）" in bot.send(liaison(RS), "会议")
    assert "仅限" in bot.send("someone-outside", f"参加 {number}")


def test_a_leave_click_records_at_once_and_asks_for_the_reason(bot):
    number = call_meeting(bot)
    card = card_for(bot.pushes(), liaison(UNION))
    reply = click(bot, liaison(UNION), number, "leave", card)
    assert reply.button_label == "已选择：请假" and "原因" in reply.text
    assert answers(bot, number)["区总工会"] == "请假"
    assert "请假（参加市总工会培训）" in bot.send(liaison(UNION), "参加市总工会培训")
    assert "【请假】1个：区总工会（参加市总工会培训）" in bot.send(OFFICE, f"参会情况 {number}")


def test_moving_a_meeting_sends_new_cards_and_fresh_reminders_only(bot):
    number = call_meeting(bot, when="2026-11-27 15:00")
    old_card = card_for(bot.pushes(), liaison(EDU))
    bot.send(liaison(RS), f"参加 {number}")
    reply = bot.send(OFFICE, f"改期 {number} 2026-12-04 09:30 区政府一楼会议室")
    assert "12月4日（周五）9:30" in reply and "区政府一楼会议室" in reply
    moved = bot.pushes()
    invited = {liaison(u) for u in (RS, UNION, FINANCE, EDU)}
    assert recipients(moved) == invited and recipients(moved, "template_card") == invited
    new_card = card_for(moved, liaison(EDU))
    assert new_card.payload["task_id"].endswith("-v2")
    assert "已改期" in click(bot, liaison(EDU), number, "attend", old_card).text
    assert answers(bot, number)["区教育局"] is None

    bot.clock.set(datetime(2026, 11, 25, 15, 0, tzinfo=TZ))  # the old "2 days before"
    run_meeting_jobs(bot)
    assert bot.pushes() == []
    bot.clock.set(datetime(2026, 12, 2, 9, 30, tzinfo=TZ))
    run_meeting_jobs(bot)
    due = bot.pushes()
    assert recipients(due) == {liaison(UNION), liaison(FINANCE), liaison(EDU)}
    assert "12月4日" in due[0].text


def test_a_cancelled_meeting_is_announced_and_never_reminded(bot):
    number = call_meeting(bot)
    bot.pushes()
    bot.send(liaison(RS), f"参加 {number}")
    assert "确定取消" in bot.send(OFFICE, f"取消会议 {number} 议题并入全体会议")
    assert "已取消" in bot.send(OFFICE, "确认")
    notices = bot.pushes()
    assert recipients(notices) == {liaison(u) for u in (RS, UNION, FINANCE, EDU)}
    assert "议题并入全体会议" in notices[0].text
    for day, hour in ((25, 15), (26, 15), (27, 14)):
        bot.clock.set(datetime(2026, 11, day, hour, 0, tzinfo=TZ))
        run_meeting_jobs(bot)
    assert bot.pushes() == []
    assert "已取消" in bot.send(liaison(RS), f"请假 {number} 有事")
    assert "已取消" in bot.send(OFFICE, f"改期 {number} 2026-12-01 10:00")
    assert number not in bot.send(liaison(RS), "会议")


def test_a_late_invitation_gets_no_stale_reminders(bot):
    """A meeting called 30 hours ahead: no "2 days before" chase, but the 1-hour one comes."""
    bot.clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=TZ))
    number = call_meeting(bot, when="2026-11-24 15:00")
    bot.pushes()
    bot.send(liaison(FINANCE), f"参加 {number}")
    run_meeting_jobs(bot)
    assert bot.pushes() == []
    bot.clock.set(datetime(2026, 11, 24, 14, 5, tzinfo=TZ))
    run_meeting_jobs(bot)
    assert recipients(bot.pushes()) == {liaison(FINANCE)}
    bot.clock.set(datetime(2026, 11, 24, 15, 5, tzinfo=TZ))
    run_meeting_jobs(bot)
    assert bot.pushes() == []


def test_upcoming_meetings_are_listed_per_person(bot):
    first = call_meeting(bot, when="2026-12-01 09:00", units="9")
    second = call_meeting(bot, when="2026-11-30 09:00", units="15")
    mine = bot.send(liaison(RS), "会议")
    assert first in mine and second not in mine and "本单位：未回复" in mine
    both = bot.send(OFFICE, "会议")
    assert both.index(second) < both.index(first)
    assert "近期没有" in bot.send(liaison("30"), "会议")
    assert "没有找到会议" in bot.send(liaison("30"), f"参会情况 {first}")
    assert "议题" in bot.send(liaison(RS), f"会议 {first}")
