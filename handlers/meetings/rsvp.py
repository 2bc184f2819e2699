"""Invitations as WeCom template cards, and the answers: 参加 / 请假 / 代参 by button or by text.

A click arrives as a `template_card_event` whose key is `rsvp:<HY>:<attend|leave|delegate>`; the
answer is recorded at once and the clicked card shows it. 请假 and 代参 still need a reason or a
name, so a click on them opens a short conversation; the text commands take it in one line. The
latest answer counts, until the meeting starts.
"""

from __future__ import annotations

import re

from handlers.core import (
    Context,
    Conversation,
    Incoming,
    Reply,
    UserError,
    button,
    command,
    flow,
)
from handlers.meetings import text as T
from handlers.meetings.base import (
    SEPARATORS,
    UNIT_ROLES,
    choose_unit,
    contacts,
    fmt_time,
    get_meeting,
    may_know,
    meeting_args,
    require_open,
    sender_invites,
    upcoming_answerable,
    when_bare,
)
from storage.meetings import ATTEND, DELEGATE, LEAVE, Meeting, MeetingInvite
from storage.roster import Person

ACTIONS = {"attend": ATTEND, "leave": LEAVE, "delegate": DELEGATE}
_TASK = re.compile(r"^HY\d+-u(\d+)-p\d+-v(\d+)$")
FLOW = "会议回复"


def task_id(meeting: Meeting, unit_id: int, person: Person) -> str:
    """Unique per card and person, within WeCom's 128 bytes of [0-9A-Za-z_-@]."""
    return f"{meeting.number}-u{unit_id}-p{person.id}-v{meeting.version}"


def invitation_card(ctx: Context, meeting: Meeting, invite: MeetingInvite, person: Person) -> dict:
    """The WeCom `button_interaction` card, plus the text fallback the console prints."""
    n = meeting.number
    return {
        "card_type": "button_interaction",
        "source": {"desc": "联席会议办公室"},
        "main_title": {"title": T.card_title(meeting)[:26], "desc": meeting.title[:30]},
        "sub_title_text": meeting.topics[:110],
        "horizontal_content_list": [
            {"keyname": "时间", "value": fmt_time(ctx, meeting.starts_at)},
            {"keyname": "地点", "value": meeting.place[:30]},
            {"keyname": "会议号", "value": n},
            {"keyname": "受邀单位", "value": invite.unit.name[:30]},
        ],
        "task_id": task_id(meeting, invite.unit_id, person),
        "button_list": [
            {"text": "参加", "style": 1, "key": f"rsvp:{n}:attend"},
            {"text": "请假", "style": 2, "key": f"rsvp:{n}:leave"},
            {"text": "代参", "style": 3, "key": f"rsvp:{n}:delegate"},
        ],
        "fallback_text": T.card_fallback(meeting, invite, fmt_time(ctx, meeting.starts_at)),
    }


def send_invitations(ctx: Context, meeting: Meeting) -> int:
    """Queue one card per contact of every invited unit, once per meeting version."""
    count = 0
    by_unit = contacts(ctx, [i.unit_id for i in meeting.invites])
    for invite in meeting.invites:
        for person in by_unit[invite.unit_id]:
            card = invitation_card(ctx, meeting, invite, person)
            key = f"meetings:card:{meeting.number}:v{meeting.version}:u{invite.unit_id}"
            count += ctx.push(person, kind="template_card", payload=card, key=key)
    return count


def record_answer(ctx: Context, invite: MeetingInvite, answer: str, **details: str) -> str:
    """Store the unit's latest answer; the previous one, whatever it was, is replaced."""
    meeting = invite.meeting
    require_open(ctx, meeting)
    invite.answer = answer
    invite.reason = details.get("reason", "")
    invite.delegate_name = details.get("name", "")
    invite.delegate_title = details.get("title", "")
    invite.answered_by = ctx.sender.person.id if ctx.sender.person else None
    invite.answered_at = ctx.now
    ctx.session.flush()
    pending = ctx.conversation  # `参加 HY12` typed while 请假's reason was asked: not needed now
    if pending is not None and pending.flow == FLOW and _same_invite(pending, invite):
        pending.end()
    return T.answer_recorded(meeting, invite, fmt_time(ctx, meeting.starts_at))


def _same_invite(convo: Conversation, invite: MeetingInvite) -> bool:
    data = convo.data
    return data.get("meeting_id") == invite.meeting_id and data.get("unit_id") == invite.unit_id


def _invite_for(
    ctx: Context, meeting: Meeting, unit_hint: int | None = None, rest: str = ""
) -> tuple[MeetingInvite, str]:
    """The invitation the sender answers: the clicked card's unit, the unit named first in the
    text, or their only invited unit. Returns it with the text after any unit name."""
    mine = sender_invites(ctx, meeting)
    if unit_hint is not None:
        mine = [i for i in mine if i.unit_id == unit_hint] or mine
    mine, rest = choose_unit(mine, rest, lambda i: i.unit.name)
    if not mine:
        raise UserError(T.not_invited(meeting.number))
    if len(mine) > 1:
        raise UserError(T.several_units(meeting.number, [i.unit.name for i in mine]))
    return mine[0], rest


