"""Calling meetings (新建会议, a guided conversation with a preview; 修改 goes back to one field).

Cancelling and moving them is in changes.py; answers, reminders, attendance and minutes live in
their own modules of this package.
"""

from __future__ import annotations

import re
from datetime import datetime

from handlers import dates
from handlers.core import (
    Context,
    Conversation,
    Incoming,
    Role,
    UserError,
    command,
    flow,
)
from handlers.meetings import text as T
from handlers.meetings.base import (
    fmt_time,
    future_time,
    may_call,
)
from handlers.meetings.rsvp import send_invitations
from handlers.units import candidates
from handlers.workdays import WorkCalendar
from storage.meetings import KINDS, Meeting, MeetingGuest, MeetingInvite
from storage.roster import Unit, member_units

FLOW = "新建会议"
MAX_PLACE, MAX_TOPICS = 100, 2000  # characters; T.TOO_LONG_* say the same
_LIST_SPLIT = re.compile(r"[、,，;；\s\u3000]+")
_KIND_WORDS = {"1": KINDS[0], "2": KINDS[1], "3": KINDS[2], "全体": KINDS[0], "专题": KINDS[1]}
_KIND_WORDS["联络员"] = KINDS[2]
_KIND_WORDS.update({"4": KINDS[3], "办公室": KINDS[3]})
_ALL_UNITS = {"全部", "全体", "默认", "所有"}
_ALL_UNITS |= {w + "成员单位" for w in _ALL_UNITS} | {w + "单位" for w in _ALL_UNITS}


@command(
    "新建会议", aliases=["召开会议"], roles={Role.OFFICE, Role.GENERAL_CONVENER, Role.CONVENER}
)
def new_meeting(msg: Incoming, ctx: Context) -> str:
    """发起全体会议、专题会议或联络员会议，逐步填写后发出会议通知。"""
    ctx.start_conversation(FLOW, "kind")
    return T.ASK_KIND


def current_question(ctx: Context, convo: Conversation) -> str:
    """The question of the step the dialogue is on, asked again after a command in between."""
    if convo.step == "units":
        units = member_units(ctx.session)
        return T.ask_units(convo.data["kind"], [u.name for u in units])
    return QUESTIONS[convo.step]


@flow(FLOW, prompt=current_question)
def meeting_dialogue(msg: Incoming, ctx: Context, convo: Conversation) -> str:
    """One answer per step: kind → time → place → topics → units → 确认."""
    text = msg.text.strip()
    if not text:
        raise UserError(T.NEED_TEXT)
    return STEPS[convo.step](text, ctx, convo)


def _then(ctx: Context, convo: Conversation, step: str, said: str = "") -> str:
    """Go on to `step`, or, when one field is being changed (修改), back to the preview."""
    if convo.data.pop("editing", False):
        convo.goto("confirm")
        return said + _preview(ctx, convo.data)
    convo.goto(step)
    return said + current_question(ctx, convo)


def _kind(text: str, ctx: Context, convo: Conversation) -> str:
    kind = _KIND_WORDS.get(text.removesuffix("会议"), text if text in KINDS else "")
    if not kind:
        raise UserError(T.ASK_KIND)
    if not may_call(ctx.sender, kind):
        raise UserError(T.not_caller(kind))
    changed = convo.data.get("kind") not in (None, kind)
    convo.data["kind"] = kind
    if changed and convo.data.pop("editing", False):  # who is invited by default changes too
        convo.goto("units")
        return current_question(ctx, convo)
    return _then(ctx, convo, "time")


def _time(text: str, ctx: Context, convo: Conversation) -> str:
    moment = future_time(text, ctx)
    convo.data["starts_at"] = moment.isoformat()
    said = T.recognised(fmt_time(ctx, moment), non_workday_warning(ctx, moment)) + "\n"
    return _then(ctx, convo, "place", said)


def _place(text: str, ctx: Context, convo: Conversation) -> str:
    if len(text) > MAX_PLACE:
        raise UserError(T.TOO_LONG_PLACE)
    convo.data["place"] = text
    return _then(ctx, convo, "topics")


def _topics(text: str, ctx: Context, convo: Conversation) -> str:
    if len(text) > MAX_TOPICS:
        raise UserError(T.TOO_LONG_TOPICS)
    convo.data["topics"] = text
    return _then(ctx, convo, "units")


def _units(text: str, ctx: Context, convo: Conversation) -> str:
    units = member_units(ctx.session)
    all_units = text.rstrip("。.!！") in _ALL_UNITS
    if all_units and convo.data["kind"] == "专题会议":
        raise UserError(T.TOPIC_NEEDS_LIST)
    chosen = units if all_units else pick_units(text, units)
    convo.data["unit_ids"] = [u.id for u in chosen]
    convo.data.pop("editing", None)
    convo.goto("confirm")
    return _preview(ctx, convo.data)


_FIELD_STEPS = dict(zip(T.FIELDS, ("kind", "time", "place", "topics", "units"), strict=True))
_FIELD_STEPS |= {str(n): step for n, step in enumerate(_FIELD_STEPS.values(), start=1)}
_FIELD_STEPS |= {"单位": "units", "参会单位": "units", "会议类型": "kind", "名称": "topics"}


