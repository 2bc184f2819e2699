"""联合执法检查 / 联合督查 (seed 附件1 四(四)): the office sets one up; each participating unit's
liaison officer records findings per employer; a finding with problems becomes a 整改 item (ZG…)
followed like a decided item (reminders, overdue notice) until `整改 完成`."""

from __future__ import annotations

import re
from datetime import date

from handlers.core import (
    Context,
    Conversation,
    Incoming,
    Role,
    UserError,
    command,
    command_args,
    flow,
    split_args,
)
from handlers.followup import common as c
from handlers.followup import inspections_text as T
from storage import followup as st

FLOW = "联合检查"
_DATES = re.compile(
    r"^(\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:至|到|~|－|—|-{1,2})\s*(\d{4}-\d{1,2}-\d{1,2}))?$"
)
_FIELD = re.compile(r"^(问题|依据|法律依据|期限|整改期限)\s*[:：]?\s*(.*)$", re.S)
PROMPTS = {
    "subject": T.ASK_SUBJECT,
    "dates": T.ASK_DATES,
    "units": T.ASK_INSPECT_UNITS,
    "streets": T.ASK_STREETS,
    "employers": T.ASK_EMPLOYERS,
}


@command("联合检查 新建", roles={Role.OFFICE}, usage="联合检查 新建")
def new_inspection(msg: Incoming, ctx: Context) -> str:
    """组织联合执法检查或联合督查：主题、日期、参加单位、检查对象。"""
    ctx.start_conversation(FLOW, "subject")
    return T.ASK_SUBJECT


@flow(FLOW, prompt=lambda ctx, convo: PROMPTS.get(convo.step, "回复「确认」建立，或「取消」放弃。"))
def inspection_dialogue(msg: Incoming, ctx: Context, convo: Conversation) -> str:
    data, text = convo.data, msg.text.strip()
    step = convo.step
    if step == "subject":
        data["subject"] = c.check_text(text, "检查主题")[:200]
    elif step == "dates":
        data["starts"], data["ends"] = _dates(ctx, text)
        data["dates_text"] = text
    elif step == "units":
        units = c.find_units(ctx, text)
        data["unit_ids"], data["unit_names"] = [u.id for u in units], [u.name for u in units]
    elif step == "streets":
        data["streets"] = [] if text in ("无", "") else [u.name for u in c.find_units(ctx, text)]
    elif step == "employers":
        data["employers"] = [e[:200] for e in split_args(c.check_text(text, "用人单位"))]
        convo.goto("confirm")
        return T.inspection_preview(data)
    else:
        if text not in T.CONFIRM_WORDS:
            raise UserError("回复「确认」建立，或「取消」放弃。")
        convo.end()
        return _create(ctx, data)
    order = list(PROMPTS)
    convo.goto(order[order.index(step) + 1])
    return PROMPTS[convo.step]


def _dates(ctx: Context, text: str) -> tuple[str, str]:
    match = _DATES.match(text.replace("／", "-").replace("/", "-"))
    if not match:
        raise UserError(T.bad_dates(text))
    try:
        starts = date.fromisoformat(_pad(match.group(1)))
        ends = date.fromisoformat(_pad(match.group(2) or match.group(1)))
    except ValueError:
        raise UserError(T.bad_dates(text)) from None
    if ends < starts or ends < ctx.local().date():
        raise UserError(T.bad_dates(text))
    return starts.isoformat(), ends.isoformat()


def _pad(value: str) -> str:
    y, m, d = value.split("-")
    return f"{y}-{int(m):02d}-{int(d):02d}"


def _create(ctx: Context, data: dict) -> str:
    row = st.new_inspection(
        ctx.session,
        subject=data["subject"],
        starts_on=c.iso(data["starts"]),
        ends_on=c.iso(data["ends"]),
        unit_ids=data["unit_ids"],
        streets=data["streets"],
        employers=data["employers"],
        created_at=ctx.now,
        created_by=c.actor_id(ctx),
    )
    people = c.people(ctx, data["unit_ids"])
    for unit_id in data["unit_ids"]:
        key = f"followup:inspection:{row.number}:u{unit_id}"
        ctx.push(people[unit_id], T.inspection_notice(row.number, data), key=key)
    return T.inspection_created(row.number, len(data["unit_ids"]))


