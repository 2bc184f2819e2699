"""Filing monthly reports by chat: the guided conversation, the one-message form, replacing,
confidentiality and bad input (which is answered in Chinese and stores nothing)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from handlers.reports import text as T
from storage.reports import MonthlyReport, ReportVersion
from tests.support import TZ

RS = "demo-u09-liaison"  # 区人社局
RS_LEADER = "demo-u09-leader"
EDU = "demo-u04-liaison"  # 区教育局


def file_report(
    bot, user: str, a: str = "开展宣传", b: str = "培训一次", c: str = "无", period: str = ""
) -> str:
    head = f"月报 {period} " if period else "月报 "
    bot.send(user, f"{head}工作动态：{a}；主要活动：{b}；重大事项进展：{c}")
    return bot.send(user, "确认")


def count(bot, model) -> int:
    with bot.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_guided_conversation_files_three_sections_after_preview(bot):
    start = bot.send(RS, "月报")
    assert "区人社局2026年11月月报" in start and "工作动态" in start
    assert "主要活动" in bot.send(RS, "开展《职业病防治法》宣传周活动")
    assert "重大事项进展" in bot.send(RS, "组织用人单位培训2场")
    preview = bot.send(RS, "无")
    assert "【工作动态】开展《职业病防治法》宣传周活动" in preview
    assert "【重大事项进展】无" in preview and "确认" in preview
    assert count(bot, MonthlyReport) == 0  # nothing stored before 确认
    done = bot.send(RS, "确认")
    assert done.startswith("已提交区人社局2026年11月月报（第1版），按时")
    with bot.session() as session:
        report = session.scalars(select(MonthlyReport)).one()
        assert (report.period, report.version, report.late) == ("2026-11", 1, False)
        assert report.work_dynamics == "开展《职业病防治法》宣传周活动"
        assert report.major_progress == "无"


def test_modify_one_section_from_the_preview(bot):
    bot.send(RS, "月报 工作动态：甲；主要活动：乙；重大事项进展：丙")
    assert bot.send(RS, "修改") == T.ASK_WHICH
    assert "主要活动" in bot.send(RS, "主要活动")
    preview = bot.send(RS, "走访企业5家")
    assert "【主要活动】走访企业5家" in preview and "【工作动态】甲" in preview
    bot.send(RS, "确认")
    with bot.session() as session:
        assert session.scalars(select(MonthlyReport)).one().main_activities == "走访企业5家"


def test_cancel_leaves_nothing(bot):
    bot.send(RS, "月报")
    bot.send(RS, "内容")
    assert "已退出" in bot.send(RS, "取消")
    assert count(bot, MonthlyReport) == 0


def test_previous_months_major_items_are_shown_for_update(bot, clock):
    clock.set(datetime(2026, 10, 22, 10, 0, tzinfo=TZ))
    file_report(bot, RS, c="尘肺病专项治理：已排查30家，整改中")
    clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=TZ))
    bot.send(RS, "月报")
    bot.send(RS, "动态")
    prompt = bot.send(RS, "活动")
    assert "上月（2026年10月）" in prompt and "尘肺病专项治理：已排查30家，整改中" in prompt


def test_second_filing_before_deadline_replaces_and_keeps_the_first(bot, clock):
    file_report(bot, RS, a="第一稿")
    clock.advance(days=1)
    # another unit's liaison meanwhile sees its own menu, untouched by RS's report
    assert "您的身份：联络员" in bot.send(EDU, "帮助")
    assert "本月已报送第1版，这次提交将替换它" in bot.send(RS, "月报")
    bot.send(RS, "取消")
    reply = file_report(bot, RS, a="第二稿")
    assert "第2版" in reply and T.REPLACED in reply and "按时" in reply
    with bot.session() as session:
        report = session.scalars(select(MonthlyReport)).one()
        versions = session.scalars(select(ReportVersion).order_by(ReportVersion.version)).all()
    assert report.work_dynamics == "第二稿" and report.version == 2
    assert [v.work_dynamics for v in versions] == ["第一稿", "第二稿"]
    view = bot.send(RS, "月报 查看")
    assert "第二稿" in view and "历史版本：第1版" in view


def test_filing_after_the_deadline_is_late(bot, clock):
    # November's deadline is the 5th working day of December 2026: Monday 7 December.
    clock.set(datetime(2026, 12, 7, 23, 30, tzinfo=TZ))
    assert "按时" in file_report(bot, EDU, period="2026-11")
    clock.set(datetime(2026, 12, 9, 10, 0, tzinfo=TZ))
    reply = file_report(bot, RS, period="2026-11")
    assert "迟交" in reply and "12月7日" in reply
    with bot.session() as session:
        late = session.scalar(select(MonthlyReport).where(MonthlyReport.unit_id == 9))
    assert late.late is True
    assert "迟交2天" in bot.send(RS, "月报 查看 2026-11")


def test_other_units_and_the_public_never_see_a_report(bot):
    file_report(bot, RS, a="机密动态")
    assert bot.send(EDU, "月报 查看 2026-11 区人社局") == T.NOT_YOUR_UNIT
    assert "机密动态" not in bot.send(EDU, "月报 查看")
    assert "仅限" in bot.send("stranger", "月报 查看 2026-11 区人社局")
    assert "仅限" in bot.send(EDU, "月报 汇总")
    assert "机密动态" in bot.send(RS_LEADER, "月报 查看")  # the unit's leader may
    assert "机密动态" in bot.send("demo-office", "月报 查看 2026-11 区人社局")


def test_bad_input_is_answered_and_stores_nothing(bot):
    bot.send(RS, "月报")
    assert bot.send(RS, "   ") == T.EMPTY_SECTION.format(section="工作动态")
    too_long = bot.send(RS, "字" * 20000)
    assert "20000字" in too_long and "2000字" in too_long
    assert "主要活动" in bot.send(RS, "正常内容")  # still in the conversation, moves on
    bot.send(RS, "取消")
    assert bot.send(RS, "月报 2026-13") == T.BAD_PERIOD.format(text="2026-13")
    assert "缺少：主要活动" in bot.send(RS, "月报 工作动态：甲；重大事项进展：丙")
    assert "不能为空" in bot.send(RS, "月报 工作动态：；主要活动：乙；重大事项进展：丙")
    assert "仅限联络员" in bot.send("demo-office", "月报")
    assert "仅限联络员" in bot.send("stranger", "月报 工作动态：甲；主要活动：乙；重大事项进展：丙")
    assert "开放填报" in bot.send(RS, "月报 2026-12")
    assert count(bot, MonthlyReport) == 0 and count(bot, ReportVersion) == 0
