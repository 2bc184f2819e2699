"""The mistakes real people make with the report commands: a month written loosely or after the
unit, an abbreviated unit, a command sent in the middle of a filing, pasted text, a second role.
Each gets the right month, unit or a clear Chinese answer; nothing is filed or shown by accident."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from handlers.reports import text as T
from handlers.reports.filing import USAGE
from storage.reports import MonthlyReport
from storage.roster import Appointment, find_person, unit_by_name
from tests.support import TZ

RS = "demo-u09-liaison"  # 区人社局
OFFICE = "demo-office"


def stored(bot) -> list[MonthlyReport]:
    with bot.session() as session:
        return list(session.scalars(select(MonthlyReport).order_by(MonthlyReport.id)))


def test_a_month_written_loosely_is_the_month_meant(bot):
    # 2026-11-23: October's and November's windows are open.
    for text in ("月报 10月", "月报 上月", "月报 202610", "月报 十月", "月报 2026年10月"):
        assert "区人社局2026年10月月报" in bot.send(RS, text), text
        bot.send(RS, "取消")
    assert "2026年11月月报" in bot.send(RS, "月报 本月")
    bot.send(RS, "取消")
    assert bot.send(RS, "月报 开展了宣传") == T.UNKNOWN_ARG.format(word="开展了宣传", usage=USAGE)
    assert "2026年10月月报报送情况" in bot.send(OFFICE, "报送情况 10月")
    assert "2026年10月月报汇总" in bot.send(OFFICE, "月报 汇总 上月")
    assert "没有识别「多余」" in bot.send(OFFICE, "报送情况 11月 多余")
    assert stored(bot) == []


def test_the_month_after_the_unit_name_is_not_ignored(bot):
    bot.send(RS, "月报 2026-10 工作动态：十月动态；主要活动：乙；重大事项进展：无")
    bot.send(RS, "确认")
    assert "十月动态" in bot.send(OFFICE, "月报 查看 区人社局 2026-10")
    assert "十月动态" in bot.send(RS, "月报 查看 10月")
    assert "2026年11月月报尚未报送" in bot.send(OFFICE, "月报 查看 区人社局 2026-11")


def test_an_abbreviated_unit_name_is_understood_or_asked_about(bot):
    bot.send(RS, "月报 工作动态：甲；主要活动：乙；重大事项进展：无")
    bot.send(RS, "确认")
    assert bot.send(OFFICE, "月报 查看 人社局").startswith("区人社局2026年11月月报（第1版")
    assert "马寨经济开发区管委会、马寨镇人民政府" in bot.send(OFFICE, "月报 查看 马寨")
    assert bot.send("demo-u15-liaison", "月报 人社") == T.NOT_LIAISON_OF.format(unit="区人社局")
    assert bot.send("demo-u15-liaison", "月报 查看 人社局") == T.NOT_YOUR_UNIT


def test_a_command_sent_in_the_middle_of_a_filing_runs_and_is_not_saved_as_its_content(bot):
    bot.send(RS, "月报")
    for command in ("月报 查看 2026-10", "参加 hy1", "报送情况 2026年10月", "报送情况"):
        reply = bot.send(RS, command)
        assert "您还在「月报」中" in reply and reply.endswith(T.ASK_WORK), command
    assert "2026年10月月报尚未报送" in bot.send(RS, "月报 查看 2026-10")
    assert bot.send(RS, "确认") == T.NOT_YET.format(step="工作动态")
    bot.send(RS, "帮助企业开展培训")  # starts like a command but is content
    assert bot.send(RS, "修改") == T.NOT_YET.format(step="主要活动")
    bot.send(RS, "乙")
    preview = bot.send(RS, "无")
    assert "【工作动态】帮助企业开展培训" in preview and "参加" not in preview
    assert bot.send(RS, "参加 HY1").endswith(preview)  # the preview is shown again
    assert bot.send(RS, "确定。").startswith("已提交区人社局2026年11月月报（第1版）")
    assert [r.work_dynamics for r in stored(bot)] == ["帮助企业开展培训"]


def test_commas_as_separators_and_pasted_control_characters_are_cleaned(bot):
    preview = bot.send(RS, "月报 工作动态：甲，主要活动：乙，重大事项进展：暂无。")
    assert "【工作动态】甲\n【主要活动】乙\n【重大事项进展】无" in preview
    bot.send(RS, "取消")
    bot.send(RS, "月报")
    bot.send(RS, "第一行\x0b第二行\x07\r\n第三行")
    bot.send(RS, "乙")
    bot.send(RS, "无")
    bot.send(RS, "确认")
    assert stored(bot)[0].work_dynamics == "第一行\n第二行\n第三行"
    # …so the bulletin (whose XML cannot hold control characters) builds
    assert "已生成" in bot.send(OFFICE, "简报 生成 2026Q4")


def test_a_replacement_says_the_earlier_version_is_kept_and_how_late_ones_count(bot, clock):
    bot.send(RS, "月报 工作动态：第一稿；主要活动：乙；重大事项进展：无")
    bot.send(RS, "确认")
    bot.send(RS, "月报 工作动态：第二稿；主要活动：乙；重大事项进展：无")
    again = bot.send(RS, "确认")
    assert again.endswith(T.REPLACED) and "草稿" not in again
    clock.set(datetime(2026, 12, 9, 10, 0, tzinfo=TZ))  # deadline was Mon 7 Dec
    bot.send(RS, "月报 2026-11 工作动态：第三稿；主要活动：乙；重大事项进展：无")
    late = bot.send(RS, "确认")
    assert "第3版" in late and "12月7日" in late and "首次报送（11月23日，按时）" in late
    assert "（第3版，按时）" in bot.send(RS, "月报 查看 2026-11")


def test_a_liaison_of_two_units_names_the_unit_even_abbreviated(bot):
    with bot.session() as session:
        person = find_person(session, RS)
        union = unit_by_name(session, "区总工会")
        session.add(
            Appointment(
                person_id=person.id,
                unit_id=union.id,
                role="联络员",
                started_at=datetime(2026, 1, 1, tzinfo=TZ),
            )
        )
        session.commit()
    assert "区人社局、区总工会" in bot.send(RS, "月报")
    assert "区总工会2026年11月月报" in bot.send(RS, "月报 总工会")
    bot.send(RS, "取消")
    assert "区总工会2026年10月月报" in bot.send(RS, "月报 10月 总工会")
