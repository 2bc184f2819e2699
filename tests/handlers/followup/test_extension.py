"""督办 延期: the office moves a deadline with a reason; the units are told; reminders and the
overdue notice follow the new deadline, and the old one passes quietly."""

from __future__ import annotations

from tests.handlers.followup.helpers import (
    OFFICE,
    RS,
    UNION,
    at,
    drain,
    leader,
    liaison,
    texts_to,
)


def test_the_office_extends_an_item_and_the_reminders_follow(bot):
    bot.clock.set(at(11, 23, 10))
    created = bot.send(
        OFFICE, "督办 新建 工伤保险专项检查；牵头 区人社局；配合 区总工会；期限 2026-11-27"
    )
    assert "已立项 DB1" in created, created
    drain(bot)

    # refused, and nothing changes: no reason, not later, not the office's, unreadable
    assert "请写明延期原因" in bot.send(OFFICE, "督办 延期 DB1 5个工作日")
    assert "不晚于原期限11月27日" in bot.send(OFFICE, "督办 延期 DB1 2026-11-26 等体检结果")
    assert "仅限" in bot.send(liaison(RS), "督办 延期 DB1 5个工作日 来不及")
    assert "请写明新的期限和原因" in bot.send(OFFICE, "督办 延期 DB1 下个月吧")
    assert "没有找到事项「DB9」" in bot.send(OFFICE, "督办 延期 DB9 5个工作日 原因")
    assert drain(bot) == []

    reply = bot.send(OFFICE, "督办 延期 DB1 5个工作日 需等待年度体检结果")
    assert "由11月27日延至12月4日" in reply and "已通知2个单位" in reply, reply
    pushes = drain(bot)
    for user in (liaison(RS), leader(RS), liaison(UNION), leader(UNION)):
        (text,) = texts_to(pushes, user)
        assert text.startswith("【督办延期】DB1") and "延至12月4日" in text, text
        assert "需等待年度体检结果" in text
    assert "（期限12月4日）" in bot.send(OFFICE, "督办 情况")

    # the old deadline passes quietly; the new one is reminded, then chased once
    for day in (27, 30):
        bot.clock.set(at(11, day, 9, 30))
        bot.run_job("followup.deadlines")
        assert drain(bot) == []
    bot.clock.set(at(12, 1, 9, 30))  # three working days before 4 December
    bot.run_job("followup.deadlines")
    (reminder,) = texts_to(drain(bot), liaison(RS))
    assert "还有3个工作日到期（12月4日）" in reminder, reminder
    bot.clock.set(at(12, 7, 9, 30))  # the working day after it
    bot.run_job("followup.deadlines")
    bot.run_job("followup.deadlines")
    overdue = texts_to(drain(bot), leader(RS))
    assert len(overdue) == 1 and "已超过办理期限（12月4日）" in overdue[0], overdue

    # the record keeps both dates with their year, and who decided
    record = bot.send(OFFICE, "督办 查看 DB1").split("办理记录：")[1]
    assert "延期 期限由2026年11月27日延至2026年12月4日：需等待年度体检结果" in record, record


def test_a_closed_item_cannot_be_extended_nor_an_overdue_one_into_the_past(bot):
    bot.clock.set(at(11, 23, 10))
    bot.send(OFFICE, "督办 新建 宣传周活动；牵头 区人社局；期限 2026-11-24")
    bot.send(OFFICE, "督办 新建 专项经费；牵头 区人社局；期限 2026-11-25")
    bot.clock.set(at(12, 10, 10))
    # 1 working day after 24 November is still long past
    assert "已经过去" in bot.send(OFFICE, "督办 延期 DB1 1个工作日 补材料")
    assert "延至12月18日" in bot.send(OFFICE, "督办 延期 DB1 至2026-12-18 补材料")
    bot.send(liaison(RS), "办结申请 DB2 经费已拨付")
    bot.send(OFFICE, "督办 办结 DB2")
    assert bot.send(OFFICE, "督办 延期 DB2 5个工作日 原因") == "DB2已办结，不能延期。"


def test_an_item_sent_back_after_its_deadline_says_how_to_give_a_new_one(bot):
    bot.clock.set(at(11, 23, 10))
    bot.send(OFFICE, "督办 新建 宣传周活动；牵头 区人社局；期限 2026-11-27")
    bot.send(OFFICE, "督办 新建 专项经费；牵头 区人社局；期限 2026-12-31")
    bot.clock.set(at(11, 30, 10))
    for number in ("DB1", "DB2"):
        bot.send(liaison(RS), f"办结申请 {number} 已完成")
    late = bot.send(OFFICE, "督办 退回 DB1 缺少活动照片")
    assert "期限11月27日已过" in late and "督办 延期 DB1 10个工作日 原因" in late, late
    assert "延期" not in bot.send(OFFICE, "督办 退回 DB2 缺少拨付凭证")


def test_the_lead_unit_asks_for_more_time_and_the_office_grants_it(bot):
    bot.clock.set(at(11, 23, 10))
    bot.send(OFFICE, "督办 新建 工伤保险专项检查；牵头 区人社局；配合 区总工会；期限 2026-11-27")
    drain(bot)
    assert "由区人社局牵头，延期由牵头单位申请" in bot.send(
        liaison(UNION), "督办 申请延期 DB1 5个工作日 人手不足"
    )
    assert "请写明延期理由" in bot.send(liaison(RS), "督办 申请延期 DB1 5个工作日")
    assert drain(bot) == []
    sent = bot.send(liaison(RS), "督办 申请延期 DB1 5个工作日 需等待年度体检结果")
    assert "申请将 DB1 的期限延至12月4日" in sent and "仍以11月27日为期限" in sent, sent
    (notice,) = texts_to(drain(bot), OFFICE)
    assert (
        notice.startswith("【督办延期申请】区人社局申请将 DB1") and "需等待年度体检结果" in notice
    )
    command = "督办 延期 DB1 2026-12-04 同意区人社局申请"
    assert f"「{command}」" in notice, notice
    assert "由11月27日延至12月4日" in bot.send(OFFICE, command)
    assert any("【督办延期】DB1" in t for t in texts_to(drain(bot), liaison(RS)))
    record = bot.send(OFFICE, "督办 查看 DB1").split("办理记录：")[1]
    assert "延期申请 申请延至2026年12月4日：需等待年度体检结果" in record, record
