"""Query codes cannot be guessed, and case numbers cannot be probed.

Wrong 查询 attempts are limited per sender and per case, the cool-down checks nothing, a burst on
one case alerts the office once; a liaison officer of another unit (or anyone without the role)
gets the same words for someone else's case as for a number that does not exist.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.referrals import text as tx
from storage.audit import AuditEntry
from tests.handlers.referrals.support import CONTACT, REPORTER, file_report

OFFICE = "demo-office"
RS, RS_LEADER = "demo-u09-liaison", "demo-u09-leader"  # 区人社局
EE, EE_LEADER = "demo-u10-liaison", "demo-u10-leader"  # 区生态环境分局
MISSING = "JB202611239999"


def _near_misses(code: str) -> list[str]:
    """The code with its first, then its last character changed."""
    swap = lambda c: "A" if c != "A" else "B"  # noqa: E731
    return [swap(code[0]) + code[1:], code[:-1] + swap(code[-1])]


def test_six_wrong_codes_bring_a_cool_down_and_the_right_code_works_after_it(bot):
    number, code = file_report(bot)
    for _ in range(5):
        assert bot.send("guesser", f"查询 {number} ZZZZZZ") == tx.QUERY_NOT_FOUND
    cool = bot.send("guesser", f"查询 {number} ZZZZZZ")
    assert "查询已暂停" in cool and "请于10:00后再试" in cool  # the first wrong one was at 09:00
    # during the cool-down the right code is not even looked at
    assert bot.send("guesser", f"查询 {number} {code}") == cool
    assert bot.send(REPORTER, f"查询 {number} {code}") == cool  # the case is paused for all
    bot.clock.advance(hours=1, minutes=1)
    answer = bot.send("guesser", f"查询 {number} {code}")
    assert "等待联席会议办公室受理" in answer and CONTACT not in answer


def test_near_miss_codes_and_a_wrong_number_get_the_same_refusal(bot):
    number, code = file_report(bot)
    for near in _near_misses(code):
        assert near != code
        assert bot.send("someone", f"查询 {number} {near}") == tx.QUERY_NOT_FOUND
    assert bot.send("other", f"查询 {MISSING} {code}") == tx.QUERY_NOT_FOUND
    assert "等待联席会议办公室受理" in bot.send(REPORTER, f"查询 {number} {code}")


def test_near_miss_numbers_with_the_right_code_get_the_same_refusal(bot):
    number, code = file_report(bot)
    other, _ = file_report(bot, "worker-2")  # …0002 exists: a near miss that is a real case
    digits = number[2:]
    for near in (
        f"JB{'3' + digits[1:]}",
        f"JB{digits[:-1]}{'3' if digits[-1] != '3' else '4'}",
        other,
    ):
        assert near != number
        assert bot.send(f"s-{near}", f"查询 {near} {code}") == tx.QUERY_NOT_FOUND, near
    assert "等待联席会议办公室受理" in bot.send(REPORTER, f"查询 {number} {code}")


def test_the_limit_is_per_case_across_senders_and_per_sender_across_cases(bot):
    number, code = file_report(bot)
    for i in range(5):
        assert bot.send(f"p{i}", f"查询 {number} ZZZZZZ") == tx.QUERY_NOT_FOUND
    assert "查询已暂停" in bot.send("p9", f"查询 {number} {code}")
    for i in range(5):  # one sender on five numbers (that exist or not)
        assert bot.send("roamer", f"查询 JB20261123{i + 10:04d} ZZZZZZ") == tx.QUERY_NOT_FOUND
    assert "查询已暂停" in bot.send("roamer", "查询 JB202611230099 ZZZZZZ")


def test_a_cool_down_does_not_tell_an_existing_number_from_a_missing_one(bot):
    number, _code = file_report(bot)
    for _ in range(6):
        on_case = bot.send("a", f"查询 {number} ZZZZZZ")
        on_missing = bot.send("b", f"查询 {MISSING} ZZZZZZ")
        assert on_case == on_missing


def test_a_burst_on_one_case_alerts_the_office_exactly_once(bot):
    number, code = file_report(bot)
    bot.pushes()
    for i in range(9):
        bot.send(f"bot{i}", f"查询 {number} ZZZZZZ")
    assert bot.pushes() == []
    for i in range(9, 20):
        bot.send(f"bot{i}", f"查询 {number} ZZZZZZ")
    alerts = [p for p in bot.pushes() if "【查询异常】" in p.text]
    assert sorted(p.to for p in alerts) == ["demo-director", OFFICE]
    assert number in alerts[0].text and code not in alerts[0].text
    assert all(REPORTER not in p.text and CONTACT not in p.text for p in alerts)
    for i in range(5):
        bot.send(f"late{i}", f"查询 {number} ZZZZZZ")
    assert bot.pushes() == []
    for i in range(12):  # a burst on a number that does not exist alerts nobody
        bot.send(f"x{i}", f"查询 {MISSING} ZZZZZZ")
    assert bot.pushes() == []


UNIT_COMMANDS = [
    "签收 {n}",
    "退回 {n} 不属于本单位职责",
    "申请延期 {n} 5 需等待检测报告",
    "反馈 {n} 已现场检查并责令整改",
]
OFFICE_COMMANDS = [
    "受理 {n}",
    "不予受理 {n} 不属于职业病危害问题",
    "转办 {n} 区人社局",
    "延期 {n} 5",
    "催办 {n}",
    "办结 {n} 经查属实",
    "案件 {n}",
    "举报人 {n}",
]


def _referred_to_rs(bot) -> str:
    number, _code = file_report(bot)
    bot.send(OFFICE, f"受理 {number}")
    bot.send(OFFICE, f"转办 {number} 人社局")
    bot.pushes()
    return number


@pytest.mark.parametrize("template", UNIT_COMMANDS + OFFICE_COMMANDS)
def test_another_unit_cannot_tell_a_case_number_from_a_missing_one(bot, template):
    number = _referred_to_rs(bot)
    for user in (EE, EE_LEADER, "a-stranger", RS_LEADER):
        on_case = bot.send(user, template.format(n=number))
        on_missing = bot.send(user, template.format(n=MISSING))
        assert on_case.replace(number, "编号") == on_missing.replace(MISSING, "编号"), user
        assert "区人社局" not in on_case and "宏达" not in on_case
    assert bot.pushes() == []


def test_a_case_not_yet_referred_looks_missing_to_every_unit(bot):
    number, _code = file_report(bot)
    for template in UNIT_COMMANDS:
        on_case = bot.send(RS, template.format(n=number))
        on_missing = bot.send(RS, template.format(n=MISSING))
        assert on_case.replace(number, "编号") == on_missing.replace(MISSING, "编号")
        assert "本单位没有编号为" in on_case


@pytest.mark.parametrize(
    "user", ["a-member-of-the-public", REPORTER, RS, RS_LEADER, "demo-convener"]
)
def test_only_the_office_opens_a_reporter(bot, user):
    number, _code = file_report(bot)
    answer = bot.send(user, f"举报人 {number}")
    assert "仅限办公室使用" in answer
    assert CONTACT not in answer and REPORTER not in answer.replace(user, "")
    with bot.session() as s:  # a refused look is not a look: nothing logged as one
        views = select(AuditEntry).where(AuditEntry.action == "查看举报人")
        assert s.scalars(views).all() == []
    assert CONTACT in bot.send(OFFICE, f"举报人 {number}")  # the same look by the office is logged
    with bot.session() as s:
        assert [e.subject for e in s.scalars(views)] == [number]
