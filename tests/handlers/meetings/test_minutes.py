"""Minutes: .docx drafts, redrafts, escalated disagreement, 联络员会议 sign-off, confidentiality."""

from __future__ import annotations

import io
from datetime import datetime

from docx import Document as WordDocument
from openpyxl import load_workbook

from storage.meetings import MeetingMinutes
from tests.handlers.meetings.helpers import (
    CONVENER,
    DIRECTOR,
    EDU,
    FINANCE,
    OFFICE,
    RS,
    UNION,
    audit_actions,
    call_meeting,
    leader,
    liaison,
    recipients,
    run_meeting_jobs,
)
from tests.support import TZ

AFTER = datetime(2026, 11, 27, 16, 30, tzinfo=TZ)


def docx_bytes(*paragraphs: str) -> bytes:
    doc = WordDocument()
    for text in paragraphs:
        doc.add_paragraph(text)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def held_meeting(bot, kind: str = "2", units: str = f"{RS}、{UNION}、{FINANCE}") -> str:
    """A meeting that took place with 人社局 and 财政局 attending, 总工会 absent."""
    number = call_meeting(bot, kind=kind, units=units)
    bot.send(liaison(RS), f"参加 {number}")
    bot.send(liaison(FINANCE), f"代参 {number} 王五 副科长")
    bot.send(liaison(UNION), f"请假 {number} 外出")
    bot.clock.set(AFTER)
    bot.pushes()
    return number


def submit(bot, number: str, text: str = "一、议定事项。", user: str = OFFICE) -> str:
    bot.send(user, f"纪要 {number}")
    bot.send(user, text)
    return bot.send(user, "确认")


def test_minutes_from_a_docx_file_go_out_with_the_file(bot):
    number = held_meeting(bot)
    bot.send(OFFICE, f"纪要 {number}")
    assert ".docx" in bot.send(OFFICE, "", kind="file", file_name="纪要.pdf", file_bytes=b"%PDF")
    broken = bot.send(OFFICE, "", kind="file", file_name="纪要.docx", file_bytes=b"not a zip")
    assert "无法读取" in broken
    content = docx_bytes("一、区人社局牵头开展工伤保险专项检查。", "二、月底前报送进展。")
    preview = bot.send(OFFICE, "", kind="file", file_name="HY纪要.docx", file_bytes=content)
    assert "工伤保险专项检查" in preview and "区财政局、区人社局" in preview
    assert "已送2个单位会签" in bot.send(OFFICE, "确认")
    asks = bot.pushes()
    assert (
        recipients(asks)
        == recipients(asks, "file")
        == {
            liaison(RS),
            leader(RS),
            liaison(FINANCE),
            leader(FINANCE),
        }
    )
    sent_file = next(p for p in asks if p.kind == "file").document
    assert sent_file.filename == "HY纪要.docx" and sent_file.subject == number


def test_minutes_wait_for_the_meeting_and_only_the_office_drafts_them(bot):
    number = call_meeting(bot)
    assert "尚未召开" in bot.send(OFFICE, f"纪要 {number}")
    bot.clock.set(AFTER)
    assert "仅限" in bot.send(liaison(RS), f"纪要 {number}")
    assert "还没有提交纪要" in bot.send(CONVENER, f"签发 {number}")
    assert "还没有提交纪要" in bot.send(liaison(RS), f"会签 {number} 同意")


def test_a_redraft_voids_earlier_cosigns_and_is_chased_anew(bot):
    number = held_meeting(bot)
    submit(bot, number)
    bot.send(liaison(RS), f"会签 {number} 同意")
    assert "请发送「会签" in bot.send(liaison(RS), f"会签 {number} 好的")
    assert "不在" in bot.send(liaison(UNION), f"会签 {number} 同意")  # absent units do not sign
    assert "第2稿" in submit(bot, number, "一、议定事项（修改稿）。")
    assert "尚有单位未会签：区财政局、区人社局" in bot.send(CONVENER, f"签发 {number}")
    bot.pushes()
    bot.clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=TZ))
    run_meeting_jobs(bot)
    chased = bot.pushes()
    assert recipients(chased) == {liaison(RS), leader(RS), liaison(FINANCE), leader(FINANCE)}
    assert all("第2稿" in p.text for p in chased)


def test_an_unresolved_disagreement_is_signed_off_and_reported_with_the_dissent(bot):
    number = held_meeting(bot)
    submit(bot, number)
    bot.send(liaison(RS), f"会签 {number} 同意")
    bot.send(liaison(FINANCE), f"会签 {number} 意见 经费来源不明确")
    assert "仅限" in bot.send(liaison(RS), f"签发 {number}")
    assert "签发权限" in bot.send(DIRECTOR, f"签发 {number}")  # a 专题会议 is the convener's
    reply = bot.reply(CONVENER, f"签发 {number} 报区政府决定")
    assert "已签发" in reply.text
    with bot.session() as session:
        minutes = session.get(MeetingMinutes, int(number[2:]))
        assert "经费来源不明确" in minutes.signoff_note and minutes.reported_at == AFTER
    assert ("抄报区政府", "召集人（演示）") in audit_actions(bot, number)


