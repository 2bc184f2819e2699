"""Meeting types and who calls them: 办公室会议 (the office director), 总召集人, invited guests."""

from __future__ import annotations

from storage.meetings import Meeting, MeetingGuest
from storage.roster import Appointment, Person, unit_by_name
from tests.handlers.meetings.helpers import CONVENER, FINANCE, RS, call_meeting, liaison
from tests.handlers.meetings.test_minutes import AFTER, submit

OFFICE, DIRECTOR = "demo-office", "demo-director"
CHIEF = "demo-general-convener"


def add_general_convener(bot) -> None:
    with bot.session() as s, s.begin():
        person = Person(name="总召集人（演示）", title="副区长", wecom_userid=CHIEF)
        s.add(person)
        s.flush()
        unit = unit_by_name(s, "区卫健委")
        s.add(Appointment(person_id=person.id, unit_id=unit.id, role="总召集人",
                          started_at=bot.clock()))  # fmt: skip


def test_an_office_meeting_is_called_by_the_director_only(bot):
    bot.send(OFFICE, "新建会议")
    assert "办公室会议由办公室主任发起" in bot.send(OFFICE, "4")
    bot.send(OFFICE, "取消")
    number = call_meeting(bot, kind="4", caller=DIRECTOR, units="全部")
    with bot.session() as s:
        assert s.get(Meeting, int(number[2:])).kind == "办公室会议"
    pushes = bot.pushes()
    assert "demo-u09-liaison" in {p.to for p in pushes}


def test_the_general_convener_calls_a_plenary_meeting(bot):
    add_general_convener(bot)
    number = call_meeting(bot, kind="1", caller=CHIEF, units="全部")
    with bot.session() as s:
        assert s.get(Meeting, int(number[2:])).kind == "全体会议"


def test_guests_that_are_not_member_units_are_invited(bot):
    number = call_meeting(bot, kind="4", caller=DIRECTOR, units="全部")
    bot.pushes()
    reply = bot.send(DIRECTOR, f"邀请 {number} 区档案馆 zhangsan")
    assert reply == f"已邀请区档案馆参加 {number}（已向联系人 zhangsan 发出邀请）。"
    (notice,) = bot.pushes("zhangsan")
    assert "区档案馆" in notice.text and number in notice.text
    reply = bot.send(DIRECTOR, f"邀请 {number} 区疾控中心")
    assert "未留联系人账号，纪要中列入抄送" in reply
    assert "是成员单位，无需邀请" in bot.send(DIRECTOR, f"邀请 {number} 区人社局")
    assert "仅限" in bot.send("demo-u09-liaison", f"邀请 {number} 区疾控中心")
    with bot.session() as s:
        from handlers.meetings.minutes_text import distribution_line

        meeting = s.get(Meeting, int(number[2:]))
        assert [g.name for g in s.query(MeetingGuest)] == ["区档案馆", "区疾控中心"]
        line = distribution_line(meeting)
        assert line == "印发：联席会议各成员单位、区档案馆、区疾控中心"


def test_an_invited_guest_receives_the_issued_minutes(bot):
    """Issue 11: a unit that is not a member, invited with a contact account, gets the signed
    minutes (the note and the file) when they are issued, once."""
    number = call_meeting(bot, kind="2", units=f"{RS}、{FINANCE}")
    assert "已邀请区档案馆" in bot.send(DIRECTOR, f"邀请 {number} 区档案馆 zhangsan")
    bot.send(liaison(RS), f"参加 {number}")
    bot.send(liaison(FINANCE), f"参加 {number}")
    bot.clock.set(AFTER)
    bot.pushes()
    submit(bot, number)
    bot.send(liaison(RS), f"会签 {number} 同意")
    bot.send(liaison(FINANCE), f"会签 {number} 同意")
    bot.pushes()
    assert "已签发" in bot.send(CONVENER, f"签发 {number}")
    delivered = bot.pushes()
    while batch := bot.pushes():  # every member unit gets it too: more than one drain's worth
        delivered += batch
    issued = [p for p in delivered if p.to == "zhangsan"]
    assert {p.kind for p in issued} == {"text", "file"}
    assert any(number in p.text for p in issued if p.kind == "text")
    bot.run_jobs()
    assert [p for p in bot.pushes() if p.to == "zhangsan"] == []
