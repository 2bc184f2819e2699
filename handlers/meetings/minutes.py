"""Minutes (纪要): drafted by the office, co-signed by the units that attended, then signed off.

Seed 附件1 四(一) and 附件2 二(一): 纪要经与会单位会签同意，由召集人签发，印发各成员单位，并抄报区政府.
The co-sign set is the units that answered 参加 or 代参; a disagreement (意见) goes to whoever signs
off, who settles it (五(三)); once signed off the minutes are frozen as a .docx and issued.
"""

from __future__ import annotations

import re

from handlers.core import (
    Context,
    Conversation,
    Incoming,
    Reply,
    Role,
    UserError,
    command,
    flow,
)
from handlers.meetings import minutes_text as M
from handlers.meetings import text as T
from handlers.meetings.base import (
    UNIT_ROLES,
    answering_units,
    awaiting_my_cosign,
    awaiting_my_signoff,
    choose_unit,
    meeting_args,
    signers,
    unit_people,
    when_bare,
)
from handlers.meetings.minutes_docs import docx_text
from handlers.meetings.minutes_issue import sign_off
from storage import audit
from storage.documents import save_document
from storage.meetings import (
    AGREED,
    OBJECTED,
    Meeting,
    MeetingMinutes,
    MinutesSignature,
    signatures,
)
from storage.roster import Person

FLOW = "会议纪要"
EXCERPT = 600
CONFIRM_WORDS = ("确认", "确定", "是")
# 会签 HY12 同意 / 意见 内容 / 不同意 内容, whatever punctuation people put after the verdict
_VERDICT = re.compile(r"^(不同意|同意|意见)[\s\u3000,，、;；:：。.!！]*(.*)$", re.DOTALL)


def require_draftable(ctx: Context, meeting: Meeting) -> MeetingMinutes | None:
    """Minutes can be (re)drafted once the meeting has begun and until they are signed off."""
    if meeting.cancelled_at is not None:
        raise UserError(T.cancelled(meeting.number))
    if meeting.starts_at > ctx.now:
        raise UserError(M.not_held_yet(meeting.number))
    minutes = ctx.session.get(MeetingMinutes, meeting.id)
    if minutes is not None and minutes.signed_off_at is not None:
        raise UserError(M.frozen(meeting.number))
    return minutes


@command("纪要", roles={Role.OFFICE}, usage="纪要 会议号 [正文]")
def draft_minutes(msg: Incoming, ctx: Context) -> str:
    """提交会议纪要（正文或 .docx 文件），送参会单位会签。"""
    meeting, text = meeting_args(ctx, msg)
    require_draftable(ctx, meeting)
    convo = ctx.start_conversation(FLOW, "text", meeting_id=meeting.id)
    if text:
        return _take_text(ctx, convo, meeting, text, None)
    return M.ask_minutes(meeting.number)


def current_question(ctx: Context, convo: Conversation) -> str:
    if convo.step == "confirm":
        return M.ASK_CONFIRM_MINUTES
    return M.ask_minutes(ctx.session.get(Meeting, convo.data["meeting_id"]).number)


@flow(FLOW, prompt=current_question)
def minutes_dialogue(msg: Incoming, ctx: Context, convo: Conversation) -> str:
    """Step `text`: the minutes as text or .docx; step `confirm`: 确认 sends them for co-signing."""
    meeting = ctx.session.get(Meeting, convo.data["meeting_id"])
    require_draftable(ctx, meeting)
    if convo.step == "confirm":
        if msg.text.strip() not in CONFIRM_WORDS:
            raise UserError(M.ASK_CONFIRM_MINUTES)
        convo.end()
        return submit_minutes(ctx, meeting, convo.data["text"], convo.data.get("doc_id"))
    if msg.kind == "file":
        return _take_file(ctx, convo, meeting, msg)
    if not msg.text.strip():
        raise UserError(M.ask_minutes(meeting.number))
    return _take_text(ctx, convo, meeting, msg.text.strip(), None)


def _take_file(ctx: Context, convo: Conversation, meeting: Meeting, msg: Incoming) -> str:
    if not msg.file_name.lower().endswith(".docx") or not msg.file_bytes:
        raise UserError(M.ONLY_DOCX)
    text = docx_text(msg.file_bytes)
    doc = save_document(
        ctx.session,
        ctx.files_root,
        kind="纪要",
        subject=meeting.number,
        filename=msg.file_name,
        content=msg.file_bytes,
        now=ctx.now,
        created_by=ctx.sender.person.id if ctx.sender.person else None,
    )
    return _take_text(ctx, convo, meeting, text, doc.id)


def _take_text(
    ctx: Context, convo: Conversation, meeting: Meeting, text: str, doc_id: int | None
) -> str:
    if len(text) > 20000:
        raise UserError(M.MINUTES_TOO_LONG)
    convo.data.update(text=text, doc_id=doc_id)
    convo.goto("confirm")
    units = [i.unit.name for i in meeting.invites if i.attends]
    return M.minutes_preview(meeting.number, text[:EXCERPT], units)


