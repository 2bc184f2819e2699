"""The office's views: the month's status (按时 / 迟交 / 未报), the month's reports by unit, and the
yearly timeliness record as .xlsx, opened with openpyxl."""

from __future__ import annotations

from datetime import datetime

import openpyxl
from sqlalchemy import update

from handlers.core import Context
from handlers.reports import text as T
from handlers.reports.calendar import Period, ReportSchedule
from handlers.reports.xlsx import assessed_periods
from storage.roster import Appointment
from tests.support import TZ

OFFICE = "demo-office"


def file(bot, nn: str, period: str, moment: tuple, text: str = "宣传") -> None:
    bot.clock.set(datetime(*moment, tzinfo=TZ))
    user = f"demo-u{nn}-liaison"
    bot.send(user, f"月报 {period} 工作动态：{text}；主要活动：活动；重大事项进展：无")
    assert "已提交" in bot.send(user, "确认")


def test_status_lists_units_as_on_time_late_and_missing_with_counts(bot):
    file(bot, "01", "2026-10", (2026, 11, 2, 10))  # October deadline: Fri 6 Nov
    file(bot, "09", "2026-10", (2026, 11, 10, 10))
    bot.clock.set(datetime(2026, 11, 23, 9, tzinfo=TZ))
    status = bot.send(OFFICE, "报送情况 2026-10")
    assert status.startswith("2026年10月月报报送情况（截止11月6日）")
    assert "按时 1 · 迟交 1 · 未报 30（共32个单位）" in status
    assert "按时（1）：区卫健委" in status and "迟交（1）：区人社局（迟4天）" in status
    assert "区教育局" in status.split("未报（30）：")[1]
    assert "尚未到期" in bot.send(OFFICE, "报送情况")  # November, before its deadline
    assert "仅限办公室" in bot.send("demo-u09-liaison", "报送情况")
    assert bot.send(OFFICE, "报送情况 2026-1x") == T.BAD_PERIOD.format(text="2026-1x")


def test_summary_groups_the_months_reports_by_unit(bot):
    file(bot, "09", "2026-11", (2026, 11, 21, 10), "人社宣传")
    file(bot, "01", "2026-11", (2026, 11, 22, 10), "卫健宣传")
    summary = bot.send(OFFICE, "月报 汇总 2026-11")
    assert "已报2个单位，未报30个" in summary
    assert summary.index("1. 区卫健委") < summary.index("【工作动态】卫健宣传")
    assert summary.index("【工作动态】卫健宣传") < summary.index("2. 区人社局")
    assert "【工作动态】人社宣传" in summary and "未报单位：区委宣传部" in summary


def test_chasing_twice_in_a_minute_does_not_double(bot):
    assert "发出催报" in bot.send(OFFICE, "催报")
    assert bot.send(OFFICE, "催报") == T.CHASED_AGAIN.format(period="2026年11月", units=32)


def roster_since(bot, moment: datetime) -> None:
    """As if the roster had been loaded at `moment` (an install in use for a while)."""
    with bot.session() as session, session.begin():
        session.execute(update(Appointment).values(started_at=moment))


def test_yearly_timeliness_record_as_xlsx(bot):
    roster_since(bot, datetime(2025, 12, 1, tzinfo=TZ))
    file(bot, "09", "2026-09", (2026, 10, 12, 10))  # on time (deadline 13 Oct)
    file(bot, "09", "2026-10", (2026, 11, 10, 10))  # 4 days late (deadline 6 Nov)
    file(bot, "01", "2026-10", (2026, 11, 6, 22))  # on time, late evening of the deadline
    bot.clock.set(datetime(2026, 11, 23, 9, tzinfo=TZ))
    reply = bot.reply(OFFICE, "月报 考核 2026")
    assert reply.text == T.ASSESS_DONE.format(
        year=2026, units=32, months=10, first="2026年1月", last="2026年10月"
    )
    (push,) = [p for p in bot.pushes(OFFICE) if p.kind == "file"]
    book = openpyxl.load_workbook(bot.services.settings.files_path / push.document.path)
    summary = book["考核汇总"]
    assert "2026年" in summary["A1"].value
    assert [c.value for c in summary[2]] == [
        "序号",
        "单位",
        "应报月数",
        "按时",
        "迟交",
        "未报",
        "按时率",
        "迟交天数合计",
        "未报月份",
    ]
    rs = [c.value for c in summary[11]]  # 区人社局 is the 9th unit
    assert rs[:8] == [9, "区人社局", 10, 1, 1, 8, 0.1, 4]
    assert rs[8] == "1月、2月、3月、4月、5月、6月、7月、8月"
    assert summary.cell(row=11, column=7).number_format == "0.0%"
    assert [c.value for c in summary[3]][3:6] == [1, 0, 9]  # 区卫健委
    detail = book["逐月明细"]
    assert detail["A1"].value == "单位" and detail["K1"].value == "2026年10月"
    assert [detail["J10"].value, detail["K10"].value] == ["按时", "迟交4天"]
    assert detail["B3"].value == "未报"


def test_assessment_leaves_out_months_before_the_first_tracked_one_and_bad_years(bot):
    with bot.session() as session:
        ctx = Context(
            session=session,
            now=datetime(2026, 11, 23, 9, tzinfo=TZ),
            tz=TZ,
            options={"LIAISON_REPORT_FIRST_PERIOD": "2026-09"},
        )
        assert assessed_periods(ctx, ReportSchedule(ctx), 2026) == [
            Period(2026, 9),
            Period(2026, 10),
        ]
    assert T.ASSESS_BAD_YEAR.format(text="二〇二六") == bot.send(OFFICE, "月报 考核 二〇二六")
    assert "无效" in bot.send(OFFICE, "月报 考核 2030")
    assert "仅限办公室" in bot.send("demo-u09-liaison", "月报 考核 2026")


def test_a_new_install_counts_from_the_month_its_roster_was_loaded(bot):
    """The demo roster is loaded on 23 Nov 2026: January to October are not 未报."""
    assert T.ASSESS_NONE.format(year=2026) == bot.send(OFFICE, "月报 考核 2026")
    file(bot, "09", "2026-11", (2026, 12, 4, 10))
    bot.clock.set(datetime(2027, 1, 4, 9, tzinfo=TZ))
    reply = bot.reply(OFFICE, "月报 考核 2026")
    assert reply.text == T.ASSESS_DONE.format(
        year=2026, units=32, months=1, first="2026年11月", last="2026年11月"
    )
