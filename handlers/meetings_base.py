"""What the meeting commands share: finding a meeting by its number, who may do what, times.

The seed decides the permissions: 全体/专题会议 are called by the convener (or the office for
them), 联络员会议 by the office; minutes are signed off by the convener, except a 联络员会议's,
which its chair, the office director, signs off (附件2 二(三)).
"""

from __future__ import annotations

import re
from datetime import datetime

from handlers import meetings_text as T
from handlers.core import Context, Role, Sender, UserError
from storage.meetings import Meeting, MeetingInvite
from storage.roster import Person, holders, people_with_role

_NUMBER = re.compile(r"^(?:HY)?(\d{1,9})$", re.IGNORECASE)
_WHEN = re.compile(
    r"^(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?\s*"
    r"(?:(上午|下午|晚上)\s*)?(\d{1,2})\s*(?:[:：点时]\s*(\d{1,2})?\s*分?|[:：点时]?半)?$"
)
UNIT_ROLES = (Role.LIAISON, Role.LEADER)


def parse_number(token: str) -> int:
    """The meeting id in `HY12` (case-insensitive, `12` alone also accepted)."""
    match = _NUMBER.match(token.strip().replace("ＨＹ", "HY"))
    if not match:
        raise UserError(T.bad_number(token))
    return int(match.group(1))


def get_meeting(ctx: Context, token: str) -> Meeting:
    if not token:
        raise UserError(T.NEED_NUMBER)
    meeting = ctx.session.get(Meeting, parse_number(token))
    if meeting is None:
        raise UserError(T.no_such_meeting(token))
    return meeting


def parse_when(text: str, ctx: Context) -> datetime:
    """A local date and time such as `2026-12-01 15:00`, `12月1日 15:00` or `12月1日下午3点`."""
    match = _WHEN.match(text.strip())
    if not match:
        raise UserError(T.bad_time(text))
    year, month, day, half, hour, minute = match.groups()
    hour, minute = int(hour), int(minute or 0)
    if text.strip().endswith("半") and not match.group(6):
        minute = 30
    if half in ("下午", "晚上") and hour < 12:
        hour += 12
    now = ctx.local()
    try:
        moment = datetime(int(year or now.year), int(month), int(day), hour, minute, tzinfo=ctx.tz)
        if year is None and moment < now:
            moment = moment.replace(year=now.year + 1)
    except ValueError:
        raise UserError(T.bad_time(text)) from None
    return moment


def future_time(text: str, ctx: Context) -> datetime:
    moment = parse_when(text, ctx)
    if moment <= ctx.now:
        raise UserError(T.time_in_past(fmt_time(ctx, moment)))
    return moment


def fmt_time(ctx: Context, moment: datetime) -> str:
    local = ctx.local(moment)
    return f"{local:%Y年%-m月%-d日}（{T.WEEKDAYS[local.weekday()]}）{local:%H:%M}"


def contacts(ctx: Context, unit_id: int) -> list[Person]:
    """Who hears for a unit: its liaison officers, or its leaders when it has none."""
    return holders(ctx.session, unit_id, Role.LIAISON) or holders(ctx.session, unit_id, Role.LEADER)


def unit_people(ctx: Context, unit_id: int) -> list[Person]:
    """Liaison officers and leaders of a unit: who receives issued documents and co-sign asks."""
    seen = {p.id: p for r in UNIT_ROLES for p in holders(ctx.session, unit_id, r)}
    return list(seen.values())


def is_director(sender: Sender) -> bool:
    """The office director: an office appointment whose title says 主任."""
    return Role.OFFICE in sender.roles and "主任" in (sender.person.title if sender.person else "")


def may_call(sender: Sender, kind: str) -> bool:
    if kind == "联络员会议":
        return Role.OFFICE in sender.roles
    return bool({Role.OFFICE, Role.CONVENER} & sender.roles)


def may_sign_off(sender: Sender, meeting: Meeting) -> bool:
    if meeting.kind == "联络员会议":
        return is_director(sender)
    return Role.CONVENER in sender.roles


def signers(ctx: Context, meeting: Meeting) -> list[Person]:
    """Who signs the minutes off and settles disagreements about them."""
    if meeting.kind == "联络员会议":
        office = people_with_role(ctx.session, Role.OFFICE)
        return [p for p in office if "主任" in p.title] or office
    return people_with_role(ctx.session, Role.CONVENER)


def sender_invites(ctx: Context, meeting: Meeting) -> list[MeetingInvite]:
    """The invitations the sender may answer: those of units where they are liaison or leader."""
    mine = {u.id for r in UNIT_ROLES for u in ctx.sender.units(r)}
    return [i for i in meeting.invites if i.unit_id in mine]


def is_staff(sender: Sender) -> bool:
    return bool({Role.OFFICE, Role.CONVENER} & sender.roles)


def require_caller(ctx: Context, meeting: Meeting) -> None:
    if not may_call(ctx.sender, meeting.kind):
        raise UserError(T.not_caller(meeting.kind))


def require_open(ctx: Context, meeting: Meeting) -> None:
    """The meeting can still be answered, moved or cancelled: not cancelled, not begun."""
    if meeting.cancelled_at is not None:
        raise UserError(T.cancelled(meeting.number))
    if meeting.starts_at <= ctx.now:
        raise UserError(T.already_started(meeting.number))


def may_view(ctx: Context, meeting: Meeting, *, issued: bool = False) -> bool:
    """Annex 2 三(二): meeting documents stay with the invited units and the office.

    Issued (signed-off) minutes went to every member unit, so every member unit may see them; after
    the office director's consent (同意公开) anyone may.
    """
    if meeting.released_at is not None or is_staff(ctx.sender):
        return True
    mine = {u.id for u in ctx.sender.units()}
    if issued:
        return bool(mine)
    return any(i.unit_id in mine for i in meeting.invites)
