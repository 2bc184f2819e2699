"""A year's worth of records, made the way people make them: in chat."""

from __future__ import annotations

from tests.handlers.meetings.helpers import call_meeting
from tests.handlers.referrals.support import file_report
from tests.support import TestBot

OFFICE = "demo-office"


def populate(bot: TestBot) -> dict[str, str]:
    """A filed monthly report, a case referred to 区人社局, a meeting; their numbers."""
    bot.send("demo-u09-liaison", "月报 工作动态：走访企业5家；主要活动：宣传周；重大事项进展：无")
    bot.send("demo-u09-liaison", "确认")
    case, _code = file_report(bot)
    bot.send(OFFICE, f"受理 {case}")
    bot.send(OFFICE, f"转办 {case} 区人社局")
    meeting = call_meeting(bot)
    bot.pushes()
    return {"case": case, "meeting": meeting}