def submit_minutes(ctx: Context, meeting: Meeting, text: str, doc_id: int | None) -> str:
    """Store this version and ask every attending unit to co-sign it; earlier signs are void."""
    minutes = ctx.session.get(MeetingMinutes, meeting.id)
    if minutes is None:
        minutes = MeetingMinutes(meeting_id=meeting.id, version=0, signoff_note="")
        ctx.session.add(minutes)
    minutes.version += 1
    minutes.text, minutes.source_document_id = text, doc_id
    minutes.submitted_by = ctx.sender.person.id if ctx.sender.person else None
    minutes.submitted_at = ctx.now
    for old in signatures(ctx.session, meeting.id):
        ctx.session.delete(old)
    ctx.session.flush()
    attending = [i for i in meeting.invites if i.attends]
    people = unit_people(ctx, [i.unit_id for i in attending])
    for invite in attending:
        ctx.session.add(MinutesSignature(meeting_id=meeting.id, unit_id=invite.unit_id))
        _ask_to_sign(ctx, meeting, minutes, invite.unit_id, people[invite.unit_id])
    ctx.session.flush()
    audit.record(ctx.session, ctx.now, ctx.sender.name, "提交纪要", meeting.number,
                 f"第{minutes.version}稿", ctx.sender.person.id if ctx.sender.person else None)  # fmt: skip
    if not attending:
        _tell_signers_ready(ctx, meeting, minutes)
    return M.minutes_sent(meeting.number, minutes.version, [i.unit.name for i in attending])


def _ask_to_sign(
    ctx: Context, meeting: Meeting, minutes: MeetingMinutes, unit_id: int, people: list[Person]
) -> None:
    key = f"minutes:ask:{meeting.number}:v{minutes.version}:u{unit_id}"
    ctx.push(people, M.cosign_request(meeting, minutes, EXCERPT), key=key)
    if minutes.source_document_id:
        payload = {
            "document_id": minutes.source_document_id,
            "safe": 0 if meeting.released_at else 1,
        }
        ctx.push(people, kind="file", payload=payload, key=f"{key}:file")


def _tell_signers_ready(ctx: Context, meeting: Meeting, minutes: MeetingMinutes) -> None:
    key = f"minutes:ready:{meeting.number}:v{minutes.version}"
    ctx.push(signers(ctx, meeting), M.ready_for_signoff(meeting), key=key)


@command("会签", roles=UNIT_ROLES, usage="会签 会议号 同意 / 会签 会议号 意见 内容")
def cosign(msg: Incoming, ctx: Context) -> str:
    """对会议纪要会签：同意，或提出意见（意见转召集人协调）。"""
    meeting, rest = meeting_args(ctx, msg, pick=awaiting_my_cosign)
    minutes = ctx.session.get(MeetingMinutes, meeting.id)
    if minutes is None:
        raise UserError(M.no_minutes(meeting.number))
    if minutes.signed_off_at is not None:
        raise UserError(M.frozen(meeting.number))
    sign, rest = _my_signature(ctx, meeting, rest)
    verdict, opinion = _verdict(rest)
    if not verdict or (verdict == OBJECTED and not opinion):
        raise UserError(M.cosign_usage(meeting.number))
    opinion = opinion[:1000] if verdict == OBJECTED else ""
    if (sign.status, sign.opinion) == (verdict, opinion):  # the same answer sent again
        return M.cosign_recorded(meeting, sign, verdict)
    sign.status, sign.opinion = verdict, opinion
    sign.signed_by = ctx.sender.person.id if ctx.sender.person else None
    sign.signed_at = ctx.now
    ctx.session.flush()
    audit.record(ctx.session, ctx.now, ctx.sender.name, "会签", meeting.number,
                 f"{sign.unit.name}：{verdict} {sign.opinion}".strip(), sign.signed_by)  # fmt: skip
    if verdict == OBJECTED:
        _route_objection(ctx, meeting, minutes, sign)
    elif all(s.status == AGREED for s in signatures(ctx.session, meeting.id)):
        _tell_signers_ready(ctx, meeting, minutes)
    return M.cosign_recorded(meeting, sign, verdict)


def _verdict(text: str) -> tuple[str, str]:
    """(同意 or 意见, the opinion): `同意。` agrees; `意见：…` and `不同意，…` object."""
    match = _VERDICT.match(text.strip())
    if not match:
        return "", ""
    word, opinion = match.groups()
    return (AGREED if word == AGREED else OBJECTED), opinion.strip()


def _my_signature(ctx: Context, meeting: Meeting, rest: str) -> tuple[MinutesSignature, str]:
    """The sender's unit's co-sign row (`会签 HY12 区人社局 同意` picks one of several)."""
    mine = answering_units(ctx.sender)
    rows = [s for s in signatures(ctx.session, meeting.id) if s.unit_id in mine]
    rows, rest = choose_unit(rows, rest, lambda s: s.unit.name)
    if not rows:
        raise UserError(M.not_cosigner(meeting.number))
    if len(rows) > 1:
        raise UserError(M.several_cosigners(meeting.number, [s.unit.name for s in rows]))
    return rows[0], rest


def _route_objection(
    ctx: Context, meeting: Meeting, minutes: MeetingMinutes, sign: MinutesSignature
) -> None:
    """A disagreement goes to whoever signs off (五(三)), with a copy to the drafter."""
    people: dict[int, Person] = {p.id: p for p in signers(ctx, meeting)}
    drafter = ctx.session.get(Person, minutes.submitted_by) if minutes.submitted_by else None
    if drafter is not None:
        people.setdefault(drafter.id, drafter)
    ctx.push(list(people.values()), M.objection_notice(meeting, sign, ctx.sender.name))


@command("签发", roles={Role.CONVENER, Role.OFFICE}, usage="签发 会议号 [报区政府决定]")
def sign_off_minutes(msg: Incoming, ctx: Context) -> Reply:
    """会签完成后签发纪要：印发各成员单位并抄报区政府。"""
    meeting, rest = meeting_args(
        ctx, msg, pick=when_bare(msg, awaiting_my_signoff, M.ESCALATE_WORD)
    )
    return sign_off(ctx, meeting, escalate=rest.strip() == M.ESCALATE_WORD)
