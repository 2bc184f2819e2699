"""What the meeting commands share: finding a meeting by its number, who may do what, times.

The seed decides the permissions: 全体/专题会议 are called by the convener (or the office for
them), 联络员会议 by the office; minutes are signed off by the convener, except a 联络员会议's,
which its chair, the office director, signs off (附件2 二(三)).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import select

from handlers.core import (
    Context,
    Incoming,
    Role,
    Sender,
    UserError,
    command_args,
)
from handlers.dates import clock, day
from handlers.meetings import text as T
from storage.meetings import (
    PENDING_SIGN,
    Meeting,
    MeetingInvite,
    MeetingMinutes,
    MinutesSignature,
    meetings_between,
    minutes_awaiting_signoff,
)
from storage.roster import Person, holders_by_unit, people_with_role

_NUMBER = re.compile(r"^(?:HY)?(\d{1,9})$", re.IGNORECASE)
# what people put between the arguments: spaces and full-width punctuation alike
SEPARATORS = " \t\r\n\u3000,，、;；:：。"
_SEP = f"[{re.escape(SEPARATORS)}]"
_LEADING = re.compile(rf"^{_SEP}*([^{re.escape(SEPARATORS)}]+)(?:{_SEP}+(.*))?$", re.DOTALL)
_HY_ANYWHERE = re.compile(r"(?:HY|ＨＹ)\s*\d{1,9}", re.IGNORECASE)
_DATE = (
    r"(?:(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
    r"|(今天|明天|后天|(?:下下|下|本|这)?(?:周|星期|礼拜)[一二三四五六日天1-7]))"
)
_WHEN = re.compile(
    rf"^{_DATE}\s*(?:(上午|早上|中午|下午|晚上)\s*)?"
    r"(\d{1,2})\s*(?:[:：点时]\s*(\d{1,2})?\s*分?|[:：点时]?半)?$"
)
_WEEKDAYS = "一二三四五六日"
_DAYS_AHEAD = {"今天": 0, "明天": 1, "后天": 2}
UNIT_ROLES = (Role.LIAISON, Role.LEADER)
R = TypeVar("R")


def parse_number(token: str) -> int:
    """The meeting id in `HY12` (case-insensitive, `12` alone also accepted)."""
    match = _NUMBER.match(re.sub(r"\s+", "", token.strip().replace("ＨＹ", "HY")))
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


def number_and_rest(text: str) -> tuple[str, str]:
    """The meeting number and the words after it, as people really type them.

    `请假 HY12 外出`, `请假，HY12，外出`, `请假 HY12：外出` and `代参 王五 HY12` all give
    (`HY12`, the rest). Without any `HY…` the first word is taken as the number, so a wrong one
    gets a clear answer.
    """
    text = text.strip()
    match = _LEADING.match(text)
    if not match:
        return "", ""
    first, rest = match.group(1), (match.group(2) or "").strip()
    if _NUMBER.match(first.replace("ＨＹ", "HY")):
        return first, rest
    found = _HY_ANYWHERE.search(text)
    if found is None:
        return first, rest
    before = text[: found.start()].strip(SEPARATORS)
    after = text[found.end() :].strip(SEPARATORS)
    return found.group(0), " ".join(x for x in (before, after) if x)


Pick = Callable[[Context], list[Meeting]]


def meeting_args(ctx: Context, msg: Incoming, pick: Pick | None = None) -> tuple[Meeting, str]:
    """The meeting a command names and the text after its number.

    A meeting the sender may not see gets the words of a number that does not exist, so nobody
    outside a meeting learns that it exists. Without a number, `pick` lists the meetings the
    command could mean for this sender; when there is exactly one, it is used."""
    args = command_args(msg)
    token, rest = number_and_rest(args)
    if pick is not None and not _typed_a_number(token):
        return only_candidate(ctx, pick(ctx)), args.strip(SEPARATORS)
    meeting = get_meeting(ctx, token)
    if not may_know(ctx, meeting):
        raise UserError(T.no_such_meeting(token))
    return meeting, rest


def _typed_a_number(token: str) -> bool:
    """`HY12`, `hy 12`, `12`, or a mistyped `HX12`: something meant as a meeting number."""
    token = token.strip().replace("ＨＹ", "HY")
    return bool(token) and (token.isdigit() or token[:1] in "HhＨｈ")


def when_bare(msg: Incoming, pick: Pick, *words: str) -> Pick | None:
    """`pick` only for the command alone (or followed by one of `words`): `参加` with one meeting
    to answer means that one, `参加 明天的会` is not a number and is answered as such."""
    return pick if command_args(msg).strip(SEPARATORS) in ("", *words) else None


def only_candidate(ctx: Context, meetings: list[Meeting]) -> Meeting:
    if len(meetings) == 1:
        return meetings[0]
    if not meetings:
        raise UserError(T.NEED_NUMBER)
    raise UserError(
        T.which_meeting([f"{m.number} {m.title}（{fmt_time(ctx, m.starts_at)}）" for m in meetings])
    )


def may_know(ctx: Context, meeting: Meeting) -> bool:
    """Whether the sender may learn that the meeting exists: who may see its documents."""
    if may_view(ctx, meeting):
        return True
    minutes = ctx.session.get(MeetingMinutes, meeting.id)
    return may_view(ctx, meeting, issued=minutes is not None and minutes.signed_off_at is not None)


def parse_when(text: str, ctx: Context) -> datetime:
    """A local date and time: `2026-12-01 15:00`, `12月1日 下午3点半`, `明天 9:30`, `下周三 15:00`."""
    match = _WHEN.match(text.strip())
    if not match:
        raise UserError(T.bad_time(text))
    year, month, day, relative, half, hour, minute = match.groups()
    hour, minute = int(hour), int(minute or 0)
    if text.strip().endswith("半") and not match.group(7):
        minute = 30
    if (half in ("下午", "晚上") and hour < 12) or (half == "中午" and hour < 6):
        hour += 12
    now = ctx.local()
    try:
        if relative:
            on = _relative_day(relative, now.date())
            moment = datetime(on.year, on.month, on.day, hour, minute, tzinfo=ctx.tz)
            if relative.startswith(("周", "星期", "礼拜")) and moment < now:
                moment += timedelta(weeks=1)  # a bare 周一 said on Monday afternoon: next week's
            return moment
        moment = datetime(int(year or now.year), int(month), int(day), hour, minute, tzinfo=ctx.tz)
        if year is None and moment < now:
            moment = moment.replace(year=now.year + 1)
    except ValueError:
        raise UserError(T.bad_time(text)) from None
    return moment


def _relative_day(word: str, today: date) -> date:
    """今天/明天/后天; 周三 = the coming Wednesday; 本周三 / 下周三 / 下下周三 by calendar week."""
    if word in _DAYS_AHEAD:
        return today + timedelta(days=_DAYS_AHEAD[word])
    mark = word[-1].replace("天", "日")
    weekday = int(mark) - 1 if mark.isdigit() else _WEEKDAYS.index(mark)
    if word.startswith(("周", "星期", "礼拜")):  # the coming one
        return today + timedelta(days=(weekday - today.weekday()) % 7)
    weeks = 2 if word.startswith("下下") else 1 if word.startswith("下") else 0
    monday = today - timedelta(days=today.weekday())
    return monday + timedelta(weeks=weeks, days=weekday)


def future_time(text: str, ctx: Context) -> datetime:
    moment = parse_when(text, ctx)
    if moment <= ctx.now:
        raise UserError(T.time_in_past(fmt_time(ctx, moment)))
    return moment


def fmt_time(ctx: Context, moment: datetime) -> str:
    local = ctx.local(moment)
    return f"{day(local, ctx.local())}（{T.WEEKDAYS[local.weekday()]}）{clock(local)}"


def contacts(ctx: Context, unit_ids: list[int]) -> dict[int, list[Person]]:
    """Who hears for each unit: its liaison officers, or its leaders when it has none."""
    held = holders_by_unit(ctx.session, UNIT_ROLES, unit_ids)
    return {u: _unique(held[u][Role.LIAISON] or held[u][Role.LEADER]) for u in unit_ids}


def unit_people(ctx: Context, unit_ids: list[int]) -> dict[int, list[Person]]:
    """Liaison officers and leaders of each unit: who receives issued documents and co-sign asks."""
    held = holders_by_unit(ctx.session, UNIT_ROLES, unit_ids)
    return {u: _unique(p for r in UNIT_ROLES for p in held[u][r]) for u in unit_ids}


def _unique(people) -> list[Person]:
    return list({p.id: p for p in people}.values())


def everyone(by_unit: dict[int, list[Person]]) -> list[Person]:
    """The people of several units, each once (someone may hold posts in two units)."""
    return _unique(p for people in by_unit.values() for p in people)


def _director_title(title: str) -> bool:
    """办公室主任, not a 副主任 (a title may hold both: 区卫健委副主任兼办公室主任)."""
    return re.search(r"(?<!副)主任", title or "") is not None


def is_director(sender: Sender) -> bool:
    """The office director: an office appointment whose title says 主任 (not 副主任)."""
    return Role.OFFICE in sender.roles and _director_title(
        sender.person.title if sender.person else ""
    )


CHAIRED_BY_DIRECTOR = ("联络员会议", "办公室会议")  # 附件2 二(二)(三): 主任主持, 主持人签发


def may_call(sender: Sender, kind: str) -> bool:
    if kind == "办公室会议":  # 附件2 二(二): 由主任主持
        return is_director(sender)
    if kind == "联络员会议":
        return Role.OFFICE in sender.roles
    return bool({Role.OFFICE, Role.GENERAL_CONVENER, Role.CONVENER} & sender.roles)


def may_sign_off(sender: Sender, meeting: Meeting) -> bool:
    if meeting.kind in CHAIRED_BY_DIRECTOR:
        return is_director(sender)
    return Role.CONVENER in sender.roles


def signers(ctx: Context, meeting: Meeting) -> list[Person]:
    """Who signs the minutes off and settles disagreements about them."""
    if meeting.kind in CHAIRED_BY_DIRECTOR:
        office = people_with_role(ctx.session, Role.OFFICE)
        return [p for p in office if _director_title(p.title)] or office
    return people_with_role(ctx.session, Role.CONVENER)


def answering_units(sender: Sender) -> set[int]:
    """The units someone answers for: where they are liaison officer or leader."""
    return {u.id for r in UNIT_ROLES for u in sender.units(r)}


def choose_unit(rows: list[R], rest: str, unit_name: Callable[[R], str]) -> tuple[list[R], str]:
    """Someone answering for several units names one first (`参加 HY12 区人社局`).

    The rows of the unit so named and the words after its name; else all rows and `rest` as is.
    """
    match = _LEADING.match(rest) if len(rows) > 1 else None
    if match:
        named = [r for r in rows if match.group(1) in unit_name(r)]
        if len(named) == 1:
            return named, (match.group(2) or "").strip()
    return rows, rest


def sender_invites(ctx: Context, meeting: Meeting) -> list[MeetingInvite]:
    """The invitations the sender may answer: those of units where they are liaison or leader."""
    mine = answering_units(ctx.sender)
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


# --- the meetings a command may mean when no number is typed ------------------------------------
AHEAD = timedelta(days=366)


def _upcoming(ctx: Context) -> list[Meeting]:
    return meetings_between(ctx.session, ctx.now, ctx.now + AHEAD)


def upcoming_answerable(ctx: Context) -> list[Meeting]:
    """Open meetings one of the sender's units is invited to (参加, 请假, 代参)."""
    mine = answering_units(ctx.sender)
    return [m for m in _upcoming(ctx) if any(i.unit_id in mine for i in m.invites)]


