"""签发: freeze the co-signed minutes as a .docx, issue it to every member unit, report it.

Only when every attending unit has answered. A standing disagreement blocks sign-off until it is
settled (the unit changes to 同意, or the office redrafts); if coordination fails, the signer may
sign off with `报区政府决定`, and the dissent travels with the minutes to the district government
(seed 五(三): 协调后仍不能形成一致意见的，将有关意见和理由报区政府决定).
"""

from __future__ import annotations

from handlers.core import Context, Reply, UserError
from handlers.meetings import minutes_text as M
from handlers.meetings import text as T
from handlers.meetings.base import everyone, fmt_time, may_sign_off, unit_people
from handlers.meetings.minutes_docs import SignedMinutes, minutes_docx
from storage import audit
from storage.documents import save_document
from storage.meetings import OBJECTED, PENDING_SIGN, Meeting, MeetingMinutes, signatures
from storage.roster import member_units


def sign_off(ctx: Context, meeting: Meeting, *, escalate: bool) -> Reply:
    if not may_sign_off(ctx.sender, meeting):
        raise UserError(M.not_signer(meeting))
    minutes = ctx.session.get(MeetingMinutes, meeting.id)
    if minutes is None:
        raise UserError(M.no_minutes(meeting.number))
    if minutes.signed_off_at is not None:
        raise UserError(M.frozen(meeting.number))
    signs = signatures(ctx.session, meeting.id)
    waiting = [s.unit.name for s in signs if s.status == PENDING_SIGN]
    if waiting:
        raise UserError(M.still_waiting(meeting.number, waiting))
    objections = [s for s in signs if s.status == OBJECTED]
    if objections and not escalate:
        raise UserError(M.unresolved(meeting.number, objections))
    _freeze(ctx, meeting, minutes, objections)
    count = _issue(ctx, meeting, minutes)
    return Reply(
        text=M.signed_off(meeting, count, bool(minutes.reported_at)),
        documents=[minutes.document_id],
    )


def _freeze(ctx: Context, meeting: Meeting, minutes: MeetingMinutes, objections: list) -> None:
    person = ctx.sender.person
    minutes.signed_off_at = ctx.now
    minutes.signed_off_by = person.id if person else None
    if objections:
        minutes.signoff_note = M.escalation_note(objections)
    if meeting.kind not in ("联络员会议", "办公室会议"):  # those go to the units only
        minutes.reported_at = ctx.now
    content = minutes_docx(_signed_data(ctx, meeting, minutes))
    doc = save_document(
        ctx.session,
        ctx.files_root,
        kind="纪要",
        subject=meeting.number,
        filename=M.minutes_filename(meeting),
        content=content,
        now=ctx.now,
        created_by=minutes.signed_off_by,
    )
    minutes.document_id = doc.id
    actor = person.id if person else None
    audit.record(ctx.session, ctx.now, ctx.sender.name, "签发", meeting.number, doc.sha256, actor)
    if minutes.reported_at:
        audit.record(ctx.session, ctx.now, ctx.sender.name, "抄报区政府", meeting.number,
                     minutes.signoff_note or M.REPORTED, actor)  # fmt: skip


def _signed_data(ctx: Context, meeting: Meeting, minutes: MeetingMinutes) -> SignedMinutes:
    signs = signatures(ctx.session, meeting.id)
    return SignedMinutes(
        org_name=ctx.org_name,
        meeting=meeting,
        minutes=minutes,
        when=fmt_time(ctx, meeting.starts_at),
        attendance=[T.attendance_cell(i) for i in meeting.invites],
        signatures=signs,
        signed_off_by=ctx.sender.name,
        signed_off_on=fmt_time(ctx, ctx.now),
        sign_times={s.unit_id: fmt_time(ctx, s.signed_at) for s in signs if s.signed_at},
        confidential=meeting.released_at is None,
    )


def _issue(ctx: Context, meeting: Meeting, minutes: MeetingMinutes) -> int:
    """印发各成员单位: the file and a note to every member unit's liaison officers and leaders."""
    recipients = everyone(unit_people(ctx, [u.id for u in member_units(ctx.session)]))
    key = f"minutes:issue:{meeting.number}"
    ctx.push(recipients, M.issued_notice(meeting), key=f"{key}:text")
    payload = {"document_id": minutes.document_id, "safe": 0 if meeting.released_at else 1}
    ctx.push(recipients, kind="file", payload=payload, key=f"{key}:file")
    return len(recipients) + _issue_to_guests(ctx, meeting, minutes, key)


def _issue_to_guests(ctx: Context, meeting: Meeting, minutes: MeetingMinutes, key: str) -> int:
    """印发邀请参加会议的其他有关单位: those with a contact account get the note and the file."""
    count = 0
    for guest in (g for g in meeting.guests if g.account):
        channel = ctx.push_channels[0]
        notice = {"text": M.issued_notice(meeting)}
        count += ctx.push_to(channel, guest.account, notice, key=f"{key}:g{guest.id}:text")
        payload = {"document_id": minutes.document_id, "safe": 0 if meeting.released_at else 1}
        ctx.push_to(channel, guest.account, payload, kind="file", key=f"{key}:g{guest.id}:file")
    return count
