"""The yearly attendance workbook: one row per member unit, one column per meeting, for 考核."""

from __future__ import annotations

import io
from collections.abc import Callable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from handlers.meetings import text as T
from handlers.xlsx_style import finish_workbook
from storage.meetings import ATTEND, DELEGATE, LEAVE, Meeting, MeetingInvite
from storage.roster import Unit

TOTALS = ("应参会", ATTEND, DELEGATE, LEAVE, T.NO_ANSWER, "出席率")


def attendance_workbook(
    year: int, meetings: list[Meeting], units: list[Unit], when: Callable[[Meeting], str]
) -> bytes:
    """Cells say 参加 / 代参（姓名）/ 请假（原因）/ 未回复, or stay empty where not invited."""
    book = Workbook()
    sheet = book.active
    sheet.title = f"{year}年参会情况"
    heads = ["成员单位", *(f"{m.number} {m.kind}\n{when(m)}" for m in meetings), *TOTALS]
    sheet.append(heads)
    by_unit = [{i.unit_id: i for i in m.invites} for m in meetings]
    for unit in units:
        sheet.append(_unit_row(unit, [invites.get(unit.id) for invites in by_unit]))
    _style(sheet, len(meetings))
    _meeting_sheet(book, meetings, when)
    finish_workbook(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _unit_row(unit: Unit, invites: list[MeetingInvite | None]) -> list:
    """The unit's answer to each meeting (None: not invited), then its totals."""
    cells: list[str] = []
    tally = dict.fromkeys((ATTEND, DELEGATE, LEAVE, T.NO_ANSWER), 0)
    invited = 0
    for invite in invites:
        if invite is None:
            cells.append("")
            continue
        invited += 1
        tally[invite.answer or T.NO_ANSWER] += 1
        cells.append(T.answer_text(invite))
    present = tally[ATTEND] + tally[DELEGATE]
    rate = f"{present / invited:.0%}" if invited else ""
    return [unit.name, *cells, invited, *tally.values(), rate]


def _style(sheet, n_meetings: int) -> None:
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet.column_dimensions["A"].width = 26
    for col in range(2, n_meetings + 2):
        sheet.column_dimensions[get_column_letter(col)].width = 18
    sheet.freeze_panes = "B2"


def _meeting_sheet(book: Workbook, meetings: list[Meeting], when: Callable[[Meeting], str]) -> None:
    sheet = book.create_sheet("会议列表")
    sheet.append(["会议号", "类型", "时间", "地点", "议题"])
    for meeting in meetings:
        sheet.append([meeting.number, meeting.kind, when(meeting), meeting.place, meeting.topics])
