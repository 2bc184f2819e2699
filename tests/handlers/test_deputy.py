"""B角 (deputy liaison officer), 外出, and 变更联络员 — as the people involved use them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from storage.roster import Appointment, LiaisonChange, Person, unit_by_name
from tests.support import TZ

RS, LEADER, OFFICE = "demo-u09-liaison", "demo-u09-leader", "demo-office"
DEPUTY = "demo-u09-deputy"


def name_deputy(bot, account: str = DEPUTY, unit: str = "区人社局") -> None:
    """The office names the unit's B角 (as a roster import with 联络员（B角） would)."""
    with bot.session() as s, s.begin():
        person = Person(name="人社局B角（演示）", title="科员", wecom_userid=account)
        s.add(person)
        s.flush()
        unit_id = unit_by_name(s, unit).id
        s.add(
            Appointment(person_id=person.id, unit_id=unit_id, role="联络员（B角）",
                        started_at=bot.clock())
        )  # fmt: skip


def at(bot, month: int, day: int, hour: int = 9) -> None:
    bot.clock.set(datetime(2026, month, day, hour, tzinfo=TZ))
    bot.run_job("roster.away")


def test_the_deputy_acts_and_is_told_only_while_the_officer_is_away(bot):
    name_deputy(bot)
    assert "仅限" in bot.send(DEPUTY, "月报")  # a deputy while the officer is here
    reply = bot.send(RS, "外出 12-01 至 12-10")
    assert reply.startswith("已登记外出：12月1日至12月10日。")
    assert "同时发给B角人社局B角（演示）" in reply
    (told,) = bot.pushes(DEPUTY)
    assert "区人社局联络员" in told.text and "12月1日至12月10日外出" in told.text

    bot.send(OFFICE, "催报 人社局")  # before the trip: the officer alone
    assert {p.to for p in bot.pushes()} == {RS}
    assert "仅限" in bot.send(DEPUTY, "月报")  # not yet: the trip starts on 12-01

    at(bot, 12, 2)
    bot.send(OFFICE, "催报 人社局")
    assert {p.to for p in bot.pushes()} >= {RS, DEPUTY}
    assert "您的身份" in bot.send(DEPUTY, "帮助") and "月报" in bot.send(DEPUTY, "帮助")
    assert "区人社局" in bot.send(DEPUTY, "月报 查看")

    at(bot, 12, 11)  # back: the deputy is a deputy again
    bot.send(OFFICE, "催报 人社局")
    assert DEPUTY not in {p.to for p in bot.pushes()}
    assert "仅限" in bot.send(DEPUTY, "月报")


def test_away_can_end_early_and_dates_are_checked(bot):
    name_deputy(bot)
    assert "结束日期早于开始日期" in bot.send(RS, "外出 12-10 至 12-01")
    assert "看不懂日期" in bot.send(RS, "外出 下周一 至 下周五")
    assert bot.send(RS, "外出 结束") == "您目前没有登记外出。"
    bot.send(RS, "外出 11-23 至 11-30")  # from today: away at once
    bot.send(OFFICE, "催报 人社局")
    assert {p.to for p in bot.pushes()} >= {RS, DEPUTY}
    assert bot.send(RS, "外出 结束").startswith("已结束外出")
    bot.pushes()
    bot.send(OFFICE, "催报 人社局")
    assert DEPUTY not in {p.to for p in bot.pushes()}


def test_away_without_a_deputy_says_so_and_only_officers_may(bot):
    reply = bot.send(RS, "外出 12-01 至 12-10")
    assert "区人社局未设B角" in reply
    assert "仅限" in bot.send(LEADER, "外出 12-01 至 12-10")


def test_a_leader_asks_to_change_the_liaison_officer_and_the_office_approves(bot):
    reply = bot.send(LEADER, "变更联络员 孙磊 13900001234 sunlei")
    assert reply.startswith(
        "已提交变更联络员申请 BG1：区人社局联络员 区人社局联络员（演示） → 孙磊"
    )
    (asked,) = [p for p in bot.pushes() if p.to == OFFICE]
    assert "同意变更 BG1" in asked.text
    assert "已有待审批的变更申请 BG1" in bot.send(LEADER, "变更联络员 孙磊 13900001234")
    assert "仅限" in bot.send(RS, "同意变更 BG1")

    bot.clock.advance(days=1)
    reply = bot.send(OFFICE, "同意变更 BG1")
    assert reply == "已同意 BG1：区人社局联络员 区人社局联络员（演示） → 孙磊。"
    told = {p.to: p.text for p in bot.pushes()}
    assert "您不再担任区人社局联络员" in told[RS]
    assert "您已任区人社局联络员" in told["sunlei"]
    assert "已同意" in told[LEADER]
    assert "申请 BG1 已同意" in bot.send(OFFICE, "同意变更 BG1")

    assert "仅限" in bot.send(RS, "月报")  # the old officer no longer acts for the unit
    assert "区人社局" in bot.send("sunlei", "月报 查看")
    with bot.session() as s:  # the history keeps both
        unit = unit_by_name(s, "区人社局")
        rows = s.scalars(
            select(Appointment)
            .where(Appointment.unit_id == unit.id, Appointment.role == "联络员")
            .order_by(Appointment.id)
        ).all()
        assert [(a.person.name, a.ended_at is None) for a in rows] == [
            ("区人社局联络员（演示）", False),
            ("孙磊", True),
        ]
        change = s.scalar(select(LiaisonChange))
        assert (change.status, change.person_id) == ("已同意", rows[1].person_id)


def test_the_office_may_refuse_a_change_with_a_reason(bot):
    bot.send(LEADER, "变更联络员 孙磊 13900001234")
    bot.pushes()
    assert "请写明原因" in bot.send(OFFICE, "驳回变更 BG1")
    assert bot.send(OFFICE, "驳回变更 BG1 请先完成工作交接") == "已驳回 BG1，已告知申请人。"
    (told,) = bot.pushes(LEADER)
    assert "未获同意：请先完成工作交接" in told.text
    assert "手机号「123」格式不正确" in bot.send(LEADER, "变更联络员 孙磊 123")
