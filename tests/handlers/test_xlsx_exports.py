"""Every .xlsx the bot writes opens the same way: header frozen, columns fitted, dates as dates."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
from openpyxl import Workbook

from handlers.roster import export_rows, write_rows
from handlers.xlsx_style import finish_workbook, text_width
from tests.handlers.meetings.test_minutes import held_meeting
from tests.handlers.referrals.support import file_report
from tests.support import TZ

OFFICE = "demo-office"


def office_workbook(bot, text: str) -> openpyxl.Workbook:
    reply = bot.reply(OFFICE, text)
    assert reply.documents, reply.text
    (push,) = [p for p in bot.pushes(OFFICE) if p.kind == "file"]
    return openpyxl.load_workbook(bot.services.settings.files_path / push.document.path)


def test_finishing_a_workbook_styles_header_widths_wrap_and_dates():
    book = Workbook()
    sheet = book.active
    sheet.append(["单位", "日期", "时间", "说明"])
    sheet.append(["二七区人力资源和社会保障局", "2026-11-23", "2026-11-23 09:05", "很长" * 50])
    sheet.append(["区卫健委", datetime(2026, 12, 1, 8, 0, tzinfo=TZ), date(2027, 1, 4), None])
    finish_workbook(book)
    out = io.BytesIO()
    book.save(out)
    sheet = openpyxl.load_workbook(out).active
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    assert sheet.column_dimensions["A"].width >= text_width("二七区人力资源和社会保障局") == 26
    assert sheet.column_dimensions["D"].width == 60 and sheet["D2"].alignment.wrap_text
    assert sheet["B2"].value == datetime(2026, 11, 23) and sheet["B2"].is_date
    assert sheet["C2"].value == datetime(2026, 11, 23, 9, 5)
    assert sheet["B3"].value == datetime(2026, 12, 1, 8, 0)  # local wall time, no zone
    assert sheet["A2"].value == "二七区人力资源和社会保障局"


def test_case_export_has_a_frozen_header_fitted_columns_and_real_dates(bot):
    number, _ = file_report(bot)
    sheet = office_workbook(bot, "案件 导出 2026").active
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    assert sheet["A2"].value == number
    assert sheet.column_dimensions["A"].width >= len(number)
    dates = [c for c in sheet[2] if isinstance(c.value, datetime)]
    assert dates and dates[0].value.date() == date(2026, 11, 23) and dates[0].is_date


def test_template_and_meetings_workbooks(bot):
    template = office_workbook(bot, "预警 模板").active
    assert template.freeze_panes == "A2"
    assert any(c.is_date and c.value == datetime(2026, 11, 1) for c in template[2])
    held_meeting(bot)
    meetings = office_workbook(bot, "会议 考核 2026")
    sheet = meetings.worksheets[0]
    assert sheet.freeze_panes is not None and sheet.column_dimensions["A"].width >= 10


def test_roster_export_is_styled(bot, tmp_path):
    path = tmp_path / "名单.xlsx"
    with bot.session() as session:
        write_rows(path, export_rows(session))
    sheet = openpyxl.load_workbook(path).active
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    names = [c.value for c in sheet["A"][1:] if c.value]
    longest = max(text_width(v) for v in names)
    assert sheet.column_dimensions["A"].width >= longest
