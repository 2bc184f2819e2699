"""Nobody outside a meeting learns that it exists: every command that takes a meeting number
answers someone outside it exactly as it answers a number that does not exist.

Outside = the public, a liaison officer or leader of a unit that was not invited (before the
minutes are issued to every member unit).
"""

from __future__ import annotations

import pytest

from tests.handlers.meetings.helpers import (
    FINANCE,
    RS,
    UNION,
    call_meeting,
    click,
    leader,
    liaison,
)
from tests.handlers.meetings.test_minutes import held_meeting, submit

OUTSIDERS = ["wx-someone", liaison("30"), leader("30"), liaison("20")]
MISSING = "HY99"
TEMPLATES = [
    "参会情况 {n}",
    "会议 {n}",
    "纪要 查看 {n}",
    "参加 {n}",
    "请假 {n} 外出执法检查",
    "代参 {n} 张三 副科长",
    "会签 {n} 同意",
    "会签 {n} 意见 第二条请修改",
    "取消会议 {n} 时间冲突",
    "改期 {n} 2026-12-01 10:00",
    "纪要 {n} 一、议定事项",
    "签发 {n}",
    "纪要 查看记录 {n}",
    "同意公开 {n}",
]


def _same_as_missing(bot, user: str, template: str, number: str) -> str:
    on_meeting = bot.send(user, template.format(n=number))
    on_missing = bot.send(user, template.format(n=MISSING))
    assert on_meeting.replace(number, "HY") == on_missing.replace(MISSING, "HY"), (user, template)
    assert "尘肺病" not in on_meeting and "区卫健委三楼" not in on_meeting
    return on_meeting


@pytest.mark.parametrize("template", TEMPLATES)
def test_an_upcoming_meeting_looks_missing_from_outside(bot, template):
    number = call_meeting(bot)
    bot.pushes()
    for user in OUTSIDERS:
        _same_as_missing(bot, user, template, number)
    assert bot.pushes() == []
    assert "尘肺病" in bot.send(leader(RS), f"会议 {number}")  # an invited unit's leader sees it


@pytest.mark.parametrize("template", TEMPLATES)
def test_minutes_in_co_signing_look_missing_from_outside(bot, template):
    number = held_meeting(bot)
    submit(bot, number)
    bot.pushes()
    for user in OUTSIDERS:
        _same_as_missing(bot, user, template, number)
    assert bot.pushes() == []


def test_the_public_and_another_unit_get_not_found_in_words(bot):
    number = call_meeting(bot)
    for user in ("wx-someone", liaison("30"), leader("30")):
        answer = bot.send(user, f"纪要 查看 {number}")
        assert answer.startswith(f"没有找到会议 {number}"), (user, answer)
    for user in (liaison("30"), leader("30")):
        assert bot.send(user, f"参会情况 {number}").startswith(f"没有找到会议 {number}")
        assert bot.send(user, f"参加 {number}").startswith(f"没有找到会议 {number}")


def test_a_forged_card_click_on_another_units_meeting_looks_missing(bot):
    number = call_meeting(bot)
    on_meeting = click(bot, liaison("30"), number, "attend").text
    on_missing = click(bot, liaison("30"), MISSING, "attend").text
    assert on_meeting.replace(number, "HY") == on_missing.replace(MISSING, "HY")


def test_issued_minutes_are_known_to_every_member_unit_but_not_the_public(bot):
    number = held_meeting(bot, units=f"{RS}、{FINANCE}")
    submit(bot, number)
    for unit in (RS, FINANCE):
        bot.send(liaison(unit), f"会签 {number} 同意")
    assert "已签发" in bot.send("demo-convener", f"签发 {number}")
    assert "一、议定事项" in bot.send(liaison("30"), f"纪要 查看 {number}")
    _same_as_missing(bot, "wx-someone", "纪要 查看 {n}", number)
    assert "没有找到" not in bot.send(liaison(UNION), f"纪要 查看 {number}")
