"""Command or answer? The router's one rule, in every dialogue, as people meet it.

A keyword alone, or a keyword followed by an id (HY…, JB…, YYYY-MM, a quarter), runs as the
command and the dialogue is kept and asks its question again; anything else is the answer.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from handlers import core
from handlers.meetings import text as MT
from handlers.referrals import text as tx
from handlers.reports import text as RT
from tests.handlers.meetings.helpers import OFFICE, RS, UNION, call_meeting, click, liaison
from tests.handlers.referrals.support import REPORTER, file_report
from tests.support import TZ

HELP_HEAD = "【通用】帮助"


def test_every_dialogue_can_say_its_current_question():
    domain_flows = [f for f in core.FLOWS.values() if f.func.__module__.startswith("handlers.")]
    assert domain_flows and all(f.prompt is not None for f in domain_flows)


def test_reporter_lookup_typed_while_calling_a_meeting_runs_and_the_meeting_goes_on(bot):
    number, _code = file_report(bot)
    bot.send(OFFICE, "新建会议")
    bot.send(OFFICE, "2")
    assert MT.ASK_PLACE in bot.send(OFFICE, "2026-11-27 15:00")
    opened = bot.send(OFFICE, f"举报人 {number}")
    assert opened.startswith(f"【保密】{number} 举报人信息") and REPORTER in opened
    assert "您还在「新建会议」中" in opened and opened.endswith(MT.ASK_PLACE)
    assert MT.ASK_TOPICS in bot.send(OFFICE, "区卫健委三楼会议室")  # the place, as it should be


def test_a_month_view_typed_during_a_report_runs_and_the_report_goes_on(bot):
    rs = "demo-u09-liaison"
    bot.send(rs, "举报")
    bot.send(rs, "某某建材厂")
    viewed = bot.send(rs, "月报 查看 2026-10")
    assert "2026年10月月报尚未报送" in viewed
    assert "您还在「举报」中" in viewed and viewed.endswith(tx.ASK_PLACE)
    assert bot.send(rs, "淮河路街道") == tx.ASK_HAZARD  # the 举报 went on where it was


def test_text_that_starts_with_a_keyword_but_names_no_id_is_the_answer(bot):
    for answer in ("举报", "某某建材厂", "淮河路街道", "1"):
        bot.send(REPORTER, answer)
    described = bot.send(REPORTER, "举报人很多，车间里粉尘大，没有防护口罩。")
    assert described == tx.ASK_CONTACT  # taken as the description, not run as 举报人
    assert "情况：举报人很多" in bot.send(REPORTER, "无")
    bot.send(liaison(RS), "月报")
    bot.send(liaison(RS), "帮助企业开展职业健康培训")  # 帮助 + text: content, not 帮助
    bot.send(liaison(RS), "乙")
    assert "【工作动态】帮助企业开展职业健康培训" in bot.send(liaison(RS), "无")


def _enter_filing(bot) -> tuple[str, str]:
    bot.send(liaison(RS), "月报")
    return liaison(RS), RT.ASK_WORK


def _enter_report(bot) -> tuple[str, str]:
    bot.send(REPORTER, "举报")
    bot.send(REPORTER, "某某建材厂")
    return REPORTER, tx.ASK_PLACE


def _enter_calling(bot) -> tuple[str, str]:
    bot.send(OFFICE, "新建会议")
    return OFFICE, MT.ASK_KIND


def _enter_rsvp(bot) -> tuple[str, str]:
    number = call_meeting(bot)
    click(bot, liaison(UNION), number, "leave")
    return liaison(UNION), MT.ask_detail(number, "请假", again=True)


def _enter_minutes(bot) -> tuple[str, str]:
    number = call_meeting(bot, kind="3", units=f"{RS} {UNION}")
    bot.send(liaison(RS), f"参加 {number}")
    bot.clock.set(datetime(2026, 11, 27, 17, 0, tzinfo=TZ))
    bot.send(OFFICE, f"纪要 {number}")
    return OFFICE, f"请发送 {number} 的纪要正文，或发送 .docx 纪要文件。"


@pytest.mark.parametrize(
    "enter", [_enter_filing, _enter_report, _enter_calling, _enter_rsvp, _enter_minutes]
)
def test_help_alone_in_any_dialogue_is_answered_and_the_question_asked_again(bot, enter):
    user, question = enter(bot)
    for typed in ("帮助", "帮助？", "菜单"):
        reply = bot.send(user, typed)
        assert HELP_HEAD in reply and "您还在「" in reply and reply.endswith(question), typed
