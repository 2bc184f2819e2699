"""转办 as the office really types it, and 举报 / 反馈 answers that used to be misread.

A deadline the bot cannot read is refused (never silently the default), a fragment that fits many
units asks for more, several units at once are refused with the reason, Chinese numerals count.
"""

from __future__ import annotations

from handlers.referrals import text as tx
from tests.handlers.referrals.support import file_report

OFFICE = "demo-office"
RS = "demo-u09-liaison"  # 区人社局
USAGE = "转办 JB202611230001 区人社局 10"


def _accepted(bot, **report) -> str:
    number, _code = file_report(bot, **report)
    bot.send(OFFICE, f"受理 {number}")
    bot.pushes()
    return number


def _still_waiting(bot, number: str) -> None:
    assert "已受理（待转办）" in bot.send(OFFICE, f"案件 {number}")
    assert [p for p in bot.pushes() if "【转办单】" in p.text] == []


def test_an_unreadable_deadline_is_refused_not_defaulted(bot):
    number = _accepted(bot)
    answer = bot.send(OFFICE, f"转办 {number} 区人社局 abc")
    assert answer == tx.BAD_DEADLINE.format(text="abc", usage=USAGE)
    assert bot.send(OFFICE, f"转办 {number} 区人社局 99999") == tx.BAD_DAYS.format(usage=USAGE)
    assert bot.send(OFFICE, f"转办 {number} 区人社局 61") == tx.BAD_DAYS.format(usage=USAGE)
    assert "没有看懂期限「下下下周」" in bot.send(OFFICE, f"转办 {number} 人社局 下下下周")
    _still_waiting(bot, number)
    assert "反馈期限12月7日" in bot.send(OFFICE, f"转办 {number} 区人社局 10")


def test_chinese_numerals_in_a_period_are_read(bot):
    first, second = _accepted(bot), _accepted(bot, user="worker-2")
    assert "反馈期限12月7日" in bot.send(OFFICE, f"转办 {first} 区人社局 十个工作日")
    assert "反馈期限11月25日" in bot.send(OFFICE, f"转办 {second} 人社局 两天")
    assert "反馈期限至12月7日" in bot.send(OFFICE, f"延期 {second} 八")


def test_a_fragment_of_many_unit_names_asks_for_more(bot):
    number = _accepted(bot)
    for fragment in ("区", "局"):
        answer = bot.send(OFFICE, f"转办 {number} {fragment}")
        assert f"「{fragment}」对应多个单位" in answer and "请写出完整名称" in answer, answer
    _still_waiting(bot, number)


def test_several_units_at_once_are_refused_with_the_reason(bot):
    number = _accepted(bot)
    for units in ("区人社局、区应急管理局", "人社局，应急 10", "人社局 总工会"):
        answer = bot.send(OFFICE, f"转办 {number} {units}")
        assert "只能由一个单位承办" in answer and "区人社局" in answer, answer
    _still_waiting(bot, number)
    assert "已转办" in bot.send(OFFICE, f"转办 {number} 淮河路 街道")  # one name, two words


def test_a_report_may_name_several_hazard_types(bot):
    for answer, shown in (
        ("粉尘和噪声", "粉尘、噪声"),
        ("1、2", "粉尘、噪声"),
        ("噪音，有毒气体", "噪声、化学毒物"),
    ):
        bot.send("w", "举报")
        bot.send("w", "郑州市宏达机械制造有限公司")
        bot.send("w", "淮河路街道建设路88号")
        bot.send("w", answer)
        bot.send("w", "打磨车间粉尘很大，机器噪声也很大，工人没有防护用品。")
        assert f"危害类型：{shown}" in bot.send("w", "无")
        assert "举报已登记" in bot.send("w", "提交")
    for message in ("举报", "甲厂", "建设路"):
        bot.send("w2", message)
    assert "没有识别该危害类型" in bot.send("w2", "1、9")


def test_a_feedback_longer_than_a_report_section_is_refused(bot):
    number = _accepted(bot)
    bot.send(OFFICE, f"转办 {number} 区人社局")
    bot.send(RS, f"签收 {number}")
    answer = bot.send(RS, f"反馈 {number} " + "查" * (tx.MAX_RESULT + 1))
    assert answer == tx.RESULT_TOO_LONG.format(length=tx.MAX_RESULT + 1, limit=tx.MAX_RESULT)
    assert "办理中" in bot.send(OFFICE, f"案件 {number}")
    assert "已报送" in bot.send(RS, f"反馈 {number} " + "查" * tx.MAX_RESULT)