def upcoming_visible(ctx: Context) -> list[Meeting]:
    """Open meetings the sender may look at (参会情况)."""
    return [m for m in _upcoming(ctx) if may_view(ctx, m)]


def upcoming_callable(ctx: Context) -> list[Meeting]:
    """Open meetings the sender may move or cancel (改期, 取消会议)."""
    return [m for m in _upcoming(ctx) if may_call(ctx.sender, m.kind)]


def awaiting_my_cosign(ctx: Context) -> list[Meeting]:
    """Meetings whose minutes wait for a co-sign of one of the sender's units (会签)."""
    mine = answering_units(ctx.sender)
    rows = ctx.session.scalars(
        select(MinutesSignature.meeting_id).where(
            MinutesSignature.unit_id.in_(mine), MinutesSignature.status == PENDING_SIGN
        )
    )
    ids = sorted(set(rows))
    meetings = [ctx.session.get(Meeting, i) for i in ids]
    return [m for m in meetings if ctx.session.get(MeetingMinutes, m.id).signed_off_at is None]


def awaiting_my_signoff(ctx: Context) -> list[Meeting]:
    """Meetings whose minutes the sender signs off and that are not signed off yet (签发)."""
    meetings = [
        ctx.session.get(Meeting, m.meeting_id) for m in minutes_awaiting_signoff(ctx.session)
    ]
    return [m for m in meetings if may_sign_off(ctx.sender, m)]


def readable_minutes(ctx: Context) -> list[Meeting]:
    """Meetings with minutes the sender may read (纪要 查看)."""
    rows = ctx.session.scalars(select(MeetingMinutes).order_by(MeetingMinutes.meeting_id))
    found = []
    for minutes in rows:
        meeting = ctx.session.get(Meeting, minutes.meeting_id)
        if may_view(ctx, meeting, issued=minutes.signed_off_at is not None):
            found.append(meeting)
    return found