def test_liaison_meeting_minutes_are_signed_off_by_the_office_director(bot):
    number = held_meeting(bot, kind="3")
    submit(bot, number)
    bot.pushes()
    bot.send(liaison(RS), f"会签 {number} 同意")
    bot.send(leader(FINANCE), f"会签 {number} 同意")
    ready = bot.pushes()
    assert recipients(ready) == {DIRECTOR}
    assert "办公室主任" in bot.send(CONVENER, f"签发 {number}")
    assert "签发权限" in bot.send(OFFICE, f"签发 {number}")
    reply = bot.reply(DIRECTOR, f"签发 {number}")
    assert "已签发" in reply.text and "抄报区政府" not in reply.text
    with bot.session() as session:
        assert session.get(MeetingMinutes, int(number[2:])).reported_at is None


def test_documents_stay_with_invited_units_and_every_view_is_logged(bot):
    number = held_meeting(bot)
    submit(bot, number, "一、内部讨论事项。")
    outsider, public = liaison("30"), "wx-someone"
    assert "没有找到会议" in bot.send(outsider, f"纪要 查看 {number}")
    assert "没有找到会议" in bot.send(public, f"纪要 查看 {number}")
    seen = bot.send(liaison(UNION), f"纪要 查看 {number}")  # invited though absent
    assert "内部讨论事项" in seen and "不得对外公布" in seen
    assert "仅限" in bot.send(liaison(RS), f"纪要 查看记录 {number}")
    log = bot.send(OFFICE, f"纪要 查看记录 {number}")
    assert "1次" in log and "区总工会联络员（演示）" in log

    assert "办公室主任" in bot.send(OFFICE, f"同意公开 {number}")
    assert "已登记" in bot.send(DIRECTOR, f"同意公开 {number} 经审核可公开")
    assert "已于" in bot.send(DIRECTOR, f"同意公开 {number}")
    assert "内部讨论事项" in bot.send(public, f"纪要 查看 {number}")
    assert "公众 wx-someone" in bot.send(OFFICE, f"纪要 查看记录 {number}")
    assert ("同意公开", "办公室主任（演示）") in audit_actions(bot, number)


def test_issued_minutes_reach_every_member_unit_and_are_readable_there(bot):
    number = held_meeting(bot, units=f"{RS}、{UNION}")
    submit(bot, number)
    bot.send(liaison(RS), f"会签 {number} 同意")
    bot.send(CONVENER, f"签发 {number}")
    reply = bot.reply(liaison(EDU), f"纪要 查看 {number}")  # not invited, but a member unit
    assert "已签发" in reply.text and len(reply.documents) == 1
    assert "没有找到会议" in bot.send("wx-someone", f"纪要 查看 {number}")


def test_yearly_attendance_workbook_by_unit(bot):
    first = held_meeting(bot)
    bot.clock.set(datetime(2026, 11, 28, 9, 0, tzinfo=TZ))
    second = call_meeting(bot, when="2026-12-01 10:00", units=f"{RS}、{EDU}")
    bot.send(liaison(RS), f"请假 {second} 值班")
    assert "仅限" in bot.send(liaison(RS), "会议 考核 2026")
    assert "年份" in bot.send(OFFICE, "会议 考核 今年")
    assert "还没有已召开的会议" in bot.send(OFFICE, "会议 考核 2025")
    bot.clock.set(datetime(2026, 12, 31, 12, 0, tzinfo=TZ))
    reply = bot.reply(OFFICE, "会议 考核 2026")
    assert "共2次会议" in reply.text and len(reply.documents) == 1
    sheet = _workbook(bot, reply.documents[0]).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == 32
    head = [c.value for c in sheet[1]]
    assert head[1].startswith(first) and head[2].startswith(second)
    assert rows["区人社局"][1:] == ("参加", "请假（值班）", 2, 1, 0, 1, 0, "50%")
    assert rows["区财政局"][1:4] == ("代参（王五 副科长）", None, 1)
    assert rows["区教育局"][-3:] == (0, 1, "0%")
    assert rows["区卫健委"][-1] is None


def _workbook(bot, doc_id: int):
    from storage.documents import Document

    with bot.session() as session:
        doc = session.get(Document, doc_id)
    return load_workbook(io.BytesIO((bot.services.settings.files_path / doc.path).read_bytes()))
