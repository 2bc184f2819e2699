"""One 全体会议 from signed minutes to three decided items: one done on time, one late with its
reminders and the leader's notice, one returned and redone; the monthly 督办通报 lists the late one."""

from __future__ import annotations

import io

from docx import Document as WordDocument

from storage import followup as st
from tests.handlers.followup.helpers import (
    FINANCE,
    OFFICE,
    RS,
    UNION,
    at,
    document_path,
    drain,
    leader,
    liaison,
    signed_full_meeting,
    texts_to,
)


def followup_jobs(bot) -> None:
    bot.run_job("followup.offer")
    bot.run_job("followup.deadlines")


def test_three_decided_items_from_signed_minutes(bot):
    number = signed_full_meeting(bot)

    # the office is offered the minutes' numbered points, once
    bot.clock.set(at(11, 26, 9))
    followup_jobs(bot)
    followup_jobs(bot)
    offers = drain(bot)
    assert {p.to for p in offers} == {"demo-office", "demo-director"} and len(offers) == 2
    assert "工伤保险专项检查" in offers[0].text and f"督办 立项 {number}" in offers[0].text

    # confirm the points one by one, editing the deadlines
    card = bot.send(OFFICE, f"督办 立项 {number}")
    assert "第1/3条" in card and "牵头单位：区人社局" in card and "配合单位：区总工会" in card
    assert "期限：2026年12月4日" not in card
    assert "期限：2026-12-04" in bot.send(OFFICE, "期限 2026-12-04")
    card = bot.send(OFFICE, "确认")
    assert "第2/3条" in card and "牵头单位：区总工会" in card
    bot.send(OFFICE, "期限 2026-12-10")
    card = bot.send(OFFICE, "确认")
    assert "第3/3条" in card and "牵头单位：区财政局" in card
    bot.send(OFFICE, "期限 2026-12-18；配合 无")
    assert "已立项3项：DB1、DB2、DB3" in bot.send(OFFICE, "确认")
    assigned = drain(bot)
    assert any("DB1" in t for t in texts_to(assigned, liaison(UNION)))  # 配合 DB1, 牵头 DB2
    assert any("DB2" in t for t in texts_to(assigned, leader(UNION)))
    assert all("DB1" not in t for t in texts_to(assigned, liaison(FINANCE)))

    # units see theirs
    mine = bot.send(liaison(UNION), "督办")
    assert "DB1" in mine and "配合" in mine and "DB2" in mine and "DB3" not in mine

    # DB1: progress, application, closed on time
    bot.clock.set(at(11, 30, 10))
    assert "已记录" in bot.send(liaison(UNION), "进展 DB1 已抽调2名工作人员参加检查")
    assert "已记录" in bot.send(liaison(RS), "进展 DB1 已检查12家用人单位")
    bot.clock.set(at(12, 2, 10))
    assert "待办公室审核" in bot.send(liaison(RS), "办结申请 DB1 检查完成，形成报告")
    assert "已办结 DB1" in bot.send(OFFICE, "督办 办结 DB1")

    # DB3: applied, returned, redone
    bot.clock.set(at(12, 8, 10))
    bot.send(liaison(FINANCE), "办结申请 DB3 经费已列入预算")
    drain(bot)
    assert "已退回" in bot.send(OFFICE, "督办 退回 DB3 请附预算批复文件")
    back = drain(bot)
    assert any("请附预算批复文件" in t for t in texts_to(back, liaison(FINANCE)))

    # DB2: reminders before and on the deadline, then the leader's overdue notice, each once
    bot.clock.set(at(12, 7, 9, 5))  # three working days before Thu 10 Dec
    followup_jobs(bot)
    followup_jobs(bot)
    reminders = drain(bot)
    assert [p.to for p in reminders] == [liaison(UNION)] and "还有3个工作日" in reminders[0].text
    bot.clock.set(at(12, 10, 9, 5))
    followup_jobs(bot)
    followup_jobs(bot)
    due_day = drain(bot)
    assert [p.to for p in due_day] == [liaison(UNION)] and "今天到期" in due_day[0].text
    bot.clock.set(at(12, 10, 23, 0))
    followup_jobs(bot)
    assert drain(bot) == []
    bot.clock.set(at(12, 11, 9, 0))
    followup_jobs(bot)
    followup_jobs(bot)
    overdue = drain(bot)
    assert leader(UNION) in {p.to for p in overdue} and OFFICE in {p.to for p in overdue}
    assert len([p for p in overdue if p.to == leader(UNION)]) == 1
    assert "超过办理期限" in overdue[0].text and "DB2" in overdue[0].text
    bot.clock.set(at(12, 14, 10))
    followup_jobs(bot)
    assert drain(bot) == []
    board = bot.send(OFFICE, "督办 情况")
    assert "【已超期】1项" in board and "DB2" in board and "超期2个工作日" in board
    assert "【待审核办结】" not in board

    # DB3 redone; DB2 closed late
    bot.send(liaison(FINANCE), "办结申请 DB3 已附预算批复")
    assert "已办结" in bot.send(OFFICE, "督办 办结 DB3")
    bot.clock.set(at(12, 15, 10))
    bot.send(liaison(UNION), "办结申请 DB2 宣传周已举办")
    bot.send(OFFICE, "督办 办结 DB2")

    history = bot.send(OFFICE, "督办 查看 DB3")
    for action in ("立项", "办结申请", "退回", "办结"):
        assert action in history
    assert "超期" in bot.send(OFFICE, "督办 查看 DB2")
    with bot.session() as session:
        events = st.history(session, st.item_by_number(session, "DB3").id)
        assert [e.action for e in events] == ["立项", "办结申请", "退回", "办结申请", "办结"]

    # the monthly bulletin lists exactly the late one
    bot.clock.set(at(12, 31, 10))
    reply = bot.reply(OFFICE, "督办 通报 2026-12")
    assert "共1项超期事项" in reply.text and len(reply.documents) == 1
    path, name = document_path(bot, reply.documents[0])
    assert name.endswith(".docx")
    doc = WordDocument(io.BytesIO(path.read_bytes()))
    cells = [c.text for t in doc.tables for r in t.rows[1:] for c in r.cells]
    assert "DB2" in cells and "DB1" not in cells and "DB3" not in cells
    assert any("区总工会" in p.text for p in doc.paragraphs)