@button("rsvp")
def rsvp_clicked(msg: Incoming, ctx: Context) -> Reply:
    """A click on 参加 / 请假 / 代参 in an invitation card."""
    parts = msg.event_key.split(":")
    if len(parts) != 3 or parts[2] not in ACTIONS:
        raise UserError(T.UNKNOWN_BUTTON)
    meeting = get_meeting(ctx, parts[1])
    if not may_know(ctx, meeting):  # a forged click on someone else's meeting
        raise UserError(T.no_such_meeting(parts[1]))
    task = _TASK.match(msg.task_id or "")
    if task and int(task.group(2)) != meeting.version:
        raise UserError(T.stale_card(meeting.number))
    invite, _rest = _invite_for(ctx, meeting, int(task.group(1)) if task else None)
    answer = ACTIONS[parts[2]]
    label = f"已选择：{answer}"
    if answer == ATTEND:
        return Reply(text=record_answer(ctx, invite, ATTEND), button_label=label)
    placeholder = {"reason": T.REASON_PENDING} if answer == LEAVE else {"name": T.NAME_PENDING}
    record_answer(ctx, invite, answer, **placeholder)
    step = "reason" if answer == LEAVE else "delegate"
    ctx.start_conversation(FLOW, step, meeting_id=meeting.id, unit_id=invite.unit_id)
    return Reply(text=T.ask_detail(meeting.number, answer), button_label=label)


def current_question(ctx: Context, convo: Conversation) -> str:
    meeting = ctx.session.get(Meeting, convo.data["meeting_id"])
    invite = next(i for i in meeting.invites if i.unit_id == convo.data["unit_id"])
    return T.ask_detail(meeting.number, invite.answer or LEAVE, again=True)


@flow(FLOW, prompt=current_question)
def rsvp_detail(msg: Incoming, ctx: Context, convo: Conversation) -> str:
    """After a 请假/代参 click: the reason, or the delegate's name and title."""
    meeting = ctx.session.get(Meeting, convo.data["meeting_id"])
    invite = next(i for i in meeting.invites if i.unit_id == convo.data["unit_id"])
    if meeting.cancelled_at is not None or meeting.starts_at <= ctx.now:
        convo.end()
        return (
            T.cancelled(meeting.number)
            if meeting.cancelled_at
            else T.already_started(meeting.number)
        )
    text = msg.text.strip()
    if not text:
        raise UserError(T.ask_detail(meeting.number, invite.answer or LEAVE))
    if convo.step == "reason":
        reply = record_answer(ctx, invite, LEAVE, reason=text[:500])
    else:
        name, title = _name_and_title(text)
        reply = record_answer(ctx, invite, DELEGATE, name=name, title=title)
    convo.end()
    return reply


def _name_and_title(text: str) -> tuple[str, str]:
    """`王五 副科长`, `王五，副科长` or `王五、副科长`: the name, then the title if any."""
    words = [w for w in re.split(f"[{re.escape(SEPARATORS)}]+", text.strip()) if w]
    if not words:
        raise UserError(T.NEED_DELEGATE)
    if len(words[0]) > 20:
        raise UserError(T.NAME_TOO_LONG)
    return words[0], " ".join(words[1:])[:100]


@command("参加", roles=UNIT_ROLES, usage="参加 会议号")
def attend(msg: Incoming, ctx: Context) -> str:
    """回复本单位参加会议。"""
    meeting, rest = meeting_args(ctx, msg, pick=when_bare(msg, upcoming_answerable))
    invite, _rest = _invite_for(ctx, meeting, rest=rest)
    return record_answer(ctx, invite, ATTEND)


@command("请假", roles=UNIT_ROLES, usage="请假 会议号 原因")
def leave(msg: Incoming, ctx: Context) -> str:
    """回复本单位请假，并说明原因。"""
    meeting, rest = meeting_args(ctx, msg, pick=upcoming_answerable)
    invite, reason = _invite_for(ctx, meeting, rest=rest)
    if not reason:
        raise UserError(T.need_reason(meeting.number))
    return record_answer(ctx, invite, LEAVE, reason=reason[:500])


@command("代参", roles=UNIT_ROLES, usage="代参 会议号 姓名 [职务]")
def delegate(msg: Incoming, ctx: Context) -> str:
    """由他人代本单位成员参会，写明代参人员姓名和职务。"""
    meeting, rest = meeting_args(ctx, msg, pick=upcoming_answerable)
    invite, who = _invite_for(ctx, meeting, rest=rest)
    if not who:
        raise UserError(T.need_delegate(meeting.number))
    name, title = _name_and_title(who)
    return record_answer(ctx, invite, DELEGATE, name=name, title=title)
