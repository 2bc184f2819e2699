"""One look for every .xlsx the bot writes: a bold shaded header that stays frozen on screen,
columns as wide as their content (a CJK character counts two), long text wrapped, dates as real
Excel dates. Call `finish_workbook(book)` just before `book.save(...)`.

A sheet that opens with a title row (one merged cell) keeps it: the header is the first row with
two or more values. Strings that are ISO dates (`2026-11-23`, `2026-11-23 09:05`) and Python
dates become date cells, so sorting and filtering in Excel work; an aware datetime is written
as its local wall time (Excel has no time zones).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
HEADER_FONT = Font(bold=True)
THIN = Side(style="thin", color="BFBFBF")
HEADER_BORDER = Border(bottom=THIN)
DATE_FORMAT = "yyyy-mm-dd"
MOMENT_FORMAT = "yyyy-mm-dd hh:mm"
MIN_WIDTH, MAX_WIDTH = 6, 60
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def text_width(value: object) -> int:
    """Display width of a cell's text: East Asian wide and full-width characters count two."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    lines = str(value).split("\n")
    return max(
        sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in lines
    )


def as_date(value: object) -> date | datetime | None:
    """The date a cell value stands for, or None."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        match = _ISO.match(value.strip())
        if match:
            parts = [int(p) for p in match.groups() if p is not None]
            try:
                return datetime(*parts) if len(parts) > 3 else date(*parts)
            except ValueError:
                return None
    return None


def header_row(sheet) -> int:
    """The first row with two or more values (a merged title row above it is skipped)."""
    for row in sheet.iter_rows(min_row=1, max_row=min(sheet.max_row, 5)):
        if sum(cell.value not in (None, "") for cell in row) >= 2:
            return row[0].row
    return 1


def finish_sheet(sheet, header: int | None = None, freeze_columns: int = 0) -> None:
    """Style the header, freeze it, fit widths, wrap long text, turn date strings into dates."""
    if sheet.max_row < 1 or sheet.max_column < 1:
        return
    header = header or header_row(sheet)
    widths: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=header):
        for cell in row:
            if cell.value is None or type(cell).__name__ == "MergedCell":
                continue
            if cell.row == header:
                cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, HEADER_BORDER
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            else:
                _date_cell(cell)
                if isinstance(cell.value, str):
                    cell.alignment = Alignment(vertical="top", wrap_text=True)
            widths[cell.column] = max(widths.get(cell.column, 0), text_width(cell.value))
    for column, width in widths.items():
        letter = get_column_letter(column)
        fitted = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
        current = sheet.column_dimensions[letter].width
        explicit = sheet.column_dimensions[letter].customWidth
        sheet.column_dimensions[letter].width = max(fitted, current) if explicit else fitted
    sheet.freeze_panes = (
        sheet.freeze_panes or f"{get_column_letter(freeze_columns + 1)}{header + 1}"
    )
    sheet.print_title_rows = f"{header}:{header}"


def _date_cell(cell) -> None:
    found = as_date(cell.value)
    if found is None:
        return
    cell.value = found
    if cell.number_format in ("General", DATE_FORMAT, MOMENT_FORMAT):
        cell.number_format = MOMENT_FORMAT if isinstance(found, datetime) else DATE_FORMAT


def finish_workbook(book, freeze_columns: int = 0) -> None:
    """`finish_sheet` on every sheet of the workbook."""
    for sheet in book.worksheets:
        finish_sheet(sheet, freeze_columns=freeze_columns)
