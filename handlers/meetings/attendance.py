"""Who comes: 参会情况 for one meeting, 会议 for one's upcoming meetings, and the yearly .xlsx."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from handlers.core import ROSTER_ROLES, Context, Incoming, Reply, UserError, command, command_args
from handlers.meetings import text as T
from handlers.meetings.base import (
    SEPARATORS,
    answering_units,
    fmt_time,
    is_staff,
    may_view,
    meeting_args,
    upcoming_visible,
    when_bare,
)
from handlers.meetings.xlsx import attendance_workbook
from storage.documents import save_document
from storage.meetings import Meeting, meetings_between
from storage.roster import member_units

UPCOMING_DAYS = 180
MAX_LISTED = 7  # keeps 会议 within one WeCom reply


@command("参会情况", roles=ROSTER_ROLES, usage="参会情况 会议号")
def attendance(msg: Incoming, ctx: Context) -> str:
    """查看某次会议各单位的回复：参加、请假、代参、未回复。"""
    meeting, _rest = meeting_args(ctx, msg, pick=when_bare(msg, upcoming_visible))
    if not may_view(ctx, meeting):
        raise UserError(T.no_access(meeting.number))
    return T.attendance_report(meeting, fmt_time(ctx, meeting.starts_at), list(meeting.invites))


@command("会议", roles=ROSTER_ROLES, usage="会议 [会议号] / 会议 考核 年份")
def my_meetings(msg: Incoming, ctx: Context) -> Reply | str:
    """列出您（本单位）即将召开的会议；带会议号则显示该会议详情。"""
    args = command_args(msg).strip()
    if args.startswith("考核"):
        return yearly_attendance(ctx, args.removeprefix("考核").strip(SEPARATORS))
    if args:
        return _one_meeting(ctx, meeting_args(ctx, msg)[0])
    upcoming = meetings_between(ctx.session, ctx.now, ctx.now + timedelta(days=UPCOMING_DAYS))
    mine = answering_units(ctx.sender)
    if not is_staff(ctx.sender):
        upcoming = [m for m in upcoming if any(i.unit_id in mine for i in m.invites)]
    lines = [_upcoming_line(ctx, m, mine) for m in upcoming[:MAX_LISTED]]
    return T.upcoming(lines, len(upcoming) - len(lines), bool(ctx.sender.appointments))


def _upcoming_line(ctx: Context, meeting: Meeting, mine: set[int]) -> str:
    answers = [T.answer_text(i) for i in meeting.invites if i.unit_id in mine]
    return T.upcoming_line(meeting, fmt_time(ctx, meeting.starts_at), answers)


def _one_meeting(ctx: Context, meeting: Meeting) -> str:
    if not may_view(ctx, meeting):
        raise UserError(T.no_access(meeting.number))
    mine = answering_units(ctx.sender)
    answers = [T.answer_text(i) for i in meeting.invites if i.unit_id in mine]
    return T.meeting_details(meeting, fmt_time(ctx, meeting.starts_at), answers)


def yearly_attendance(ctx: Context, year_text: str) -> Reply:
    """The year's meetings by unit as .xlsx, for 综合考核 (office and convener only)."""
    if not is_staff(ctx.sender):
        raise UserError(T.STAFF_ONLY)
    if not re.fullmatch(r"\d{4}", year_text or ""):
        raise UserError(T.NEED_YEAR)
    year = int(year_text)
    start = datetime(year, 1, 1, tzinfo=ctx.tz)
    end = min(datetime(year + 1, 1, 1, tzinfo=ctx.tz), ctx.now)  # only meetings already held
    meetings = meetings_between(ctx.session, start, end) if end > start else []
    if not meetings:
        raise UserError(T.no_meetings_in(year))
    content = attendance_workbook(
        year, meetings, member_units(ctx.session), lambda m: fmt_time(ctx, m.starts_at)
    )
    doc = save_document(
        ctx.session,
        ctx.files_root,
        kind="考核表",
        subject=f"会议{year}",
        filename=f"{year}年联席会议参会情况.xlsx",
        content=content,
        now=ctx.now,
        created_by=ctx.sender.person.id if ctx.sender.person else None,
    )
    return Reply(text=T.xlsx_ready(year, len(meetings)), documents=[doc.id])
