"""The yearly timeliness record per unit (seed 四(六) 综合考核评估) as an .xlsx workbook.

Only months whose deadline has passed count; `LIAISON_REPORT_FIRST_PERIOD` (YYYY-MM) lets an
office that started using the bot mid-year leave earlier months out instead of marking them missing.
Without it, the record starts at the month the roster was first loaded (a new install in November
counts from November, not January).
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

from handlers.core import Context
from handlers.reports import text as T
from handlers.reports.calendar import Period, ReportSchedule
from handlers.reports.status import UnitMonth, status_grid
from handlers.xlsx_style import finish_workbook
from storage.roster import Appointment

SUMMARY_HEADER = [
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
FILLS = {
    T.ON_TIME: PatternFill("solid", fgColor="C6EFCE"),
    T.LATE: PatternFill("solid", fgColor="FFEB9C"),
    T.MISSING: PatternFill("solid", fgColor="FFC7CE"),
}


def assessed_periods(ctx: Context, schedule: ReportSchedule, year: int) -> list[Period]:
    """The months of `year` whose deadline has passed (and that the office tracks)."""
    today = ctx.local().date()
    first = ctx.option("LIAISON_REPORT_FIRST_PERIOD", "")
    start = Period.parse(first) if first else roster_start(ctx) or Period(year, 1)
    periods = [Period(year, m) for m in range(1, 13)]
    return [p for p in periods if p >= start and schedule.deadline(p) < today]


def roster_start(ctx: Context) -> Period | None:
    """The month the first appointment on the roster began: when the bot started being used."""
    began = ctx.session.scalar(select(func.min(Appointment.started_at)))
    return Period.of(began.astimezone(ctx.tz).date()) if began else None


def build_assessment(
    ctx: Context, schedule: ReportSchedule, year: int
) -> tuple[bytes, list[Period], int] | None:
    """The workbook's bytes, the months counted and the number of units; None if no month is due."""
    periods = assessed_periods(ctx, schedule, year)
    if not periods:
        return None
    grid = status_grid(ctx.session, schedule, periods)
    book = Workbook()
    _summary_sheet(book.active, year, periods, grid)
    _detail_sheet(book.create_sheet("逐月明细"), periods, grid)
    finish_workbook(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), periods, len(grid)


def summary_row(number: int, row: list[UnitMonth]) -> list:
    on_time = sum(c.status == T.ON_TIME for c in row)
    late = sum(c.status == T.LATE for c in row)
    missing = [c.period for c in row if c.status == T.MISSING]
    return [
        number,
        row[0].unit.name,
        len(row),
        on_time,
        late,
        len(missing),
        on_time / len(row),
        sum(c.late_days for c in row),
        "、".join(f"{p.month}月" for p in missing),
    ]


def _summary_sheet(sheet, year: int, periods: list[Period], grid: list[list[UnitMonth]]) -> None:
    sheet.title = "考核汇总"
    sheet.append([f"{year}年各成员单位月报报送考核表（{periods[0].label}至{periods[-1].label}）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(SUMMARY_HEADER))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(SUMMARY_HEADER)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for number, row in enumerate(grid, start=1):
        sheet.append(summary_row(number, row))
        sheet.cell(row=sheet.max_row, column=7).number_format = "0.0%"
    for column, width in zip("ABCDEFGHI", (6, 26, 10, 8, 8, 8, 10, 14, 30), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "C3"


def _detail_sheet(sheet, periods: list[Period], grid: list[list[UnitMonth]]) -> None:
    sheet.append(["单位", *(p.label for p in periods)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in grid:
        sheet.append([row[0].unit.name, *(_cell_text(c) for c in row)])
        for column, cell in enumerate(row, start=2):
            sheet.cell(row=sheet.max_row, column=column).fill = FILLS[cell.status]
    sheet.column_dimensions["A"].width = 26
    for column in range(2, len(periods) + 2):
        sheet.column_dimensions[get_column_letter(column)].width = 12
    sheet.freeze_panes = "B2"


def _cell_text(cell: UnitMonth) -> str:
    return f"{T.LATE}{cell.late_days}天" if cell.status == T.LATE else cell.status
