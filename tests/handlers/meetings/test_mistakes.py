"""The mistakes real people make with meetings: punctuation, order, commands mid-dialogue, repeats."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from handlers.core import Sender
from handlers.meetings.base import is_director
from storage.meetings import Meeting, MeetingInvite
from storage.roster import Appointment, Person
from tests.handlers.meetings.helpers import (
    CONVENER,
    DIRECTOR,
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
)
from tests.support import TZ

LIMIT = 2048  # bytes in one WeCom reply


def _invite(bot, number: str, unit: str) -> MeetingInvite:
    with bot.session() as session:
        rows = session.scalars(
            select(MeetingInvite).where(MeetingInvite.meeting_id == int(number[2:]))
        ).all()
        return next(r for r in rows if r.unit.name == unit)


def test_answers_with_full_width_punctuation_or_the_number_last(bot):
    number = call_meeting(bot)
    assert "外出执法" in bot.send(liaison(RS), f"请假，{number.lower()}，外出执法")
    assert _invite(bot, number, "区人社局").reason == "外出执法"
    bot.send(liaison(RS), f"请假 {number}：外出检查")
    assert _invite(bot, number, "区人社局").reason == "外出检查"
    bot.send(liaison(UNION), f"代参 王五 {number}")
    bot.send(liaison(FINANCE), f"代参 {number} 赵六，副科长")
    union, finance = _invite(bot, number, "区总工会"), _invite(bot, number, "区财政局")
    assert (union.answer, union.delegate_name) == ("代参", "王五")
    assert (finance.delegate_name, finance.delegate_title) == ("赵六", "副科长")
    assert "已记录" in bot.send(liaison(RS), "参加　ＨＹ１")
    assert answers(bot, number)["区人社局"] == "参加"


def test_a_command_sent_while_a_reason_is_awaited_is_run_not_stored_as_the_reason(bot):
    number = call_meeting(bot)
    card = card_for(bot.pushes(), liaison(RS))
    click(bot, liaison(RS), number, "leave", card)
    assert "外出" in bot.send(liaison(RS), f"请假 {number} 外出")
    assert _invite(bot, number, "区人社局").reason == "外出"
    click(bot, liaison(RS), number, "delegate", card)
    assert "代参还待补充" in bot.send(liaison(RS), f"会议 {number}")  # a look, then the name
    assert "代参（王五 副科长）" in bot.send(liaison(RS), "王五 副科长")
    click(bot, liaison(RS), number, "delegate", card)
    reply = bot.send(liaison(RS), f"参加 {number}")
    assert "参加" in reply and answers(bot, number)["区人社局"] == "参加"
    assert "没有识别" in bot.send(liaison(RS), "王五 副科长")  # the dialogue is over


def test_the_new_meeting_dialogue_does_not_take_a_command_for_an_answer(bot):
    number = call_meeting(bot)
    for text in ("新建会议", "2", "12月8日 15:00"):
        bot.send(OFFICE, text)
    busy = bot.send(OFFICE, f"参会情况 {number}")
    assert "会议地点" in busy and "取消" in busy
    assert "请发送会议议题" in bot.send(OFFICE, "区政府一楼")  # the place step was kept
    assert "请选择会议类型" in bot.send(OFFICE, "新建会议")  # the keyword again starts over
    with bot.session() as session:
        assert session.query(Meeting).count() == 1


def test_relative_dates_and_all_units_in_words(bot):
    """The clock stands at Monday 23 November 2026, 09:00."""
    bot.send(OFFICE, "新建会议")
    bot.send(OFFICE, "1")
    assert "已经过去" in bot.send(OFFICE, "本周一 8:00")
    bot.send(OFFICE, "下周三 下午3点")
    bot.send(OFFICE, "区政府大礼堂")
    bot.send(OFFICE, "年度全体会议")
    preview = bot.send(OFFICE, "全部成员单位")
    assert "12月2日（周三）15:00" in preview and "受邀单位（32个）" in preview
    bot.send(OFFICE, "取消")
    for said, expected in (("明天 9:30", "11月24日（周二）9:30"), ("周一 8:00", "11月30日")):
        for text in ("新建会议", "1", said, "区政府", "议题"):
            bot.send(OFFICE, text)
        assert expected in bot.send(OFFICE, "全部")
        bot.send(OFFICE, "取消")


def test_moving_twice_to_the_same_time_notifies_once(bot):
    number = call_meeting(bot)
    bot.pushes()
    assert "已改为" in bot.send(OFFICE, f"改期，{number}，12月4日 下午 3点 区政府一楼")
    assert len(recipients(bot.pushes(), "template_card")) == 4
    assert "无需改期" in bot.send(OFFICE, f"改期 {number} 2026-12-04 15:00")
    assert bot.pushes() == []
    with bot.session() as session:
        assert session.get(Meeting, int(number[2:])).version == 2


def test_long_topics_and_many_meetings_fit_one_reply(bot):
    topics = "年度全体会议\n" + "研究部署职业病防治工作。" * 150
    for text in ("新建会议", "1", "12月10日 9:00", "区政府大礼堂", topics):
        bot.send(OFFICE, text)
    preview = bot.send(OFFICE, "全部")
    assert len(preview.encode()) < LIMIT and "共" in preview
    bot.send(OFFICE, "确认")
    assert len(bot.send(OFFICE, "会议 HY1").encode()) < LIMIT
    bot.send(liaison(RS), "请假 HY1 " + "外出执法检查" * 80)
    assert "区人社局（外出执法检查外出执法检查外出执法检查外出…）" in bot.send(
        OFFICE, "参会情况 HY1"
    )
    assert len(_invite(bot, "HY1", "区人社局").reason) == 480  # kept whole, shortened on show
    for day in range(11, 23):
        call_meeting(bot, kind="1", when=f"2026-12-{day} 09:00", units="全部", topics="季度" * 30)
    listing = bot.send(liaison(RS), "会议")
    assert len(listing.encode()) < LIMIT and "另有6次会议" in listing
    assert "本单位：未回复" in listing
    assert "本单位" not in bot.send(OFFICE, "会议")  # the office does not answer for 区卫健委


def test_cosign_with_punctuation_and_an_objection_sent_twice(bot):
    number = call_meeting(bot, kind="3", units=f"{RS} {FINANCE}")
    bot.send(liaison(RS), f"参加 {number}")
    bot.send(liaison(FINANCE), f"参加 {number}")
    bot.clock.set(datetime(2026, 11, 27, 17, 0, tzinfo=TZ))
    bot.send(OFFICE, f"纪要 {number}")
    busy = bot.send(OFFICE, f"会签 {number} 同意")  # a command: refused, the draft goes on
    assert "仅限" in busy and busy.endswith(f"请发送 {number} 的纪要正文，或发送 .docx 纪要文件。")
    preview = bot.send(OFFICE, f"联络员会议纪要：{number} 议定各单位月底前报送进展。")
    assert "纪要摘录" in preview and "月底前" in preview
    bot.send(OFFICE, "确认")
    bot.pushes()
    assert "会签同意" in bot.send(liaison(RS), f"会签 {number.lower()} 同意。")
    reply = bot.send(leader(FINANCE), f"会签 {number} 意见：第二条应写明截止日期")
    assert "已转联席会议办公室主任协调" in reply
    bot.send(leader(FINANCE), f"会签 {number} 意见：第二条应写明截止日期")  # sent again
    routed = bot.pushes()
    assert len(routed) == 2 and recipients(routed) == {DIRECTOR, OFFICE}
    bot.send(leader(FINANCE), f"会签 {number} 不同意，第三条另议")
    assert "第三条另议" in bot.pushes()[0].text
    assert "已签发" in bot.send(DIRECTOR, f"签发 {number} 报区政府决定")
    assert "仅限" in bot.send(CONVENER, f"纪要 {number}")


def test_a_person_for_two_units_names_the_unit(bot):
    number = call_meeting(bot)
    with bot.session() as session, session.begin():
        person = session.scalar(select(Person).where(Person.wecom_userid == liaison(RS)))
        session.add(
            Appointment(person_id=person.id, unit_id=15, role="联络员", started_at=bot.clock())
        )
    assert "写明代表哪个单位" in bot.send(liaison(RS), f"参加 {number}")
    bot.send(liaison(RS), f"请假 {number} 总工会 外出培训")
    union = _invite(bot, number, "区总工会")
    assert (union.answer, union.reason) == ("请假", "外出培训")
    assert answers(bot, number)["区人社局"] is None


def test_a_deputy_director_is_not_the_office_director():
    def sender(title: str) -> Sender:
        person = Person(name="某", title=title)
        return Sender("console", "x", person, (Appointment(role="办公室", unit_id=1),))

    assert is_director(sender("联席会议办公室主任"))
    assert is_director(sender("区卫健委副主任兼联席会议办公室主任"))
    assert not is_director(sender("联席会议办公室副主任"))
