"""Steps shared by the follow-up tests: a 全体会议 with signed minutes, dates, draining pushes."""

from __future__ import annotations

import io
from datetime import datetime

from docx import Document as WordDocument

from tests.handlers.meetings.helpers import call_meeting
from tests.support import TZ, Push, TestBot

OFFICE, CONVENER = "demo-office", "demo-convener"
RS, UNION, FINANCE, EDU, HEALTH = "09", "15", "08", "04", "01"
MINUTES = (
    "一、由区人社局牵头开展工伤保险专项检查，区总工会配合。\n"
    "二、区总工会牵头开展职业健康宣传周活动。\n"
    "三、区财政局负责落实职业病防治专项经费。"
)


def liaison(nn: str) -> str:
    return f"demo-u{nn}-liaison"


def leader(nn: str) -> str:
    return f"demo-u{nn}-leader"


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


def drain(bot: TestBot) -> list[Push]:
    """Every push due now, however many rounds the drainer needs."""
    out: list[Push] = []
    while batch := bot.pushes():
        out += batch
    return out


def texts_to(pushes: list[Push], user: str) -> list[str]:
    return [p.text for p in pushes if p.to == user and p.kind == "text"]


def signed_full_meeting(bot: TestBot) -> str:
    """A 全体会议 on 25 Nov with 人社局, 总工会 and 财政局; minutes with three points, signed off."""
    number = call_meeting(bot, kind="1", when="2026-11-25 15:00", units=f"{RS}、{UNION}、{FINANCE}")
    for unit in (RS, UNION, FINANCE):
        bot.send(liaison(unit), f"参加 {number}")
    bot.clock.set(at(11, 25, 17))
    bot.send(OFFICE, f"纪要 {number}")
    bot.send(OFFICE, MINUTES)
    assert "已送3个单位会签" in bot.send(OFFICE, "确认")
    for unit in (RS, UNION, FINANCE):
        bot.send(liaison(unit), f"会签 {number} 同意")
    bot.clock.set(at(11, 25, 18))
    assert "已签发" in bot.send(CONVENER, f"签发 {number}")
    drain(bot)
    return number


def docx_of(bot: TestBot, document) -> WordDocument:
    path = bot.services.settings.files_path / document.path
    return WordDocument(io.BytesIO(path.read_bytes()))


def document_path(bot: TestBot, doc_id: int):
    from storage.documents import Document

    with bot.session() as session:
        doc = session.get(Document, doc_id)
        return bot.services.settings.files_path / doc.path, doc.filename
