"""An account means someone only on its own platform (issue 10): a DingTalk id that equals a
WeCom account is not that person, and an Official Account follower is never on the roster."""

from __future__ import annotations

from bot import dispatch
from handlers.core import Incoming


def test_an_account_is_looked_up_on_its_own_platform_only(bot):
    office = "demo-office"  # the demo office's WeCom account

    def who(channel: str) -> str:
        msg = Incoming(channel=channel, user_id=office, text="我是谁")
        return dispatch.handle(bot.services, msg)[0].text

    assert "不在联席会议名单中" not in who("wecom")
    assert "不在联席会议名单中" in who("dingtalk")  # nobody has this DingTalk id
    assert "不在联席会议名单中" in who("wechat_mp")
    assert "不在联席会议名单中" not in who("console")


def test_one_query_identification_agrees_with_the_two_step_one(bot):
    """`member_on` (one query for a member holding an appointment) finds the same person and the
    same appointments as `person_on` + `current_appointments`, for every kind of sender."""
    from sqlalchemy import select

    from storage.roster import (
        DEPUTY,
        Appointment,
        Person,
        current_appointments,
        member_on,
        person_on,
    )

    with bot.session() as session, session.begin():
        rs = session.scalar(select(Person).where(Person.wecom_userid == "demo-u09-liaison"))
        rs.dingtalk_userid = "ding-u09"
        deputy = Person(name="乙", wecom_userid="deputy-u09")
        idle = Person(name="丙", wecom_userid="idle-person")  # on the roster, no appointment
        session.add_all([deputy, idle])
        session.flush()
        unit_id = rs.appointments[0].unit_id
        session.add(Appointment(person_id=deputy.id, unit_id=unit_id, role=DEPUTY,
                                started_at=bot.clock()))  # fmt: skip
        for appt in session.scalars(select(Appointment).where(Appointment.unit_id == unit_id)):
            appt.away = appt.role == "联络员"  # the liaison is away: the deputy acts

    cases = [("wecom", "demo-u09-liaison"), ("dingtalk", "ding-u09"), ("dingtalk", "demo-office"),
             ("wecom", "deputy-u09"), ("wecom", "idle-person"), ("wecom", "nobody"),
             ("wechat_mp", "demo-office"), ("console", "demo-office"), ("wecom", "")]  # fmt: skip
    with bot.session() as session:
        for channel, user in cases:
            person, appointments = member_on(session, channel, user)
            expected = person_on(session, channel, user)
            assert person is expected, (channel, user)
            want = current_appointments(session, expected.id) if expected else []
            got = [(a.unit_id, a.role) for a in appointments]
            assert got == [(a.unit_id, a.role) for a in want], (channel, user)
        _, acting = member_on(session, "wecom", "deputy-u09")
        assert [a.role for a in acting] == [DEPUTY, "联络员"]  # the B角 acts as liaison officer