def _match_employer(row: st.Inspection, text: str) -> tuple[str, str]:
    """The target employer the text starts with (its full name, or a name it is part of)."""
    first, _, rest = text.strip().partition(" ")
    for employer in sorted(row.employers, key=len, reverse=True):
        if text.startswith(employer):
            return employer, text[len(employer) :]
    for employer in row.employers:
        if first and (first in employer or employer in first):
            return employer, rest
    raise UserError(T.unknown_employer(first or text[:30], row.employers))


@command("检查记录", roles=set(c.UNIT_ROLES), usage=T.RECORD_USAGE)
def record_finding(msg: Incoming, ctx: Context) -> str:
    """参加联合检查的单位按用人单位记录检查发现的问题、法律依据和整改期限。"""
    number, rest = c.number_and_rest(command_args(msg), T.RECORD_USAGE)
    row = st.inspection_by_number(ctx.session, number)
    mine = c.my_units(ctx) & set(row.unit_ids if row else [])
    if row is None or not mine:
        raise UserError(T.no_inspection(number))
    employer, tail = _match_employer(row, rest)
    fields = {}
    for part in re.split(r"[；;\n]+", tail):
        if match := _FIELD.match(part.strip()):
            fields[match.group(1)[-2:]] = match.group(2).strip()
    problems = fields.get("问题", "")
    if not problems:
        raise UserError(T.NEED_PROBLEMS)
    problems = c.check_text(problems, "发现的问题")
    unit_id = min(mine)
    item = None
    if problems not in ("无", "未发现问题"):
        if not fields.get("期限"):
            raise UserError(T.NEED_DEADLINE)
        item = _rectify(ctx, row, unit_id, employer, problems, fields["期限"])
    finding = st.InspectionFinding(
        inspection_id=row.id,
        unit_id=unit_id,
        employer=employer,
        problems=problems,
        legal_basis=fields.get("依据", "")[:2000],
        item_id=item.id if item else None,
        recorded_at=ctx.now,
        recorded_by=c.actor_id(ctx),
    )
    ctx.session.add(finding)
    ctx.session.flush()
    return T.finding_saved(employer, item, ctx.today())


def _rectify(ctx, row, unit_id, employer, problems, due_text) -> st.FollowupItem:
    item = st.new_item(
        ctx.session,
        st.RECTIFY,
        title=f"{employer}：{problems[:500]}",
        source=row.number,
        lead_unit_id=unit_id,
        co_unit_ids=[],
        due=c.parse_due(ctx, due_text),
        status=st.OPEN,
        inspection_id=row.id,
        employer=employer,
        created_at=ctx.now,
        created_by=c.actor_id(ctx),
    )
    ctx.session.refresh(item)
    c.log(ctx, item, "立项", f"{row.number}检查发现，整改期限{T.full(item.due)}", unit_id=unit_id)
    return item


@command("整改 完成", roles=set(c.UNIT_ROLES), usage="整改 完成 ZG3 复查情况")
def rectified(msg: Incoming, ctx: Context) -> str:
    """检查单位确认用人单位已完成整改。"""
    from handlers.followup.items import unit_item

    number, rest = c.number_and_rest(command_args(msg), "整改 完成 ZG3 复查情况")
    item = unit_item(ctx, number, "确认整改", lead_only=True)
    if item.prefix != st.RECTIFY:
        raise UserError(T.not_rectify(number))
    note = c.check_text(rest, "复查情况") if rest else "已整改"
    item.status, item.closed_at = st.CLOSED, ctx.now
    c.log(ctx, item, "整改完成", note, unit_id=item.lead_unit_id)
    ctx.push(c.office(ctx), T.rectified_notice(item, item.lead_unit.name, note))
    return T.rectified(item)
