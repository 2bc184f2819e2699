"""A 征求意见 round with five units: two answer, one says 无, one corrects the prefilled leader's
phone, one stays silent; reminders reach only the silent ones, once each, across a restart; the
summary .docx holds five annex-3 tables."""

from __future__ import annotations

import io

from docx import Document as WordDocument
from openpyxl import load_workbook

from bot.dispatch import Services
from storage import followup as st
from storage.db import make_engine, make_session_factory
from tests.handlers.followup.helpers import (
    EDU,
    FINANCE,
    OFFICE,
    RS,
    UNION,
    at,
    document_path,
    drain,
    leader,
    liaison,
)
from tests.support import TestBot

CIVIL = "07"  # 区民政局: stays silent


def word_file(*paragraphs: str) -> bytes:
    doc = WordDocument()
    for text in paragraphs:
        doc.add_paragraph(text)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def start_round(bot) -> str:
    assert "标题" in bot.send(OFFICE, "征求意见")
    assert ".docx" in bot.send(OFFICE, "二七区职业病防治工作实施方案（征求意见稿）")
    draft = word_file("一、总体要求", "二、重点任务")
    assert "单位" in bot.send(OFFICE, "", kind="file", file_name="实施方案.docx", file_bytes=draft)
    assert "截止" in bot.send(OFFICE, "区人社局、区总工会、区财政局、区教育局、区民政局")
    preview = bot.send(OFFICE, "2026-11-27")
    assert "征求单位（5个）" in preview and "11月27日" in preview
    reply = bot.send(OFFICE, "确认")
    assert "已发出征求意见 ZQ1" in reply
    return "ZQ1"


def test_comment_round_with_the_annex_3_form(bot, services, clock):
    number = start_round(bot)
    sent = drain(bot)
    asked = {p.to for p in sent if p.kind == "file"}
    assert asked == {liaison(u) for u in (RS, UNION, FINANCE, EDU, CIVIL)} | {
        leader(u) for u in (RS, UNION, FINANCE, EDU, CIVIL)
    }

    bot.clock.set(at(11, 24, 10))
    card = bot.send(liaison(RS), f"意见 {number} 第二条建议增加工伤保险内容")
    assert "单位名称：区人社局" in card and "手机号码 13900000902" in card
    assert "已提交" in bot.send(liaison(RS), "确认")
    # replaceable until the deadline
    bot.send(liaison(RS), f"意见 {number} 第二条建议增加工伤保险扩面内容")
    assert "已更新" in bot.send(liaison(RS), "确认")

    assert ".docx" in bot.send(liaison(UNION), f"意见 {number}")
    opinion = word_file("建议在第一条增加职工代表参与监督的内容。")
    card = bot.send(
        liaison(UNION), "", kind="file", file_name="总工会意见.docx", file_bytes=opinion
    )
    assert "职工代表" in card
    bot.send(liaison(UNION), "确认")

    bot.send(liaison(FINANCE), f"意见 {number} 无")
    bot.send(liaison(FINANCE), "确认")

    # reminders two working days before: only the units that have not answered, once each
    bot.clock.set(at(11, 25, 9, 5))
    bot.run_job("followup.comments")
    bot.run_job("followup.comments")
    first = drain(bot)
    assert {p.to for p in first} == {liaison(EDU), leader(EDU), liaison(CIVIL), leader(CIVIL)}
    assert len(first) == 4

    # 教育局 answers and corrects its leader's phone
    bot.clock.set(at(11, 26, 15))
    bot.send(leader(EDU), f"意见 {number} 建议明确学校职业健康教育内容")
    card = bot.send(leader(EDU), "分管领导 手机号码 13812345678；分管领导 办公电话 0371-68000000")
    assert "手机号码 13812345678" in card and "办公电话 0371-68000000" in card
    bot.send(leader(EDU), "确认")

    # a restart: a new process on the same database sends nothing twice
    engine = make_engine(services.settings.database_url)
    restarted = TestBot(
        services=Services(
            settings=services.settings, sessions=make_session_factory(engine), clock=clock
        ),
        clock=clock,
        sender=bot.sender,
    )
    restarted.run_job("followup.comments")
    assert drain(restarted) == []
    bot.clock.set(at(11, 27, 9, 1))
    restarted.run_job("followup.comments")
    bot.run_job("followup.comments")
    morning = drain(restarted)
    assert {p.to for p in morning} == {liaison(CIVIL), leader(CIVIL)} and len(morning) == 2
    assert "今天" in morning[0].text

    # the deadline passes: silence is recorded as 未反馈, the office is told once
    bot.clock.set(at(11, 28, 0, 5))
    restarted.run_job("followup.comments")
    bot.run_job("followup.comments")
    engine.dispose()
    closed = drain(bot)
    assert {p.to for p in closed} == {"demo-office", "demo-director"}
    assert "未反馈1个：区民政局" in closed[0].text
    assert "已于" in bot.send(liaison(CIVIL), f"意见 {number} 同意")
    with bot.session() as session:
        states = {r.unit.name: r.status for r in st.replies(session, 1)}
    assert states == {
        "区教育局": st.ANSWERED,
        "区财政局": st.NO_OPINION,
        "区人社局": st.ANSWERED,
        "区总工会": st.ANSWERED,
        "区民政局": st.SILENT,
    }

    # the summary: five annex-3 tables and an overview sheet
    reply = bot.reply(OFFICE, f"意见汇总 {number}")
    assert len(reply.documents) == 2 and "未反馈1个" in reply.text
    path, name = document_path(bot, reply.documents[0])
    assert name.endswith(".docx")
    tables = WordDocument(io.BytesIO(path.read_bytes())).tables
    assert len(tables) == 5
    by_unit = {t.rows[0].cells[1].text: t for t in tables}
    assert set(by_unit) == {
        f"{u}（加盖公章）" for u in ("区教育局", "区财政局", "区人社局", "区总工会", "区民政局")
    }
    rs = by_unit["区人社局（加盖公章）"]
    assert rs.rows[1].cells[0].text == "修改意见" and "扩面" in rs.rows[1].cells[1].text
    assert [c.text for c in rs.rows[2].cells] == ["分管领导", "姓名", "区人社局分管领导（演示）",
                                                  "职务", "副局长"]  # fmt: skip
    assert rs.rows[4].cells[0].text == "联络员" and rs.rows[5].cells[3].text == "手机号码"
    edu = by_unit["区教育局（加盖公章）"]
    assert edu.rows[3].cells[2].text == "0371-68000000"
    assert edu.rows[3].cells[4].text == "13812345678"
    assert by_unit["区财政局（加盖公章）"].rows[1].cells[1].text == "无"
    assert by_unit["区民政局（加盖公章）"].rows[1].cells[1].text == "未反馈"
    assert "职工代表" in by_unit["区总工会（加盖公章）"].rows[1].cells[1].text
    xlsx_path, xlsx_name = document_path(bot, reply.documents[1])
    sheet = load_workbook(xlsx_path).active
    rows = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert xlsx_name.endswith(".xlsx") and rows["区民政局"][2] == "未反馈"
