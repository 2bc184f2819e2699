"""Changing a meeting once called: 取消会议 (a reason, then 确认) and 改期 (确认 first when the new
day is a weekend or holiday). Everyone invited is told; a second cancel changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from handlers.core import (
    Context,
    Conversation,
    Incoming,
    Role,
    UserError,
    command,
    flow,
    split_args,
)
from handlers.meetings import text as T
from handlers.meetings.base import (
    contacts,
    everyone,
    fmt_time,
    meeting_args,
    parse_when,
    require_caller,
    require_open,
    upcoming_callable,
)
from handlers.meetings.calling import MAX_PLACE, non_workday_warning
from handlers.meetings.rsvp import send_invitations
from storage.meetings import Meeting


def _notify_invited(ctx: Context, meeting: Meeting, text: str, key: str) -> int:
    people = everyone(contacts(ctx, [i.unit_id for i in meeting.invites]))
    return ctx.push(people, text, key=key)


CANCEL_FLOW, MOVE_FLOW = "取消会议", "改期"
_YES = ("确认", "确定", "是")
_NO = ("放弃", "不", "否", "不取消", "不改", "不改期", "算了")


@command("取消会议", roles={Role.OFFICE, Role.CONVENER}, usage="取消会议 会议号 [原因]")
def cancel_meeting(msg: Incoming, ctx: Context) -> str:
    """取消尚未召开的会议：写明原因并确认后，通知全部受邀单位。"""
    meeting, reason = meeting_args(ctx, msg, pick=upcoming_callable)
    require_caller(ctx, meeting)
    if meeting.cancelled_at is not None:  # a second 取消会议 changes nothing
        on = fmt_time(ctx, meeting.cancelled_at)
        raise UserError(T.already_cancelled(meeting.number, on, meeting.cancel_reason))
    require_open(ctx, meeting)
    convo = ctx.start_conversation(CANCEL_FLOW, "reason", meeting_id=meeting.id)
    if not reason:
        return T.ask_cancel_reason(meeting.number)
    return _cancel_reason(reason, ctx, convo, meeting)


def _cancel_reason(reason: str, ctx: Context, convo: Conversation, meeting: Meeting) -> str:
    if not reason or len(reason) > 500:
        raise UserError(T.NEED_CANCEL_REASON)
    convo.data["reason"] = reason
    convo.goto("confirm")
    when = fmt_time(ctx, meeting.starts_at)
    return T.confirm_cancel(meeting, when, reason, len(meeting.invites))


def _cancel_question(ctx: Context, convo: Conversation) -> str:
    meeting = ctx.session.get(Meeting, convo.data["meeting_id"])
    if convo.step == "reason":
        return T.ask_cancel_reason(meeting.number)
    when = fmt_time(ctx, meeting.starts_at)
    return T.confirm_cancel(meeting, when, convo.data["reason"], len(meeting.invites))


@flow(CANCEL_FLOW, prompt=_cancel_question)
def cancel_dialogue(msg: Incoming, ctx: Context, convo: Conversation) -> str:
    """The reason, then 确认: only then is the meeting cancelled and everyone told."""
    meeting = ctx.session.get(Meeting, convo.data["meeting_id"])
    text = msg.text.strip()
    answer = text.rstrip("。.!！")
    if answer in _NO:
        convo.end()
        return T.CANCEL_KEPT
    if convo.step == "reason":
        return _cancel_reason(text, ctx, convo, meeting)
    if answer not in _YES:
        raise UserError(_cancel_question(ctx, convo))
    convo.end()
    if meeting.cancelled_at is not None:  # cancelled meanwhile by someone else
        on = fmt_time(ctx, meeting.cancelled_at)
        raise UserError(T.already_cancelled(meeting.number, on, meeting.cancel_reason))
    require_open(ctx, meeting)
    meeting.cancelled_at = ctx.now
    meeting.cancel_reason = convo.data["reason"]
    notice = T.cancelled_notice(meeting, fmt_time(ctx, meeting.starts_at))
    _notify_invited(ctx, meeting, notice, key=f"meetings:cancel:{meeting.number}")
    return T.cancel_done(meeting.number, len(meeting.invites))


@command("改期", roles={Role.OFFICE, Role.CONVENER}, usage="改期 会议号 新时间 [新地点]")
def move_meeting(msg: Incoming, ctx: Context) -> str:
    """修改会议时间（可同时改地点），重新发出通知；原回复保留，可重新选择。"""
    meeting, rest = meeting_args(ctx, msg, pick=upcoming_callable)
    require_caller(ctx, meeting)
    require_open(ctx, meeting)
    new_time, place = _time_and_rest(split_args(rest), ctx)
    if len(place) > MAX_PLACE:
        raise UserError(T.TOO_LONG_PLACE)
    place = place or meeting.place
    if new_time == meeting.starts_at and place == meeting.place:  # e.g. the same 改期 sent twice
        raise UserError(T.not_moved(meeting.number, fmt_time(ctx, new_time), place))
    warning = non_workday_warning(ctx, new_time)
    if warning:  # a weekend or a holiday: said first, moved only after 确认
        ctx.start_conversation(
            MOVE_FLOW, "confirm", meeting_id=meeting.id, at=new_time.isoformat(), place=place
        )
        return T.confirm_move(meeting.number, fmt_time(ctx, new_time), place, warning)
    return _move(ctx, meeting, new_time, place)


def _move_question(ctx: Context, convo: Conversation) -> str:
    meeting = ctx.session.get(Meeting, convo.data["meeting_id"])
    moment = datetime.fromisoformat(convo.data["at"])
    warning = non_workday_warning(ctx, moment)
    return T.confirm_move(meeting.number, fmt_time(ctx, moment), convo.data["place"], warning)


@flow(MOVE_FLOW, prompt=_move_question)
def move_dialogue(msg: Incoming, ctx: Context, convo: Conversation) -> str:
    """确认 a move to a weekend or holiday."""
    answer = msg.text.strip().rstrip("。.!！")
    if answer in _NO:
        convo.end()
        return T.MOVE_KEPT
    if answer not in _YES:
        raise UserError(_move_question(ctx, convo))
    convo.end()
    meeting = ctx.session.get(Meeting, convo.data["meeting_id"])
    require_open(ctx, meeting)
    moment = datetime.fromisoformat(convo.data["at"])
    if moment <= ctx.now:
        raise UserError(T.time_in_past(fmt_time(ctx, moment)))
    return _move(ctx, meeting, moment, convo.data["place"])


def _move(ctx: Context, meeting: Meeting, new_time: datetime, place: str) -> str:
    old = fmt_time(ctx, meeting.starts_at)
    meeting.starts_at = new_time
    meeting.place = place
    meeting.version += 1
    meeting.notified_at = ctx.now
    ctx.session.flush()
    notice = T.moved_notice(meeting, old, fmt_time(ctx, new_time))
    _notify_invited(ctx, meeting, notice, key=f"meetings:move:{meeting.number}:v{meeting.version}")
    send_invitations(ctx, meeting)
    return T.move_done(meeting.number, fmt_time(ctx, new_time), meeting.place)


def _time_and_rest(words: list[str], ctx: Context) -> tuple[datetime, str]:
    """The new time (one to three words, e.g. `12月2日 下午 3点`) and an optional new place."""
    for n in (3, 2, 1):
        if len(words) < n:
            continue
        try:
            moment = parse_when(" ".join(words[:n]), ctx)
        except UserError:
            continue
        if moment <= ctx.now:
            raise UserError(T.time_in_past(fmt_time(ctx, moment)))
        return moment, " ".join(words[n:])
    raise UserError(T.NEED_NEW_TIME)
