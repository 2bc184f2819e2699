"""Confidentiality of meeting documents (附件2 三(二)): who may read them, and the view log.

Every view is written to the audit log, so the office can say who read what and when; nothing
leaves the invited units until the office director consents (`同意公开`), and until then pushed
documents are WeCom confidential messages (safe=1: no forwarding outside, watermarked).
"""

from __future__ import annotations

from sqlalchemy import select

from handlers.core import (
    Context,
    Incoming,
    Reply,
    Role,
    UserError,
    command,
)
from handlers.meetings import minutes_text as M
from handlers.meetings import text as T
from handlers.meetings.base import (
    fmt_time,
    is_director,
    may_view,
    meeting_args,
    readable_minutes,
    when_bare,
)
from storage import audit
from storage.audit import AuditEntry
from storage.meetings import MeetingMinutes

VIEW = "查看纪要"
MAX_SHOWN = 1500


@command("纪要 查看", usage="纪要 查看 会议号")
def view_minutes(msg: Incoming, ctx: Context) -> Reply:
    """查看会议纪要（仅限受邀单位和办公室；每次查看都会登记）。"""
    meeting, _rest = meeting_args(ctx, msg, pick=when_bare(msg, readable_minutes))
    minutes = ctx.session.get(MeetingMinutes, meeting.id)
    issued = minutes is not None and minutes.signed_off_at is not None
    if not may_view(ctx, meeting, issued=issued):
        raise UserError(T.no_access(meeting.number))
    if minutes is None:
        raise UserError(M.no_minutes(meeting.number))
    person_id = ctx.sender.person.id if ctx.sender.person else None
    actor = ctx.sender.name if ctx.sender.person else f"公众 {ctx.sender.user_id}"
    state = M.minutes_state(minutes)
    audit.record(ctx.session, ctx.now, actor, VIEW, meeting.number, state, person_id)
    doc_id = minutes.document_id if issued else minutes.source_document_id
    text = minutes.text if len(minutes.text) <= MAX_SHOWN else minutes.text[:MAX_SHOWN] + "……"
    return Reply(
        text=M.minutes_view(meeting, minutes, state, text, bool(doc_id)),
        documents=[doc_id] if doc_id else [],
    )


@command("纪要 查看记录", roles={Role.OFFICE}, usage="纪要 查看记录 会议号")
def view_log(msg: Incoming, ctx: Context) -> str:
    """查看某次会议纪要被谁、在何时查看过。"""
    meeting, _rest = meeting_args(ctx, msg)
    rows = ctx.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.subject == meeting.number, AuditEntry.action == VIEW)
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()
    lines = [f"{fmt_time(ctx, r.at)} {r.actor}（{r.detail}）" for r in rows]
    return M.view_log(meeting.number, lines)


@command("同意公开", roles={Role.OFFICE}, usage="同意公开 会议号 [说明]")
def release(msg: Incoming, ctx: Context) -> str:
    """办公室主任同意对外公开某次会议的文件。"""
    if not is_director(ctx.sender):
        raise UserError(M.DIRECTOR_ONLY)
    meeting, note = meeting_args(ctx, msg)
    if meeting.released_at is not None:
        raise UserError(M.already_released(meeting.number, fmt_time(ctx, meeting.released_at)))
    meeting.released_at = ctx.now
    meeting.released_by = ctx.sender.person.id
    audit.record(ctx.session, ctx.now, ctx.sender.name, "同意公开", meeting.number, note,
                 ctx.sender.person.id)  # fmt: skip
    return M.released(meeting.number)
