"""From signed minutes to decided items: a job notices newly signed minutes and offers their
numbered points to the office; `督办 立项 HY3` walks through them one by one to confirm or edit.

A job rather than a hook in 签发, so the meetings domain does not know about this one.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from handlers.core import (
    Context,
    Conversation,
    Incoming,
    Role,
    UserError,
    command,
    command_args,
    flow,
    job,
)
from handlers.followup import common as c
from handlers.followup import text as T
from handlers.followup.items import DEFAULT_DAYS, create_item, parse_fields
from handlers.units import short_name
from storage.meetings import Meeting, MeetingMinutes
from storage.roster import member_units

FLOW = "督办立项"
OFFER_WINDOW = timedelta(days=14)
_POINT = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}[、.．]|\d{1,2}\s*[、.．)）]|[（(][一二三四五六七八九十\d]{1,3}[)）])\s*"
)
_LEAD = re.compile(r"由(.{2,20}?)(?:牵头|负责)")


def minutes_points(text: str) -> list[str]:
    """The minutes' numbered points (一、… / 1. … / （一）…), continuation lines joined."""
    points: list[str] = []
    for line in text.splitlines():
        if _POINT.match(line):
            points.append(_POINT.sub("", line, count=1).strip())
        elif points and line.strip():
            points[-1] += line.strip()
    return [p for p in points if p]


def suggest_units(ctx: Context, point: str) -> tuple[str, list[str]]:
    """The units a point names: the one it says 牵头/负责 (or the first named) leads."""
    named = [
        u
        for u in member_units(ctx.session)
        if u.name in point or (len(short_name(u.name)) >= 3 and short_name(u.name) in point)
    ]
    named.sort(
        key=lambda u: point.find(u.name) if u.name in point else point.find(short_name(u.name))
    )
    names = [u.name for u in named]
    lead_match = _LEAD.search(point)
    lead = next((n for n in names if lead_match and n in lead_match.group(1)), None)
    lead = lead or (names[0] if names else "")
    return lead, [n for n in names if n != lead]


@job("followup.offer", trigger="interval", minutes=10)
def offer_signed_minutes(ctx: Context) -> None:
    """Tell the office once about each recently signed minutes with numbered points."""
    stmt = select(MeetingMinutes).where(MeetingMinutes.signed_off_at >= ctx.now - OFFER_WINDOW)
    for minutes in ctx.session.scalars(stmt):
        points = minutes_points(minutes.text)
        if not points:
            continue
        meeting = ctx.session.get(Meeting, minutes.meeting_id)
        text = T.offer(meeting.number, meeting.kind, points)
        ctx.push(c.office(ctx), text, key=f"followup:offer:{meeting.number}")


@command("督办 立项", roles={Role.OFFICE}, usage="督办 立项 HY3")
def intake(msg: Incoming, ctx: Context) -> str:
    """把已签发纪要的议定事项逐条确认为督办事项（可修改牵头、配合单位和期限）。"""
    token = command_args(msg).strip().upper().replace("ＨＹ", "HY")
    meeting = None
    if re.fullmatch(r"(HY)?\d{1,9}", token):
        meeting = ctx.session.get(Meeting, int(token.removeprefix("HY")))
    if meeting is None:
        raise UserError(f"没有找到会议「{token}」。用法：督办 立项 HY3")
    minutes = ctx.session.get(MeetingMinutes, meeting.id)
    if minutes is None or minutes.signed_off_at is None:
        raise UserError(T.minutes_not_signed(meeting.number))
    texts = minutes_points(minutes.text)
    if not texts:
        raise UserError(T.NO_POINTS)
    days = ctx.option_int("LIAISON_FOLLOWUP_DAYS", DEFAULT_DAYS)
    points = []
    for n, title in enumerate(texts, start=1):
        lead, co = suggest_units(ctx, title)
        due = f"{days}个工作日"
        points.append({"n": n, "title": title, "lead": lead, "co": co, "due_text": due})
    convo = ctx.start_conversation(FLOW, "point", meeting=meeting.number, points=points, at=0)
    convo.data["created"] = []
    return _current(convo)


def _current(convo: Conversation) -> str:
    points, at = convo.data["points"], convo.data["at"]
    return T.point_card(at + 1, len(points), points[at])


@flow(FLOW, prompt=lambda ctx, convo: _current(convo))
def intake_dialogue(msg: Incoming, ctx: Context, convo: Conversation) -> str:
    """确认 creates the item, 跳过 skips it, `牵头 …；配合 …；期限 …；内容 …` edits it."""
    text = msg.text.strip()
    point = convo.data["points"][convo.data["at"]]
    if text in T.CONFIRM_WORDS:
        if not point["lead"]:
            raise UserError(T.NEED_LEAD)
        source = f"{convo.data['meeting']}第{point['n']}条"
        item = create_item(
            ctx, point["title"], point["lead"], "、".join(point["co"]), point["due_text"], source
        )
        convo.data["created"].append(item.number)
    elif text not in T.SKIP_WORDS:
        _edit(ctx, point, text)
        return _current(convo)
    convo.data["at"] += 1
    if convo.data["at"] >= len(convo.data["points"]):
        convo.end()
        return T.intake_done(convo.data["created"])
    return _current(convo)


def _edit(ctx: Context, point: dict, text: str) -> None:
    _free, fields = parse_fields(text)
    if not fields:
        raise UserError("请回复「确认」「跳过」，或按「牵头 单位；配合 单位；期限 日期」修改。")
    if "lead" in fields:
        point["lead"] = c.find_units(ctx, fields["lead"])[0].name
    if "co" in fields:
        co = fields["co"]
        point["co"] = [] if co in ("无", "") else [u.name for u in c.find_units(ctx, co)]
    if "due" in fields:
        c.parse_due(ctx, fields["due"])  # refused now rather than at 确认
        point["due_text"] = fields["due"]
    if "title" in fields:
        point["title"] = c.check_text(fields["title"], "事项内容")
