"""One 专题会议 from notice to signed minutes, as the people involved would live it."""

from __future__ import annotations

import io
from datetime import datetime

from docx import Document as WordDocument

from storage.meetings import MeetingMinutes
from tests.handlers.meetings.helpers import (
    CONVENER,
    EDU,
    FINANCE,
    OFFICE,
    RS,
    UNION,
    answers,
    audit_actions,
    call_meeting,
    card_for,
    click,
    leader,
    liaison,
    recipients,
    run_meeting_jobs,
)
from tests.support import TZ


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def test_topic_meeting_from_notice_to_signed_minutes(bot):
    number = call_meeting(
        bot
    )  # 专题会议 on Friday 27 Nov 15:00 with 人社局, 总工会, 财政局, 教育局
    cards = bot.pushes()
    invited = {liaison(u) for u in (RS, UNION, FINANCE, EDU)}
    assert recipients(cards, "template_card") == invited and len(cards) == 4

    # answers: a card click, a delegate by card then dialogue, a refusal by text, one silence
    reply = click(bot, liaison(RS), number, "attend", card_for(cards, liaison(RS)))
    assert reply.button_label == "已选择：参加"
    reply = click(bot, liaison(FINANCE), number, "delegate", card_for(cards, liaison(FINANCE)))
    assert reply.button_label == "已选择：代参" and "姓名" in reply.text
    assert "王五 副科长" in bot.send(liaison(FINANCE), "王五 副科长")
    assert "外出执法检查" in bot.send(liaison(UNION), f"请假 {number} 外出执法检查")
    assert answers(bot, number) == {
        "区人社局": "参加",
        "区财政局": "代参",
        "区总工会": "请假",
        "区教育局": None,
    }
    board = bot.send(OFFICE, f"参会情况 {number}")
    assert "参加1，代参1，请假1，未回复1" in board
    assert "【代参】1个：区财政局（王五 副科长）" in board and "区总工会（外出执法检查）" in board

    # reminders: each once, to the right units only
    bot.clock.set(at(25, 14, 59))
    run_meeting_jobs(bot)
    assert bot.pushes() == []
    bot.clock.set(at(25, 15, 0))
    run_meeting_jobs(bot)
    unanswered = bot.pushes()
    assert recipients(unanswered) == {liaison(EDU)} and "尚未回复" in unanswered[0].text
    bot.clock.advance(minutes=5)
    run_meeting_jobs(bot)
    assert bot.pushes() == []

    bot.clock.set(at(26, 15, 5))
    run_meeting_jobs(bot)
    day_before = bot.pushes()
    assert recipients(day_before) == {liaison(RS), liaison(FINANCE)}
    assert all("明天" in p.text for p in day_before)
    assert any("王五" in p.text for p in day_before if p.to == liaison(FINANCE))

    bot.clock.set(at(27, 14, 0))
    run_meeting_jobs(bot)
    run_meeting_jobs(bot)
    hour_before = bot.pushes()
    assert recipients(hour_before) == {liaison(RS), liaison(FINANCE)} and len(hour_before) == 2
    assert all("1小时后" in p.text for p in hour_before)

    # after the start no answer changes any more
    bot.clock.set(at(27, 15, 10))
    assert "已经开始" in bot.send(liaison(EDU), f"参加 {number}")
    assert answers(bot, number)["区教育局"] is None

    # minutes go to the attending units (the delegate's unit included) for co-signing
    bot.clock.set(at(27, 17, 0))
    assert "纪要正文" in bot.send(OFFICE, f"纪要 {number}")
    preview = bot.send(
        OFFICE, "一、会议议定由区人社局牵头开展工伤保险专项检查。\n二、各单位月底前报送进展。"
    )
    assert "会签：区财政局、区人社局\n" in preview
    assert "已送2个单位会签" in bot.send(OFFICE, "确认")
    asks = bot.pushes()
    assert recipients(asks) == {liaison(RS), leader(RS), liaison(FINANCE), leader(FINANCE)}
    assert "会签 HY1 同意" in asks[0].text
    assert "会签同意" in bot.send(liaison(RS), f"会签 {number} 同意")

    # chased once a working day, only the unit that has not signed
    bot.clock.set(at(28, 10, 0))  # Saturday
    run_meeting_jobs(bot)
    assert bot.pushes() == []
    bot.clock.set(at(30, 9, 30))  # Monday
    run_meeting_jobs(bot)
    run_meeting_jobs(bot)
    chased = bot.pushes()
    assert recipients(chased) == {liaison(FINANCE), leader(FINANCE)} and len(chased) == 2
    assert "催办" in chased[0].text

    # a disagreement is routed to the convener (and the drafter), and blocks sign-off
    bot.send(leader(FINANCE), f"会签 {number} 意见 第二条应写明报送截止日期为12月25日")
    objection = bot.pushes()
    assert recipients(objection) == {CONVENER, OFFICE}
    assert all("12月25日" in p.text for p in objection)
    blocked = bot.send(CONVENER, f"签发 {number}")
    assert "不同意见" in blocked and "区财政局" in blocked

    # settled: the unit agrees; the convener is told, signs off; minutes go to every member unit
    bot.send(leader(FINANCE), f"会签 {number} 同意")
    assert recipients(bot.pushes()) == {CONVENER}
    reply = bot.reply(CONVENER, f"签发 {number}")
    assert "已签发" in reply.text and "抄报区政府" in reply.text and len(reply.documents) == 1
    issued = bot.pushes() + bot.pushes()  # the drainer sends 100 per round
    files = [p for p in issued if p.kind == "file"]
    # 32 member units × (liaison + leader), and the signer gets the file as the answer
    assert len(recipients(issued, "file") - {CONVENER}) == 64 and CONVENER in recipients(
        issued, "file"
    )
    assert files[0].payload["safe"] == 1
    signed = _docx_text(files[0].document, bot)
    for expected in (
        "会签记录",
        "区人社局",
        "王五",
        "区总工会：请假（外出执法检查）",
        "抄报：区政府",
    ):
        assert expected in signed
    assert "内部资料" in signed

    # frozen and recorded
    assert "已签发" in bot.send(OFFICE, f"纪要 {number}")
    assert "已签发" in bot.send(liaison(RS), f"会签 {number} 同意")
    with bot.session() as session:
        minutes = session.get(MeetingMinutes, int(number[2:]))
        assert minutes.reported_at == at(30, 9, 30) and minutes.document_id == files[0].document.id
    actions = [a for a, _ in audit_actions(bot, number)]
    assert actions[-2:] == ["签发", "抄报区政府"] and actions.count("会签") == 3


def _docx_text(document, bot) -> str:
    path = bot.services.settings.files_path / document.path
    doc = WordDocument(io.BytesIO(path.read_bytes()))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_a_card_click_delivered_twice_changes_nothing_the_second_time(bot):
    number = call_meeting(bot)
    card = card_for(bot.pushes(), liaison(RS))
    first = click(bot, liaison(RS), number, "attend", card, dedupe_key="wecom:demo-u09:1764")
    assert first.button_label == "已选择：参加"
    bot.send(liaison(RS), f"请假 {number} 临时有执法任务")  # a real change in between
    again = click(bot, liaison(RS), number, "attend", card, dedupe_key="wecom:demo-u09:1764")
    assert again.text == first.text and again.button_label == first.button_label
    assert answers(bot, number)["区人社局"] == "请假"
    assert bot.pushes() == []