def _field(text: str, ctx: Context, convo: Conversation) -> str:
    """After 修改: which field to answer again; then back to the preview."""
    step = _FIELD_STEPS.get(text.strip(" 。.!！").removeprefix("修改").strip(" :："))
    if step is None:
        raise UserError(T.ASK_FIELD)
    convo.data["editing"] = True
    convo.goto(step)
    return current_question(ctx, convo)


def _confirm(text: str, ctx: Context, convo: Conversation) -> str:
    if text.startswith("修改"):
        field = text.removeprefix("修改").strip(" :：")
        if field in _FIELD_STEPS:
            return _field(field, ctx, convo)
        convo.goto("field")  # `修改` alone, or a field it does not know: ask which
        return T.ASK_FIELD
    if text.rstrip("。.!！") not in ("确认", "确定", "是"):
        raise UserError(T.ASK_CONFIRM)
    meeting = create_meeting(ctx, convo.data)
    sent = send_invitations(ctx, meeting)
    convo.end()
    return T.created(meeting, fmt_time(ctx, meeting.starts_at), len(meeting.invites), sent)


STEPS = {
    "kind": _kind,
    "time": _time,
    "place": _place,
    "topics": _topics,
    "units": _units,
    "field": _field,
    "confirm": _confirm,
}
QUESTIONS = {
    "kind": T.ASK_KIND,
    "time": T.ASK_TIME,
    "place": T.ASK_PLACE,
    "topics": T.ASK_TOPICS,
    "field": T.ASK_FIELD,
    "confirm": T.ASK_CONFIRM,
}


def non_workday_warning(ctx: Context, moment: datetime) -> str:
    """A warning when the day is a weekend or public holiday (make-up working days are fine)."""
    day = ctx.local(moment).date()
    if WorkCalendar(ctx.session).is_workday(day):
        return ""
    what = T.WEEKDAYS[day.weekday()] if day.weekday() >= 5 else "法定节假日"
    return T.non_workday(dates.day(day, ctx.today()), what)


def pick_units(text: str, units: list[Unit]) -> list[Unit]:
    """Units named in a list: full names, unambiguous parts of names, or numbers in the list."""
    chosen: dict[int, Unit] = {}
    unknown: list[str] = []
    for token in (t for t in _LIST_SPLIT.split(text) if t):
        found = _match_unit(token, units)
        if found is None:
            unknown.append(token)
        else:
            chosen[found.id] = found
    if unknown:
        raise UserError(T.unknown_units(unknown))
    return sorted(chosen.values(), key=lambda u: u.id)


def _match_unit(token: str, units: list[Unit]) -> Unit | None:
    if token.isdigit():
        index = int(token) - 1
        return units[index] if 0 <= index < len(units) else None
    found = candidates(units, token)
    return found[0] if len(found) == 1 else None


def _preview(ctx: Context, data: dict) -> str:
    wanted = set(data["unit_ids"])
    chosen = [u for u in member_units(ctx.session) if u.id in wanted]
    when = fmt_time(ctx, datetime.fromisoformat(data["starts_at"]))
    return T.preview(data["kind"], when, data["place"], data["topics"], [u.name for u in chosen])


def create_meeting(ctx: Context, data: dict) -> Meeting:
    topics = data["topics"]
    meeting = Meeting(
        kind=data["kind"],
        title=topics.splitlines()[0][:100],
        topics=topics,
        place=data["place"],
        starts_at=datetime.fromisoformat(data["starts_at"]),
        version=1,
        notified_at=ctx.now,
        created_by=ctx.sender.person.id if ctx.sender.person else None,
        created_at=ctx.now,
        cancel_reason="",
    )
    ctx.session.add(meeting)
    ctx.session.flush()
    for unit_id in data["unit_ids"]:
        ctx.session.add(MeetingInvite(meeting_id=meeting.id, unit_id=unit_id))
    ctx.session.flush()
    ctx.session.refresh(meeting)
    return meeting


@command("邀请", roles={Role.OFFICE, Role.GENERAL_CONVENER, Role.CONVENER}, usage=T.GUEST_USAGE)
def invite_guest(msg: Incoming, ctx: Context) -> str:
    """邀请成员单位以外的有关单位参会；有联系人账号的收到通知和纪要，否则在纪要中抄送。"""
    from handlers.core import split_args
    from handlers.meetings.base import meeting_args, require_caller, require_open

    meeting, rest = meeting_args(ctx, msg)
    require_caller(ctx, meeting)
    require_open(ctx, meeting)
    words = split_args(rest)
    if not words or len(words) > 2 or len(words[0]) > 100:
        raise UserError(T.GUEST_USAGE)
    name, account = words[0], (words[1:] or [""])[0][:64]
    if any(u.name == name for u in member_units(ctx.session)):
        raise UserError(T.guest_is_member(name))
    if any(g.name == name for g in meeting.guests):
        return T.guest_added(meeting, name, account)
    guest = MeetingGuest(meeting_id=meeting.id, name=name, account=account,
                         invited_by=ctx.sender.person.id if ctx.sender.person else None,
                         invited_at=ctx.now)  # fmt: skip
    ctx.session.add(guest)
    ctx.session.flush()
    ctx.session.refresh(meeting)
    if account:
        notice = T.guest_notice(meeting, fmt_time(ctx, meeting.starts_at), name)
        key = f"meetings:guest:{meeting.number}:g{guest.id}"
        ctx.push_to(ctx.push_channels[0], account, {"text": notice}, key=key)
    return T.guest_added(meeting, name, account)
